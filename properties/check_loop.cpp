#include "check_loop.h"

#include <algorithm>
#include <utility>

#include "case_gen.h"
#include "model_adapter.h"

namespace resvcheck {
namespace {

// Hands out observations an adapter made in one batch, in order (a missing one: the adapter died).
class Replayed final : public Adapter {
public:
    Replayed(const Adapter& real, std::span<const Observation> obs) : real_(real), obs_(obs) {}
    std::string_view name() const override { return real_.name(); }
    std::string_view default_profile() const override { return real_.default_profile(); }
    void reset() override { next_ = 0; }
    bool supports(const Op& op) const override { return real_.supports(op); }
    void apply(const Op&, Observation& out) override {
        if (next_ < obs_.size()) {
            out = obs_[next_++];
        } else {
            out.clear();
            out.status = Observation::Status::Crash;
            out.message = "no observation from the batch";
        }
    }

private:
    const Adapter& real_;
    std::span<const Observation> obs_;
    size_t next_ = 0;
};

struct CaseRunner {
    Adapter& adapter;
    Model& model;
    const MoveWeights& weights;
    RecordSource src;
    std::vector<Record> records;

    CaseRunner(Adapter& a, Model& m, size_t property)
        : adapter(a), model(m), weights(weights_for(all_properties()[property].weights)), src({}, weights, &a) {
        records.reserve(kDefaultMaxSize);
    }
    RunResult operator()(size_t property, uint64_t seed, uint64_t case_index, const RunOptions& opts) {
        if (!opts.record && batching() && run_group(seed, property, case_index, case_index + 1, {}) && ran(0))
            if (auto r = judge(0)) return *r;
        return exact(property, seed, case_index, opts);
    }
    // The case op by op, each op's observation judged as it comes.
    RunResult exact(size_t property, uint64_t seed, uint64_t case_index, const RunOptions& opts) {
        generate_case(seed, property, case_index, records);
        return run_records(records, opts);
    }

    // An adapter whose ops are round trips runs a group of cases in one exchange: for each, the ops
    // it makes when the implementation observes what the model predicts; then the model judges
    // each case's observations in order. Only a conforming case stands; anything else (a
    // divergence, an allowed but different observation that changed what the case would do, the
    // implementation's death) is run again op by op, exactly.
    std::optional<bool> batching_;  // asked once, with an empty batch
    bool batching() { return batching_ ? *batching_ : *(batching_ = adapter.apply_batch({}, {}, observed)); }
    std::optional<Model> plan_model;
    std::optional<ModelAdapter> planner;
    std::vector<Op> planned;
    std::vector<size_t> ends;       // case i is planned[ends[i-1] .. ends[i])
    std::vector<Trace> traces;      // case i's ops, for the model to judge observed[...] against
    std::vector<bool> conforming;   // false: the plan itself did not conform, the case runs op by op
    std::vector<Observation> observed;

    // Plans cases first .. last - 1 (fewer if `stop` says so; at least one) and runs them in one
    // exchange; returns how many.
    size_t run_group(uint64_t seed, size_t property, uint64_t first, uint64_t last, const std::function<bool()>& stop) {
        if (!plan_model) plan_model.emplace(model.profile()), planner.emplace(model.profile());
        planned.clear(), ends.clear(), conforming.clear();
        for (uint64_t c = first; c < last && (c == first || !stop || !stop()); ++c) {
            generate_case(seed, property, c, records);
            src.restart(records);
            RunResult plan = run(src, *plan_model, *planner, RunOptions{.record = true});
            if (traces.size() <= ends.size()) traces.emplace_back();
            Trace& t = traces[ends.size()];
            t.steps.clear();
            conforming.push_back(plan.verdict == Verdict::Conforms);
            if (conforming.back())
                for (auto& st : plan.executed.steps) planned.push_back(st.op), t.steps.push_back(unpinned(st));
            ends.push_back(planned.size());
        }
        adapter.apply_batch(planned, ends, observed);
        return ends.size();
    }
    size_t begin(size_t i) const { return i ? ends[i - 1] : 0; }
    // Whether case i ran: the implementation did not die in a case before it.
    bool ran(size_t i) const { return observed.size() >= planned.size() || begin(i) < observed.size(); }
    std::optional<RunResult> judge(size_t i) {
        if (!conforming[i]) return std::nullopt;
        const size_t b = begin(i), e = std::min(ends[i], observed.size());
        Replayed replay(adapter, std::span<const Observation>(observed).subspan(b, e - b));
        RunResult r = run(traces[i], model, replay, RunOptions{.record = false});
        if (r.verdict != Verdict::Conforms) return std::nullopt;
        return r;
    }
    RunResult run_records(std::span<const Record> recs, const RunOptions& opts) {
        src.restart(recs);
        return run(src, model, adapter, opts);
    }
    // Drops chunks of records (halving the chunk size), then lowers bytes to 0 and to half, for as
    // long as the records still violate `rule`. Runs are ~120 records: a few thousand tries are cheap.
    std::vector<Record> shrink(std::vector<Record> recs, Rule rule) {
        auto fails = [&](const std::vector<Record>& r) {
            RunResult res = run_records(r, RunOptions{.record = false});
            return res.verdict == Verdict::Violation && res.divergence->rule == rule;
        };
        for (std::vector<Record> before; recs != before;) {  // until a round changes nothing
            before = recs;
            for (size_t chunk = std::max<size_t>(recs.size() / 2, 1); chunk > 0; chunk /= 2)
                for (size_t at = 0; at + chunk <= recs.size();) {
                    std::vector<Record> less(recs.begin(), recs.begin() + at);
                    less.insert(less.end(), recs.begin() + at + chunk, recs.end());
                    if (fails(less)) recs = std::move(less);
                    else at += chunk;
                }
            for (auto& r : recs)
                for (auto& b : r)
                    for (uint8_t lower : {uint8_t{0}, static_cast<uint8_t>(b / 2)}) {
                        if (lower >= b) continue;
                        const uint8_t was = std::exchange(b, lower);
                        if (!fails(recs)) b = was;
                    }
        }
        return recs;
    }
};

}  // namespace

RunResult run_records(Adapter& adapter, Model& model, size_t property, std::span<const Record> records, const RunOptions& opts) {
    return CaseRunner(adapter, model, property).run_records(records, opts);
}

RunResult run_case(Adapter& adapter, Model& model, size_t property, uint64_t seed, uint64_t case_index, const RunOptions& opts) {
    return CaseRunner(adapter, model, property)(property, seed, case_index, opts);
}

CasesRun run_cases(Adapter& adapter, Model& model, size_t property, uint64_t seed, uint64_t first_case, uint64_t count,
                   const CaseHooks& hooks) {
    CasesRun out;
    CaseRunner one(adapter, model, property);
    // Counts case c's result; true when it is the run's failure (recorded, reduced: the run ends).
    auto settle = [&](uint64_t c, RunResult r) {
        ++out.cases;
        out.ops += r.ops_run;
        if (hooks.on_case) hooks.on_case(r.ops_run);
        if (r.verdict != Verdict::Violation || (hooks.ignore && hooks.ignore->count(r.divergence->rule))) return false;
        RunResult recorded = one(property, seed, c, RunOptions{.record = true});
        if (recorded.verdict != Verdict::Violation) {  // only a nondeterministic adapter gets here
            r.message = "the violation did not recur when the case was rerun to record it";
            recorded = std::move(r);
        }
        Trace reduced = recorded.executed;
        std::vector<Record> records = one.records;
        // A crash or hang costs a fresh process or VM per try: the pipeline's shrinker, which ends
        // with the budget, takes those.
        if (recorded.divergence && !is_process_rule(recorded.divergence->rule)) {
            std::vector<Record> fewer = one.shrink(one.records, recorded.divergence->rule);
            RunResult small = one.run_records(fewer, RunOptions{.record = true});
            if (small.verdict == Verdict::Violation) reduced = std::move(small.executed), records = std::move(fewer);
        }
        out.failure = CaseFailure{c, std::move(recorded), std::move(reduced), std::move(records)};
        return true;
    };
    for (uint64_t c = first_case, last = first_case + count; c < last;) {
        if (hooks.stop && hooks.stop()) break;
        if (!one.batching()) {
            if (hooks.on_start) hooks.on_start(c);
            if (settle(c, one(property, seed, c, RunOptions{.record = false}))) break;
            ++c;
            continue;
        }
        // The cases from c on in one exchange, then each judged in order as if it had run alone;
        // those after a case the implementation died in run in the next group.
        const size_t n = one.run_group(seed, property, c, last, hooks.stop);
        for (size_t i = 0; i < n && one.ran(i); ++i, ++c) {
            if (hooks.on_start) hooks.on_start(c);
            std::optional<RunResult> r = one.judge(i);
            if (settle(c, r ? std::move(*r) : one.exact(property, seed, c, RunOptions{.record = false}))) return out;
        }
    }
    return out;
}

}  // namespace resvcheck
