// concurrency_bench - what concurrent checking costs (run: build/bench/resvcheck-concurrency-bench):
// schedules run per second by `check --threads 2` and `--threads 3` on the sim and the linux
// adapter (the generated cases, the deterministic scheduler and the linearizability oracle), the
// oracle's own cost per history, and how many distinct interleavings a bounded search of a 6-op,
// 2-thread trace covers at each preemption bound.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "conc_gen.h"
#include "explore.h"
#include "linearize.h"
#include "registry.h"
#include "runner.h"

using namespace resvcheck;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Recorded {
    std::vector<Op> ops;
    std::vector<Observation> obs;
    std::vector<uint32_t> start, end;
    Model before;
};

// One instance per adapter for the whole run: a plugin's scheduler threads live as long as it is loaded.
Adapter* adapter_named(const char* name) {
    static std::map<std::string, std::unique_ptr<Adapter>> made;
    auto& a = made[name];
    if (!a) {
        auto m = make_adapter(name, {});
        if (!m) {
            printf("  %s: %s\n", name, m.error().text().c_str());
            return nullptr;
        }
        a = std::move(*m);
    }
    return a.get();
}

void schedules_per_second(const char* name, unsigned threads, double budget) {
    Adapter* a = adapter_named(name);
    if (!a) return;
    const char* adapter = name;
    const Profile profile = *profile_by_name(a->default_profile());
    Model model(profile);
    LinStats lin;
    uint64_t runs = 0, violations = 0;
    auto t0 = Clock::now();
    while (seconds_since(t0) < budget) {
        RunResult r = run(generate_concurrent_case(1, runs, threads), model, *a, RunOptions{.record = false, .lin = &lin});
        violations += r.verdict == Verdict::Violation;
        ++runs;
    }
    const double s = seconds_since(t0);
    printf("  %-6s %u threads: %8.0f schedules/s (%llu in %.1f s, %llu violations), %.1f model steps per history\n", adapter,
           threads, static_cast<double>(runs) / s, static_cast<unsigned long long>(runs), s,
           static_cast<unsigned long long>(violations),
           lin.histories ? static_cast<double>(lin.model_steps) / static_cast<double>(lin.histories) : 0.0);
}

// The oracle alone: the histories of generated cases, recorded once, linearized again and again.
void linearizability_cost(unsigned threads) {
    Adapter* a = adapter_named("sim");
    const Profile profile = *profile_by_name(a->default_profile());
    std::vector<Recorded> histories;
    for (uint64_t i = 0; histories.size() < 2000; ++i) {
        Trace t = generate_concurrent_case(2, i, threads);
        size_t first = 0;
        while (first < t.steps.size() && t.steps[first].thread < 0) ++first;
        Trace prefix = t;
        prefix.steps.resize(first);
        Model before(profile);
        run(prefix, before, *a, RunOptions{.record = false});
        Model m(profile);
        Adapter::Block b;
        RunResult r = run(t, m, *a, RunOptions{.record = true, .last_block = &b});
        if (r.verdict != Verdict::Conforms) continue;
        Recorded h{{}, b.obs, b.start, b.end, before};
        for (size_t k = first; k < t.steps.size() && t.steps[k].thread >= 0; ++k) h.ops.push_back(t.steps[k].op);
        histories.push_back(std::move(h));
    }
    LinStats stats;
    size_t ops = 0;
    auto t0 = Clock::now();
    int rounds = 0;
    while (seconds_since(t0) < 2 || rounds == 0) {
        for (const auto& h : histories) {
            std::vector<Model> states{h.before};
            linearize(states, BlockHistory{h.ops, h.obs, h.start, h.end, 0}, stats);
            ops += h.ops.size();
        }
        ++rounds;
    }
    const double s = seconds_since(t0);
    printf("  %u threads: %.1f us per history (%.1f ops, %.1f model steps, %.2f complete orders on average; %llu at the step budget)\n",
           threads, 1e6 * s / static_cast<double>(stats.histories), static_cast<double>(ops) / static_cast<double>(stats.histories),
           static_cast<double>(stats.model_steps) / static_cast<double>(stats.histories),
           static_cast<double>(stats.orders) / static_cast<double>(stats.histories), static_cast<unsigned long long>(stats.budget_hits));
}

// A 6-op, 2-thread block: a writer (lock, reserve, add, unlock) against a walk and a signal.
Trace six_op_trace() {
    Trace t;
    auto seq = [&](Op op, int8_t th = -1) {
        t.steps.push_back(TraceStep{std::move(op), std::nullopt, {}, 0});
        t.steps.back().thread = th;
    };
    seq(FenceContextAlloc{CtxH{0}, false});
    seq(FenceContextAlloc{CtxH{1}, false});
    seq(FenceInit{FenceH{0}, CtxH{0}, 1});
    seq(FenceInit{FenceH{1}, CtxH{1}, 1});
    seq(ResvInit{ResvH{0}});
    seq(ResvLock{ResvH{0}, {}});
    seq(ResvReserveFences{ResvH{0}, 2});
    seq(ResvAddFence{ResvH{0}, FenceH{0}, Usage::WRITE});
    seq(ResvUnlock{ResvH{0}});
    seq(ResvLock{ResvH{0}, {}}, 0);
    seq(ResvReserveFences{ResvH{0}, 1}, 0);
    seq(ResvAddFence{ResvH{0}, FenceH{1}, Usage::READ}, 0);
    seq(ResvUnlock{ResvH{0}}, 0);
    seq(ResvForEachFenceUnlocked{ResvH{0}, Usage::BOOKKEEP}, 1);
    seq(FenceSignal{FenceH{0}}, 1);
    return t;
}

void bounded_search(const char* adapter) {
    Adapter* a = adapter_named(adapter);
    if (!a) return;
    const Profile profile = *profile_by_name(a->default_profile());
    for (unsigned bound : {0u, 1u, 2u, 3u}) {
        Model m(profile);
        auto t0 = Clock::now();
        ExploreResult e = explore(six_op_trace(), m, *a, bound, 20000);
        const double s = seconds_since(t0);
        if (!e.distinct) {
            printf("  %-6s bound %u: the trace did not run (%s)\n", adapter, bound, e.failure ? "a violation" : "set-up");
            continue;
        }
        printf("  %-6s bound %u: %6llu schedules run, %6llu distinct interleavings%s, %s, %.0f schedules/s\n", adapter, bound,
               static_cast<unsigned long long>(e.runs), static_cast<unsigned long long>(e.distinct), e.complete ? "" : " (cut at 20000)",
               e.failure ? "a violation" : "all conform", static_cast<double>(e.runs) / s);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const double budget = argc > 1 ? std::stod(argv[1]) : 3.0;
    setvbuf(stdout, nullptr, _IOLBF, 0);
    printf("schedules run per second (generated concurrent cases, check --threads N):\n");
    for (const char* adapter : {"sim", "linux"})
        for (unsigned threads : {2u, 3u}) schedules_per_second(adapter, threads, budget);
    printf("linearizability cost (the oracle alone, on recorded histories of the sim):\n");
    for (unsigned threads : {2u, 3u}) linearizability_cost(threads);
    printf("bounded exhaustive search of a 6-op, 2-thread trace:\n");
    for (const char* adapter : {"sim", "linux"}) bounded_search(adapter);
    return 0;
}
