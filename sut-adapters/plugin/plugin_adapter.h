// plugin_adapter.h - drives an implementation through the C ABI of resvcheck_plugin.h, either
// loaded with dlopen (plugin:PATH, the linux adapter) or linked in (the simulator).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <variant>

#include "adapter.h"
#include "error.h"
#include "resvcheck_plugin.h"

namespace resvcheck {

class PluginAdapter final : public Adapter {
public:
    // Takes an already created instance of `plugin`; `dl_handle` (may be null) is dlclose'd last.
    PluginAdapter(const resvcheck_plugin* plugin, void* instance, void* dl_handle, std::string name);
    ~PluginAdapter() override;
    std::string_view name() const override { return name_; }
    std::string_view default_profile() const override;
    void reset() override;
    bool supports(const Op& op) const override;
    void apply(const Op& op, Observation& out) override;

private:
    const resvcheck_plugin* plugin_;
    void* instance_;
    void* dl_;
    std::string name_;
    std::unique_ptr<resvcheck_obs> raw_;  // large: keep it off the stack and reuse it
    mutable std::array<int8_t, kOpKinds> supported_;  // by op kind: -1 not asked yet, else the answer
};

// Creates an instance of a linked-in plugin.
Expected<std::unique_ptr<Adapter>> make_plugin_adapter(const resvcheck_plugin* plugin, const char* options, void* dl_handle,
                                                       std::string name);

// dlopen()s PATH (a bare name is a file in the working directory), checks the ABI version and
// creates an instance with `options`.
Expected<std::unique_ptr<Adapter>> load_plugin(const std::string& path, const std::string& options);

}  // namespace resvcheck
