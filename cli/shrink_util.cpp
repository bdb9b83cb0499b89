#include "shrink_util.h"

namespace resvcheck::cli {

Shrunk shrink_failure(const Trace& failing, Rule rule, const Profile& profile, Adapter& adapter) {
    Model m(profile);
    auto fails = [&](const Trace& t) {
        RunResult r = run(t, m, adapter, RunOptions{.record = false});
        return r.verdict == Verdict::Violation && r.divergence->rule == rule;
    };
    Shrunk out;
    // only the ops up to the failure matter
    Trace start = failing;
    for (auto& st : start.steps) st.pin.reset();
    RunResult first = run(start, m, adapter, RunOptions{.record = false});
    if (first.verdict == Verdict::Violation && first.divergence->op_index + 1 < start.steps.size())
        start.steps.resize(first.divergence->op_index + 1);
    out.trace = shrink_trace(start, fails, &out.stats);
    RunResult r = run(out.trace, m, adapter, RunOptions{.record = false});
    if (r.divergence) out.divergence = *r.divergence;
    return out;
}

}  // namespace resvcheck::cli
