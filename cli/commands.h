// commands.h - the resvcheck subcommands and what they share.
#pragma once

#include <memory>
#include <string>
#include <variant>

#include "adapter.h"
#include "error.h"
#include "model.h"
#include "options.h"

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
    std::unique_ptr<Adapter> adapter;
    Profile profile;
    std::string adapter_flags;  // flags that recreate this adapter (for printed commands)
};
Expected<Setup> make_setup(const Options& o);

int cmd_replay(const Options& o);
int cmd_check(const Options& o);
int cmd_shrink(const Options& o);
int cmd_pin(const Options& o);
int cmd_fuzz(const Options& o);
int cmd_list_rules(const Options& o);
int cmd_list_adapters(const Options& o);
int cmd_list_faults(const Options& o);
int cmd_list_ops(const Options& o);
int cmd_list_profiles(const Options& o);

}  // namespace resvcheck::cli
