// resvcheck: conformance suite for the Linux dma_resv / dma_fence contract.
#include <cstdio>
#include <string_view>

#include "commands.h"

using namespace resvcheck::cli;

namespace {

constexpr size_t kAny = SIZE_MAX;

struct Command {
    std::string_view name;
    std::string_view args;
    std::string_view help;
    int (*run)(const Options&);
    size_t max_positional;  // FILE arguments it takes
};

constexpr Command kCommands[] = {
    {"check", "--adapter NAME [--fault F] [--profile P] [--seed N] [--time S] [--isolate auto|on|off]", "run generated op sequences and print the per-rule report", cmd_check, 0},
    {"replay", "FILE|DIR... --adapter NAME [--profile P]", "replay trace files and judge every op", cmd_replay, kAny},
    {"shrink", "FILE --adapter NAME [--out FILE]", "reduce a failing trace to a minimal one that fails the same rule", cmd_shrink, 1},
    {"fuzz", "--engine libfuzzer|afl --adapter NAME [--fault F] [--time S] [--jobs N] [--corpus DIR]",
     "coverage-guided fuzzing with a prebuilt target (presets fuzz, afl); findings shrunk and written", cmd_fuzz, 0},
    {"report", "RESULT.json... --html OUT.html [--junit OUT.xml] [--ktap OUT.ktap]",
     "views of --json results of check, replay and fuzz: an HTML page, JUnit XML, KTAP", cmd_report, kAny},
    {"export", "FILE.trace --kunit|--selftest|--gtest [--out FILE]",
     "a finding as a test in the kernel's style (KUnit, selftest) or a standalone GoogleTest", cmd_export, 1},
    {"mutate", "--kernel-src DIR [--files F,...] [--operators O,...] [--lines A[-B]] [--time S] [--jobs N] [--threads N]",
     "mutation testing: mutants of the dma-buf files, check on each, killed / survived / timed out / not compiling", cmd_mutate, 0},
    {"pin", "FILE [--profile P]", "print a trace with every step pinned by the model (to write regression traces)", cmd_pin, 1},
    {"list-rules", "", "the contract's rules (ID, area, scope, kernel function)", cmd_list_rules, 0},
    {"list-adapters", "", "the implementations resvcheck can drive", cmd_list_adapters, 0},
    {"list-faults", "--adapter sim", "the simulator's fault switches", cmd_list_faults, 0},
    {"list-ops", "", "the operation vocabulary and its text syntax", cmd_list_ops, 0},
    {"list-profiles", "", "the model profiles", cmd_list_profiles, 0},
};

void print_help(FILE* to) {
    fprintf(to, "usage: resvcheck COMMAND [ARGS] [OPTIONS]\n\ncommands:\n");
    for (const auto& c : kCommands)
        fprintf(to, "  %-14.*s %.*s\n  %-14s %.*s\n", static_cast<int>(c.name.size()), c.name.data(), static_cast<int>(c.help.size()),
                c.help.data(), "", static_cast<int>(c.args.size()), c.args.data());
    fprintf(to, "\n%s\nexit status: 0 conforms, 1 a rule was violated, 2 usage or set-up error, 3 unsupported ops only\n",
            flags_help().c_str());
}

}  // namespace

namespace resvcheck::cli {
int fail(const Error& e) {
    fprintf(stderr, "resvcheck: %s\n", e.text().c_str());
    return exit_status(e.kind);
}
int usage_error(const std::string& message) { return fail(Error{ErrorKind::Usage, message}); }
}  // namespace resvcheck::cli

int main(int argc, char** argv) {
    auto parsed = parse_options(argc, argv);
    if (!parsed) return fail(parsed.error());
    const Options& o = *parsed;
    if (o.command.empty() || o.command == "help") {
        print_help(o.command.empty() && !o.help ? stderr : stdout);
        return o.command.empty() && !o.help ? kExitSetup : kExitConforms;
    }
    for (const auto& c : kCommands)
        if (c.name == o.command) {
            if (o.args.size() > c.max_positional)
                return usage_error(o.command + " takes " + (c.max_positional ? "one file" : "no file arguments") + ", got '" +
                                   o.args[c.max_positional] + "' (options start with --)");
            if (o.help) {
                printf("resvcheck %.*s %.*s\n  %.*s\n\n%s", static_cast<int>(c.name.size()), c.name.data(), static_cast<int>(c.args.size()),
                       c.args.data(), static_cast<int>(c.help.size()), c.help.data(), flags_help().c_str());
                return kExitConforms;
            }
            return c.run(o);
        }
    std::string known;
    for (const auto& c : kCommands) known += " " + std::string(c.name);
    return usage_error("unknown command '" + o.command + "'; commands:" + known);
}
