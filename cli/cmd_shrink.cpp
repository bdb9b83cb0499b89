// resvcheck shrink FILE --adapter NAME [--out FILE]: the minimal trace that fails the same rule.
//
// What is shrunk is the adapter's failure. The trace's pins are judged too (as replay does), but a
// violation that only a pin commits is the trace's error, not the adapter's: shrinking it without
// its pins would keep nothing that fails, so it is reported instead.
#include <cstdio>

#include "commands.h"
#include "finding_pipeline.h"

namespace resvcheck::cli {

int cmd_shrink(const Options& o) {
    if (o.args.size() != 1) return usage_error("shrink needs exactly one trace file");
    auto setup = make_setup(o);
    if (!setup) return fail(setup.error());
    auto& s = *setup;
    auto parsed = load_trace(o.args[0]);
    if (!parsed) return fail(parsed.error());
    const Trace& t = *parsed;
    Trace unpinned = t;
    for (auto& st : unpinned.steps) st.pin.reset();
    Model m(s.profile);
    RunResult pinned = run(t, m, *s.adapter, RunOptions{.record = false});
    if (pinned.verdict == Verdict::Invalid) return usage_error(o.args[0] + ": " + pinned.message);
    RunResult r = run(unpinned, m, *s.adapter, RunOptions{.record = false});
    if (r.verdict != Verdict::Violation) {
        if (pinned.verdict == Verdict::Violation) {
            const Divergence& d = *pinned.divergence;
            return usage_error(o.args[0] + ":" + std::to_string(t.steps[d.op_index].line) + ": the trace's own pin breaks " +
                               std::string(rule_id(d.rule)) + " (" + d.observed + "; allowed " + d.allowed + "), but adapter " +
                               o.adapter + " " + std::string(verdict_name(r.verdict)) +
                               ": nothing to shrink; `resvcheck pin FILE` prints the pins a conforming implementation observes");
        }
        fprintf(stderr, "resvcheck: %s does not violate any rule on adapter %s (%s): nothing to shrink\n", o.args[0].c_str(),
                o.adapter.c_str(), std::string(verdict_name(r.verdict)).c_str());
        return kExitSetup;
    }
    std::string out = o.out.empty() ? o.args[0] + ".min.trace" : o.out;
    FindingPipeline fp({.adapter = o.adapter, .adapter_flags = s.adapter_flags, .origin = "shrink " + o.args[0], .out = out}, s.profile);
    Finding f = fp.finish(unpinned, *r.divergence, *s.adapter, "");
    if (f.trace.empty()) return usage_error("the shrunk trace could not be written to " + out + " (printed above)");
    printf("%s violated: %zu ops -> %zu ops (%zu tries)\nwrote %s\nreplay: %s\n", std::string(rule_id(*f.rule)).c_str(), f.ops_unshrunk,
           f.ops, f.shrink_tries, f.trace.c_str(), f.replay.c_str());
    return kExitViolation;
}

}  // namespace resvcheck::cli
