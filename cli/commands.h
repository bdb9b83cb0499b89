// commands.h - the resvcheck subcommands and what they share.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <memory>
#include <string>
#include <variant>

#include "adapter.h"
#include "child.h"
#include "error.h"
#include "model.h"
#include "options.h"
#include "registry.h"

namespace resvcheck::cli {

// Exit statuses, one per kind of outcome.
inline constexpr int kExitConforms = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitSetup = 2;        // usage, parse, set-up or I/O error
inline constexpr int kExitUnsupported = 3;  // no violation, but not everything could be tested

// The one place where an error's kind decides the exit status.
constexpr int exit_status(ErrorKind k) { return k == ErrorKind::Unsupported ? kExitUnsupported : kExitSetup; }
// Prints "resvcheck: <error>" to stderr and returns its exit status.
int fail(const Error& e);
// fail() for a bad command line.
int usage_error(const std::string& message);

// The adapter and the profile a command runs with.
struct Setup {
    std::unique_ptr<Adapter> adapter;  // with isolation, an IsolatedAdapter: a crash or hang is an ADAPTER-* finding
    Profile profile;
    std::string adapter_flags;  // flags that recreate this adapter (for printed commands)
    std::string adapter_note;   // describe_adapter(): the kernel and the profile it chose
    bool isolated = false;      // --isolate, resolved
    IsolationLimits limits;     // of the isolated adapter (check's supervised children use them too)
    AdapterOptions adapter_options;
};
// isolable: the command may run the adapter in a child (not fuzz: its engines isolate by themselves);
// watchdog: the per-op watchdog when --watchdog is not given; until: IsolationLimits::until.
struct SetupFor {
    bool isolable = true;
    std::chrono::milliseconds watchdog{10'000};
    std::function<std::chrono::steady_clock::time_point()> until;
};
Expected<Setup> make_setup(const Options& o, const SetupFor& how = {});
// The source tree (it holds corpora/): the first directory above the binary or the working directory
// with CMakePresets.json and corpora/.
std::optional<std::filesystem::path> source_root();

int cmd_replay(const Options& o);
int cmd_check(const Options& o);
int cmd_check_threads(const Options& o);  // check --threads N
int cmd_shrink(const Options& o);
int cmd_pin(const Options& o);
int cmd_fuzz(const Options& o);
int cmd_report(const Options& o);
int cmd_export(const Options& o);
int cmd_mutate(const Options& o);
int cmd_list_rules(const Options& o);
int cmd_list_adapters(const Options& o);
int cmd_list_faults(const Options& o);
int cmd_list_ops(const Options& o);
int cmd_list_profiles(const Options& o);

}  // namespace resvcheck::cli
