// Benchmarks of the checking machinery on one long generated trace (run: build/bench/resvcheck-bench):
//   model/perform      the reference model producing observations (model steps per second)
//   model/judge        the model judging recorded observations
//   sim/alone          the simulator applying the ops, nothing judged
//   check/sim          runner + sim + model judging: what `resvcheck check --adapter sim` pays per op
// and, at the end, the ratio of checked ops per second to model-only steps per second.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>

#include "model_adapter.h"
#include "plugin_adapter.h"
#include "properties.h"
#include "sim.h"

using namespace resvcheck;

namespace {

constexpr size_t kRecords = 200000;

const Profile& profile() {
    static const Profile p = *profile_by_name("linux-6.12");
    return p;
}

// A long valid trace from random records through the shared decoder, with the observations a
// conforming implementation gives.
const Trace& long_trace() {
    static const Trace t = [] {
        std::mt19937_64 rng(20261122);
        std::vector<Record> recs(kRecords);
        for (auto& r : recs)
            for (auto& b : r) b = static_cast<uint8_t>(rng());
        Trace ops = decode_records(recs, weights_for("all"), profile());
        Model m(profile());
        for (auto& st : ops.steps) st.pin = m.perform(st.op);
        return ops;
    }();
    return t;
}

std::unique_ptr<Adapter> sim_adapter() {
    return std::move(*make_plugin_adapter(sim::plugin(), "", nullptr, "sim"));
}

void BM_ModelPerform(benchmark::State& state) {
    const Trace& t = long_trace();
    for (auto _ : state) {
        Model m(profile());
        for (const auto& st : t.steps) benchmark::DoNotOptimize(m.perform(st.op));
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.steps.size()));
}

void BM_ModelJudge(benchmark::State& state) {
    const Trace& t = long_trace();
    for (auto _ : state) {
        Model m(profile());
        for (size_t i = 0; i < t.steps.size(); ++i) benchmark::DoNotOptimize(m.step(t.steps[i].op, *t.steps[i].pin, i));
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.steps.size()));
}

void BM_SimAlone(benchmark::State& state) {
    const Trace& t = long_trace();
    auto a = sim_adapter();
    Observation obs;
    for (auto _ : state) {
        a->reset();
        for (const auto& st : t.steps) a->apply(st.op, obs);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.steps.size()));
}

void BM_CheckSim(benchmark::State& state) {
    Trace t = long_trace();
    for (auto& st : t.steps) st.pin.reset();  // check judges, it does not compare pins
    auto a = sim_adapter();
    Model m(profile());
    for (auto _ : state) {
        RunResult r = run(t, m, *a, RunOptions{.record = false});
        if (r.verdict != Verdict::Conforms) state.SkipWithError("the long trace did not conform");
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.steps.size()));
}

BENCHMARK(BM_ModelPerform)->Name("model/perform")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ModelJudge)->Name("model/judge")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimAlone)->Name("sim/alone")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CheckSim)->Name("check/sim")->Unit(benchmark::kMillisecond);

// Collects items/s per benchmark so the ratios can be printed after the table.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> rate;
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs) {
            auto it = r.counters.find("items_per_second");
            if (it != r.counters.end()) rate[r.benchmark_name()] = it->second;
        }
    }
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    std::printf("long trace: %zu ops from %zu random records (profile %s)\n", long_trace().steps.size(), kRecords,
                std::string(profile().name).c_str());
    RatioReporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    auto r = [&](const char* n) { return rep.rate.count(n) ? rep.rate[n] : 0.0; };
    if (r("check/sim") > 0 && r("model/perform") > 0)
        std::printf("\ncheck/sim: %.2f M ops/s; model alone: %.2f M steps/s; check/model ratio %.2f; sim alone %.2f M ops/s\n",
                    r("check/sim") / 1e6, r("model/perform") / 1e6, r("check/sim") / r("model/perform"), r("sim/alone") / 1e6);
    benchmark::Shutdown();
}
