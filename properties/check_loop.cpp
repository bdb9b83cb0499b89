#include "check_loop.h"

#include <utility>

#include "case_gen.h"
#include "model_adapter.h"

namespace resvcheck {
namespace {

// Hands out observations an adapter made in one batch, in order (a missing one: the adapter died).
class Replayed final : public Adapter {
public:
    Replayed(const Adapter& real, const std::vector<Observation>& obs) : real_(real), obs_(obs) {}
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
    const std::vector<Observation>& obs_;
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
        generate_case(seed, property, case_index, records);
        if (!opts.record && batching())
            if (auto r = run_batched()) return *r;
        return run_records(records, opts);
    }
    // An adapter whose ops are round trips runs the case in one exchange: the ops the case makes
    // when the implementation observes what the model predicts, then the model judges what it did.
    // Only a conforming batch stands; anything else (a divergence, an allowed but different
    // observation that changed what the case would do) is run again op by op, exactly.
    std::optional<bool> batching_;  // asked once, with an empty batch
    bool batching() { return batching_ ? *batching_ : *(batching_ = adapter.apply_batch({}, observed)); }
    std::optional<Model> plan_model;
    std::optional<ModelAdapter> planner;
    std::vector<Op> planned;
    std::vector<Observation> observed;
    std::optional<RunResult> run_batched() {
        if (!plan_model) plan_model.emplace(model.profile()), planner.emplace(model.profile());
        src.restart(records);
        RunResult plan = run(src, *plan_model, *planner, RunOptions{.record = true});
        if (plan.verdict != Verdict::Conforms) return std::nullopt;
        Trace t;
        planned.clear();
        for (auto& st : plan.executed.steps) planned.push_back(st.op), t.steps.push_back(unpinned(st));
        if (!adapter.apply_batch(planned, observed)) return std::nullopt;
        Replayed replay(adapter, observed);
        RunResult r = run(t, model, replay, RunOptions{.record = false});
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
    for (uint64_t c = first_case; c < first_case + count; ++c) {
        if (hooks.stop && hooks.stop()) break;
        if (hooks.on_start) hooks.on_start(c);
        RunResult r = one(property, seed, c, RunOptions{.record = false});
        ++out.cases;
        out.ops += r.ops_run;
        if (hooks.on_case) hooks.on_case(r.ops_run);
        if (r.verdict != Verdict::Violation || (hooks.ignore && hooks.ignore->count(r.divergence->rule))) continue;
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
        break;
    }
    return out;
}

}  // namespace resvcheck
