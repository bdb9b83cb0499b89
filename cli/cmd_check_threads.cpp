// resvcheck check --threads N [--explore K]: concurrent cases (properties/conc_gen.h) run
// under the adapter's deterministic scheduler (in its own process as --isolate says: a crash or
// hang of a block is a finding) and judged by linearizability
// (runner/linearize.h), each under its random schedule or, with --explore K, under every schedule
// with at most K preemptions (runner/explore.h). A
// finding carries the schedule that ran, so it replays exactly; it is shrunk by "the same rule"
// (ops, threads and schedule: trace/shrinker.h) without the sequential root-cause probes, which
// would split the concurrent block.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>

#include "commands.h"
#include "conc_gen.h"
#include "explore.h"
#include "finding_pipeline.h"
#include "interrupt.h"
#include "report.h"

namespace resvcheck::cli {

int cmd_check_threads(const Options& o) {
    if (o.threads > kMaxThreads)
        return fail(Error{ErrorKind::Usage, "--threads " + std::to_string(o.threads) + ": at most " + std::to_string(kMaxThreads)});
    auto setup = make_setup(o, {});
    if (!setup) return fail(setup.error());
    auto& s = *setup;
    if (!s.adapter->supports_threads())
        return fail(Error{ErrorKind::Setup, "adapter " + o.adapter + " runs no threads (it exports no resvcheck_plugin_threads_entry)"});
    const uint64_t seed = o.seed ? *o.seed : std::random_device{}();
    const bool timed = s.adapter->supports(Op{Sleep{}});  // a virtual clock (not real threads)
    const auto threads = static_cast<unsigned>(o.threads);
    auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    FindingPipeline findings({.dir = o.findings, .adapter = o.adapter, .adapter_flags = s.adapter_flags,
                              .origin = "check --threads " + std::to_string(threads) + " --seed " + std::to_string(seed),
                              .stop = [&] { return interrupted(); }},
                             s.profile);
    if (auto ready = findings.prepare(); !ready) return fail(ready.error());
    catch_interrupts();
    if (!o.json)
        fprintf(stderr, "resvcheck check: adapter %s, profile %s, seed %llu, %.0f s, %u threads\n", o.adapter.c_str(),
                std::string(s.profile.name).c_str(), static_cast<unsigned long long>(seed), o.time, threads);
    Report rep;
    rep.command = "check";
    rep.adapter = o.adapter;
    rep.profile = std::string(s.profile.name);
    Model model(s.profile);
    LinStats lin;
    uint64_t schedules = 0;
    std::set<Rule> found;
    for (uint64_t i = 0; elapsed() < o.time && rep.findings.size() < o.max_findings && !interrupted(); ++i) {
        Trace t = generate_concurrent_case(seed, i, threads, timed);
        RunResult r;
        if (o.explore) {
            ExploreResult e = explore(t, model, *s.adapter, static_cast<unsigned>(o.explore), 20000, RunOptions{.lin = &lin});
            schedules += e.runs;
            rep.traces += e.runs;
            rep.ops += e.runs * t.steps.size();
            if (!e.failure) continue;
            r = std::move(*e.failure);
        } else {
            r = run(t, model, *s.adapter, RunOptions{.record = true, .lin = &lin});
            ++schedules;
            ++rep.traces;
            rep.ops += r.ops_run;
        }
        if (r.verdict == Verdict::Invalid || r.verdict == Verdict::Unsupported) {
            rep.problems.push_back("case " + std::to_string(i) + ": " + r.message);
            break;
        }
        if (r.verdict != Verdict::Violation || found.count(r.divergence->rule)) continue;
        found.insert(r.divergence->rule);
        const std::string how = "concurrent case " + std::to_string(i);
        Finding f = findings.handle(r.executed, *r.divergence, *s.adapter, how);
        if (!o.json)
            fprintf(stderr, "finding: %s at op %zu after %.1f s (%zu ops after shrinking from %zu): %s\n",
                    std::string(rule_id(*f.rule)).c_str(), f.op_index, f.seconds, f.ops, f.ops_unshrunk,
                    f.trace.empty() ? "not written, printed on stdout" : f.trace.c_str());
        rep.findings.push_back(std::move(f));
    }
    rep.seconds = elapsed();
    rep.exercised = model.exercised();
    rep.notes.push_back(std::to_string(schedules) + " schedules run, " +
                        std::to_string(static_cast<uint64_t>(static_cast<double>(schedules) / std::max(rep.seconds, 1e-9))) + " per second");
    if (lin.histories)
        rep.notes.push_back("linearizability: " + std::to_string(lin.histories) + " histories, " +
                            std::to_string(lin.model_steps / lin.histories) + " model steps and " +
                            std::to_string(lin.orders / lin.histories) + " complete orders each on average" +
                            (lin.budget_hits ? ", " + std::to_string(lin.budget_hits) + " given up at the step budget" : ""));
    if (interrupted()) rep.notes.push_back(std::string("interrupted by ") + interrupt_name() + ": this is the report so far");
    if (rep.ops == 0) rep.problems.push_back("no op ran within the budget: nothing was tested");
    rep.rule_table = false;  // the concurrent cases exercise a few areas only: the verdict is what counts
    fputs(render(rep, o.json ? "json" : o.format).c_str(), stdout);
    return rep.exit_code();
}

}  // namespace resvcheck::cli
