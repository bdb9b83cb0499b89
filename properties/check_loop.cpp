#include "check_loop.h"

#include <utility>

#include "case_gen.h"

namespace resvcheck {
namespace {

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
        return run_records(records, opts);
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
        if (recorded.divergence) {
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
