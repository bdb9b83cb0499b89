// Benchmarks of the checking machinery on one long generated trace (run: build/bench/resvcheck-bench):
//   model/perform      the reference model producing observations (model steps per second)
//   model/judge        the model judging recorded observations
//   sim/alone          the simulator applying the ops, nothing judged
//   check/sim          runner + sim + model judging: what `resvcheck check --adapter sim` pays per op
//   check/sim-isolated the same with the sim in a child process (IsolatedAdapter): a round trip per op
//   check/sim-supervised the same in-process run inside supervise(), publishing every op's index
//   supervise/empty    the fixed cost of one supervise() (fork, exit, reap)
//   short/sim, short/sim-isolated  many short traces (a reset round trip each), in-process and isolated
//   check/linux, check/linux-isolated  the long trace on the linux adapter, if it is built
// and, at the end, the ratio of checked ops per second to model-only steps per second and the
// cost of isolation.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>

#include "isolated_adapter.h"
#include "model_adapter.h"
#include "plugin_adapter.h"
#include "properties.h"
#include "sim.h"
#include "supervisor.h"

using namespace resvcheck;

namespace {

constexpr size_t kRecords = 200000;
constexpr size_t kShortTraces = 2000, kShortRecords = 20;

const Profile& profile() {
    static const Profile p = *profile_by_name("linux-6.12");
    return p;
}

// A valid trace from random records through the shared decoder, with the observations a
// conforming implementation gives.
Trace random_trace(uint64_t seed, size_t records) {
    std::mt19937_64 rng(seed);
    std::vector<Record> recs(records);
    for (auto& r : recs)
        for (auto& b : r) b = static_cast<uint8_t>(rng());
    Trace ops = decode_records(recs, weights_for("all"), profile());
    Model m(profile());
    for (auto& st : ops.steps) st.pin = m.perform(st.op);
    return ops;
}

const Trace& long_trace() {
    static const Trace t = random_trace(20261122, kRecords);
    return t;
}

// check judges, it does not compare pins
Trace unpinned(Trace t) {
    for (auto& st : t.steps) st.pin.reset();
    return t;
}

const std::vector<Trace>& short_traces() {
    static const std::vector<Trace> v = [] {
        std::vector<Trace> out;
        for (size_t i = 0; i < kShortTraces; ++i) out.push_back(unpinned(random_trace(i, kShortRecords)));
        return out;
    }();
    return v;
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

std::unique_ptr<Adapter> made(Expected<std::unique_ptr<Adapter>> a) {
    if (!a) {
        std::fprintf(stderr, "%s\n", a.error().text().c_str());
        return nullptr;
    }
    return std::move(*a);
}

// The long trace through the runner on `a`; ops that ran per second.
void check_long(benchmark::State& state, Adapter* a) {
    if (!a) return state.SkipWithError("adapter not available");
    static const Trace t = unpinned(long_trace());
    Model m(profile());
    size_t ops = 0;
    for (auto _ : state) {
        RunResult r = run(t, m, *a, RunOptions{.record = false});
        if (r.verdict != Verdict::Conforms && a->name() == "sim") state.SkipWithError("the long trace did not conform");
        ops += r.ops_run;
    }
    state.SetItemsProcessed(static_cast<int64_t>(ops));
}

void check_short(benchmark::State& state, Adapter* a) {
    if (!a) return state.SkipWithError("adapter not available");
    Model m(profile());
    size_t ops = 0;
    for (auto _ : state)
        for (const auto& t : short_traces()) ops += run(t, m, *a, RunOptions{.record = false}).ops_run;
    state.SetItemsProcessed(static_cast<int64_t>(ops));
}

// One adapter of each kind per process: each isolated adapter keeps its child between benchmark runs.
Adapter* sim_in_process() {
    static auto a = sim_adapter();
    return a.get();
}
Adapter* isolated(const char* name) {
    static std::map<std::string, std::unique_ptr<Adapter>> all;
    auto& a = all[name];
    if (!a) a = made(make_isolated_adapter(name, {}));
    return a.get();
}
// Never destroyed: dlclose() at exit would unmap the kernel code under liburcu's call_rcu worker.
Adapter* linux_in_process() {
    static Adapter* a = made(make_adapter("linux", {})).release();
    return a;
}

void BM_CheckSim(benchmark::State& state) { check_long(state, sim_in_process()); }
void BM_CheckSimIsolated(benchmark::State& state) { check_long(state, isolated("sim")); }
void BM_ShortSim(benchmark::State& state) { check_short(state, sim_in_process()); }
void BM_ShortSimIsolated(benchmark::State& state) { check_short(state, isolated("sim")); }
// Isolated first: a child forked after the parent ran the kernel code in-process would inherit its
// RCU state without liburcu's worker thread.
void BM_CheckLinuxIsolated(benchmark::State& state) { check_long(state, isolated("linux")); }
void BM_CheckLinux(benchmark::State& state) { check_long(state, linux_in_process()); }

// The trace's ops, publishing each one's index as supervise() expects of a hot loop.
class PublishingSource final : public OpSource {
public:
    PublishingSource(const Trace& t, Progress& p) : t_(t), p_(p) {}
    std::optional<Op> next(const Model&) override {
        if (i_ == t_.steps.size()) return std::nullopt;
        p_.begin_op(i_);
        return t_.steps[i_++].op;
    }

private:
    const Trace& t_;
    Progress& p_;
    size_t i_ = 0;
};

void BM_CheckSimSupervised(benchmark::State& state) {
    static const Trace t = unpinned(long_trace());
    size_t ops = 0;
    for (auto _ : state) {
        SuperviseResult r = supervise([&](Progress& p) {
            auto a = sim_adapter();
            Model m(profile());
            p.begin_case(0);
            PublishingSource src(t, p);
            return run(src, m, *a, RunOptions{.record = false}).verdict == Verdict::Conforms ? 0 : 1;
        });
        if (r.outcome != SuperviseResult::Outcome::Finished || r.exit_code != 0) state.SkipWithError("the supervised run failed");
        ops += r.ops_done;
    }
    state.SetItemsProcessed(static_cast<int64_t>(ops));
}

// The fixed cost of one supervise(): fork, the child's exit, the parent noticing it.
void BM_SuperviseEmpty(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(supervise([](Progress&) { return 0; }).exit_code);
}

BENCHMARK(BM_ModelPerform)->Name("model/perform")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ModelJudge)->Name("model/judge")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimAlone)->Name("sim/alone")->Unit(benchmark::kMillisecond);
// Wall time: an isolated run spends its time in the child, which the parent's CPU time misses.
BENCHMARK(BM_CheckSim)->Name("check/sim")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckSimIsolated)->Name("check/sim-isolated")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckSimSupervised)->Name("check/sim-supervised")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SuperviseEmpty)->Name("supervise/empty")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ShortSim)->Name("short/sim")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ShortSimIsolated)->Name("short/sim-isolated")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckLinuxIsolated)->Name("check/linux-isolated")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckLinux)->Name("check/linux")->Unit(benchmark::kMillisecond)->UseRealTime();

// Collects items/s per benchmark so the ratios can be printed after the table.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> rate;
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs) {
            auto it = r.counters.find("items_per_second");
            std::string name = r.benchmark_name();
            if (name.ends_with("/real_time")) name.resize(name.size() - 10);
            if (it != r.counters.end()) rate[name] = it->second;
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
    std::printf("isolation, checked ops/s in-process -> isolated (ratio):\n");
    for (auto [in, iso] : {std::pair{"check/sim", "check/sim-isolated"}, std::pair{"check/sim", "check/sim-supervised"},
                           std::pair{"short/sim", "short/sim-isolated"}, std::pair{"check/linux", "check/linux-isolated"}})
        if (r(in) > 0 && r(iso) > 0) std::printf("  %-22s %8.0f k/s -> %-22s %8.0f k/s (%.2f)\n", in, r(in) / 1e3, iso, r(iso) / 1e3, r(iso) / r(in));
    benchmark::Shutdown();
}
