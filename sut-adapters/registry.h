// registry.h - adapters by name: model, sim, linux, plugin:PATH[,OPTIONS].
//
//   auto a = make_adapter("sim", {.fault = "seqno-no-wrap"});
//   if (auto* err = std::get_if<SetupError>(&a)) die(err->message);
#pragma once

#include <memory>
#include <span>
#include <string>
#include <variant>

#include "adapter.h"

namespace resvcheck {

struct AdapterOptions {
    std::string profile;     // model profile, for the model adapter itself
    std::string fault;       // sim fault switch
    std::string kernel_src;  // linux: a kernel tree to build the adapter from
};

struct AdapterInfo {
    std::string_view name;
    std::string_view description;
};

struct SetupError {
    std::string message;  // says what to do
};

std::span<const AdapterInfo> known_adapters();
std::variant<std::unique_ptr<Adapter>, SetupError> make_adapter(std::string_view name, const AdapterOptions& opts);

struct FaultInfo {
    std::string name;
    std::string description;
};
// Fault switches of an adapter (only sim has them).
std::vector<FaultInfo> adapter_faults(std::string_view name);

}  // namespace resvcheck
