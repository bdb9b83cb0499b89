// The linux adapter's checking overhead (run: build/bench/linux/resvcheck-linux-bench [PLUGIN.so]):
//   linux/raw      the kernel's drivers/dma-buf through the plugin's apply(), prebuilt resvcheck_op
//                  structs, no model, no runner: what the kernel code itself costs per op
//   linux/checked  the same op sequence as a Trace through resvcheck::run() with the model judging
//                  every observation, on one long trace (`check` itself: bench/check_bench.cpp)
// Both run one trace of kRounds x {fence_init, resv_lock, resv_reserve_fences, resv_add_fence,
// resv_unlock, fence_signal, fence_put} (plus its set-up) after a reset(); the ratio checked/raw
// cost is printed at the end (target: <= 2).
#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "linux_adapter_paths.h"
#include "plugin_adapter.h"
#include "raw_ops.h"
#include "resvcheck_plugin.h"
#include "runner.h"
#include "text_format.h"

using namespace resvcheck;

namespace {

constexpr int kRounds = 1000;
std::string g_plugin = RESVCHECK_LINUX_PLUGIN_6_12;

Trace trace() {
    std::string text = "fence_context_alloc c0\nresv_init r0\n";
    for (int i = 0; i < kRounds; ++i) {
        std::string f = "f" + std::to_string(i);
        text += "fence_init " + f + " c0 seqno=" + std::to_string(i + 1) + "\nresv_lock r0\nresv_reserve_fences r0 num_fences=1\n"
                "resv_add_fence r0 " + f + " WRITE\nresv_unlock r0\nfence_signal " + f + "\nfence_put " + f + "\n";
    }
    auto t = parse_trace(text, "bench");
    if (!t) {
        fprintf(stderr, "%s\n", t.error().text().c_str());
        std::exit(2);
    }
    return std::move(*t);
}

void BM_Raw(benchmark::State& state) {
    void* dl = dlopen(g_plugin.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!dl) return state.SkipWithError(dlerror());
    auto entry = reinterpret_cast<resvcheck_plugin_entry_fn>(dlsym(dl, RESVCHECK_PLUGIN_ENTRY));
    const resvcheck_plugin* p = entry();
    char err[256] = "";
    void* self = p->create(nullptr, err, sizeof err);
    if (!self) return state.SkipWithError(err);
    auto ops = bench::raw_ops(kRounds);
    auto obs = std::make_unique<resvcheck_obs>();
    for (auto _ : state) {
        p->reset(self);
        for (const auto& o : ops) {
            obs->ret = 0, obs->flags = 0, obs->warnings = 0, obs->n_fences = 0, obs->n_callbacks = 0, obs->n_released = 0,
            obs->n_deadlines = 0;
            if (p->apply(self, &o, obs.get()) != RC_APPLY_OK || obs->ret < 0 || obs->warnings)
                return state.SkipWithError("the kernel did not run the op sequence cleanly");
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ops.size()));
    p->destroy(self);  // the handle stays open: liburcu-bp threads outlive it
}

void BM_Checked(benchmark::State& state) {
    auto made = load_plugin(g_plugin, "");
    if (!made) return state.SkipWithError(made.error().text().c_str());
    auto adapter = std::move(*made);
    Trace t = trace();
    auto prof = profile_by_name(adapter->default_profile());
    Model model(*prof);
    for (auto _ : state) {
        RunResult r = run(t, model, *adapter, RunOptions{.record = false});
        if (r.verdict != Verdict::Conforms) return state.SkipWithError(("the trace did not conform: " + r.message).c_str());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.steps.size()));
}

BENCHMARK(BM_Raw)->Name("linux/raw")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Checked)->Name("linux/checked")->Unit(benchmark::kMillisecond);

class RatioReporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> rate;
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs)
            if (auto it = r.counters.find("items_per_second"); it != r.counters.end()) rate[r.benchmark_name()] = it->second;
    }
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (argc > 1) g_plugin = argv[1];
    if (g_plugin.empty()) {
        fprintf(stderr, "no linux plugin was built; pass its path\n");
        return 2;
    }
    std::printf("plugin %s, %d rounds of lock/reserve/add/unlock/signal/put per trace\n", g_plugin.c_str(), kRounds);
    RatioReporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    double raw = rep.rate["linux/raw"], checked = rep.rate["linux/checked"];
    if (raw > 0 && checked > 0)
        std::printf("\nlinux raw: %.3f M ops/s; checked (runner + model): %.3f M ops/s; checking costs %.2fx the kernel code "
                    "(target <= 2)\n", raw / 1e6, checked / 1e6, raw / checked);
    benchmark::Shutdown();
}
