#include "check_loop.h"

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
        src.restart(records);
        return run(src, model, adapter, opts);
    }
};

}  // namespace

RunResult run_case(Adapter& adapter, Model& model, size_t property, uint64_t seed, uint64_t case_index, const RunOptions& opts) {
    return CaseRunner(adapter, model, property)(property, seed, case_index, opts);
}

CasesRun run_cases(Adapter& adapter, Model& model, size_t property, uint64_t seed, uint64_t first_case, uint64_t count,
                   const CaseHooks& hooks) {
    CasesRun out;
    CaseRunner one(adapter, model, property);
    for (uint64_t c = first_case; c < first_case + count; ++c) {
        if (hooks.stop && hooks.stop()) break;
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
        out.failure = CaseFailure{c, std::move(recorded)};
        break;
    }
    return out;
}

}  // namespace resvcheck
