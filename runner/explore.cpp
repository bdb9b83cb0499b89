#include "explore.h"

#include <set>
#include <vector>

namespace resvcheck {
namespace {

unsigned preemptions(const std::vector<uint8_t>& choices, const std::vector<uint8_t>& runnable) {
    unsigned n = 0;
    for (size_t i = 1; i < choices.size(); ++i)
        if (choices[i] != choices[i - 1] && (runnable[i] >> choices[i - 1] & 1)) ++n;
    return n;
}

}  // namespace

ExploreResult explore(const Trace& trace, Model& model, Adapter& adapter, unsigned bound, uint64_t max_runs,
                      const RunOptions& opts) {
    ExploreResult out;
    std::set<std::vector<uint8_t>> seen;
    std::vector<std::vector<uint8_t>> stack{{}};
    Trace t = trace;
    while (!stack.empty()) {
        if (out.runs >= max_runs) {
            out.complete = false;
            break;
        }
        t.schedule = std::move(stack.back());
        stack.pop_back();
        const size_t fixed = t.schedule.size();
        Adapter::Block last;
        RunOptions o = opts;
        o.record = true;
        o.last_block = &last;
        RunResult r = run(t, model, adapter, o);
        ++out.runs;
        if (r.verdict == Verdict::Violation) {
            out.failure = std::move(r);
            return out;
        }
        if (r.verdict != Verdict::Conforms) return out;
        const auto& choices = last.realised;
        const auto& runnable = last.runnable;
        out.distinct += seen.insert(choices).second;
        for (size_t i = choices.size(); i-- > fixed;) {
            for (uint8_t th = 0; th < 8; ++th) {
                if (th == choices[i] || !(runnable[i] >> th & 1)) continue;
                std::vector<uint8_t> cand(choices.begin(), choices.begin() + static_cast<long>(i));
                cand.push_back(th);
                std::vector<uint8_t> masks(runnable.begin(), runnable.begin() + static_cast<long>(i) + 1);
                if (preemptions(cand, masks) <= bound) stack.push_back(std::move(cand));
            }
        }
    }
    return out;
}

}  // namespace resvcheck
