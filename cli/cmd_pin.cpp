// resvcheck pin FILE [--profile P]: print FILE with every step pinned by the model profile, the way
// a regression trace is written. Ops that break a precondition are reported, not pinned.
#include <cstdio>

#include "commands.h"
#include "findings.h"

namespace resvcheck::cli {

int cmd_pin(const Options& o) {
    if (o.args.size() != 1) return usage_error("pin needs exactly one trace file");
    auto p = profile_by_name(o.profile.empty() ? "contract" : o.profile);
    if (!p) return usage_error("unknown profile '" + o.profile + "'");
    auto parsed = load_trace(o.args[0]);
    if (!parsed) return fail(parsed.error());
    const Trace& t = *parsed;
    if (t.steps.empty()) return usage_error(o.args[0] + ": the trace has no ops");
    Model check(*p);
    for (size_t i = 0; i < t.steps.size(); ++i) {
        if (auto why = check.precondition(t.steps[i].op, t.steps[i].misuse))
            return usage_error(o.args[0] + ":" + std::to_string(t.steps[i].line) + ": op " + std::to_string(i) + " breaks a precondition: " + *why);
        check.perform(t.steps[i].op);
    }
    fputs(print_trace(pin_expected(t, *p)).c_str(), stdout);
    return kExitConforms;
}

}  // namespace resvcheck::cli
