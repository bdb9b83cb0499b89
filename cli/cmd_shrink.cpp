// resvcheck shrink FILE --adapter NAME [--out FILE]: the minimal trace that fails the same rule.
#include <cstdio>

#include "commands.h"
#include "findings.h"
#include "shrink_util.h"

namespace resvcheck::cli {

int cmd_shrink(const Options& o) {
    if (o.args.size() != 1) return usage_error("shrink needs exactly one trace file");
    auto setup = make_setup(o);
    if (!setup) return fail(setup.error());
    auto& s = *setup;
    auto parsed = load_trace(o.args[0]);
    if (!parsed) return fail(parsed.error());
    const Trace& t = *parsed;
    Model m(s.profile);
    RunResult r = run(t, m, *s.adapter, RunOptions{.record = false});
    if (r.verdict == Verdict::Invalid) return usage_error(o.args[0] + ": " + r.message);
    if (r.verdict != Verdict::Violation) {
        fprintf(stderr, "resvcheck: %s does not violate any rule on adapter %s (%s): nothing to shrink\n", o.args[0].c_str(),
                o.adapter.c_str(), std::string(verdict_name(r.verdict)).c_str());
        return kExitSetup;
    }
    Shrunk sh = shrink_failure(t, r.divergence->rule, s.profile, *s.adapter);
    std::string out = o.out.empty() ? o.args[0] + ".min.trace" : o.out;
    FindingInfo info{sh.divergence, o.adapter, s.adapter_flags, std::string(s.profile.name), "shrink " + o.args[0]};
    if (auto err = write_text(out, render_finding(sh.trace, info, out)); !err.empty()) return usage_error(err);
    printf("%s violated: %zu ops -> %zu ops (%zu tries)\nwrote %s\nreplay: %s\n", std::string(rule_id(sh.divergence.rule)).c_str(),
           sh.stats.ops_before, sh.trace.steps.size(), sh.stats.tries, out.c_str(), replay_command(out, info).c_str());
    return kExitViolation;
}

}  // namespace resvcheck::cli
