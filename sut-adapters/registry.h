// registry.h - adapters by name: model, sim, linux, kmod[,OPTIONS], plugin:PATH[,OPTIONS].
//
//   auto a = make_adapter("sim", {.fault = "seqno-no-wrap"});
//   if (!a) die(a.error().text());
#pragma once

#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "adapter.h"
#include "error.h"

namespace resvcheck {

struct AdapterOptions {
    std::string profile;     // model profile, for the model adapter itself
    std::string fault;       // sim fault switch
    std::string kernel_src;  // linux: a kernel tree to build the adapter from
    // kmod: the kernel booted (both empty: the default of the profile's version), where console
    // logs of dead VMs go, and how long an op may take
    std::string kernel_image, kernel_headers, console_dir;
    long watchdog_ms = 10'000;
};

struct AdapterInfo {
    std::string_view name;
    std::string_view description;
};

std::span<const AdapterInfo> known_adapters();
// "linux" or "linux,OPTIONS": the options go to the linux plugin's create() (verbose, nolockdep, realthreads)
bool is_linux_adapter(std::string_view name);
Expected<std::unique_ptr<Adapter>> make_adapter(std::string_view name, const AdapterOptions& opts);

// The set-up of make_adapter that runs none of the implementation's code (compiling a kernel tree
// into its cached plugin): done in the parent before a child process only loads the result.
Status prepare_adapter(std::string_view name, const AdapterOptions& opts);

// The files of a kernel tree the linux adapter reads (linux_adapter::tree_files); empty in a build
// without the linux adapter.
std::vector<std::string> linux_tree_files();

// One line on what the adapter is, for the first line of a run: for linux the kernel version, its
// tree and the profile the tree's features chose, with why ("" for the other adapters).
std::string describe_adapter(std::string_view name, const AdapterOptions& opts);

struct FaultInfo {
    std::string name;
    std::string description;
};
// Fault switches of an adapter (only sim has them).
std::vector<FaultInfo> adapter_faults(std::string_view name);

}  // namespace resvcheck
