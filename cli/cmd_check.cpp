// resvcheck check --adapter NAME [--fault F] [--profile P] [--seed N] [--time SECONDS]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "case_gen.h"
#include "check_loop.h"
#include "commands.h"
#include "finding_pipeline.h"
#include "interrupt.h"
#include "properties.h"
#include "report.h"

namespace resvcheck::cli {
namespace {

constexpr uint64_t kCasesPerBatch = kSizeCycle;  // each property in turn, one cycle of sizes at a time

}  // namespace

int cmd_check(const Options& o) {
    auto setup = make_setup(o);
    if (!setup) return fail(setup.error());
    auto& s = *setup;
    const uint64_t seed = o.seed ? *o.seed : std::random_device{}();
    const uint64_t max_findings = o.max_findings;
    const double budget = o.time;
    FindingPipeline findings({.dir = o.findings, .adapter = o.adapter, .adapter_flags = s.adapter_flags,
                              .origin = "check --seed " + std::to_string(seed), .stop = interrupted},
                             s.profile);
    if (auto err = findings.prepare(); !err.empty()) return usage_error(err);
    catch_interrupts();
    const bool progress = !o.quiet && !o.json && isatty(2);
    if (!o.json) fprintf(stderr, "resvcheck check: adapter %s, profile %s, seed %llu, %.0f s\n", o.adapter.c_str(),
                                std::string(s.profile.name).c_str(), static_cast<unsigned long long>(seed), budget);

    Report rep;
    rep.command = "check";
    rep.adapter = o.adapter;
    rep.profile = std::string(s.profile.name);
    Model model(s.profile);
    std::set<Rule> found;
    auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    auto done = [&] { return elapsed() >= budget || rep.findings.size() >= max_findings || interrupted(); };
    auto last_print = t0;
    auto applicable = [&] {
        size_t n = 0;
        for (const auto& ri : all_rules()) n += rule_applies(ri, s.profile);
        return n;
    }();
    auto show = [&](bool force) {
        if (!progress) return;
        auto now = std::chrono::steady_clock::now();
        if (!force && now - last_print < std::chrono::milliseconds(150)) return;
        last_print = now;
        size_t ex = 0;
        for (const auto& ri : all_rules())
            if (rule_applies(ri, s.profile) && model.exercised()[static_cast<size_t>(ri.rule)]) ++ex;
        fprintf(stderr, "\r  %5.1f/%.0fs  sequences %-8llu ops %-10llu rules exercised %zu/%zu  findings %zu ", elapsed(), budget,
                static_cast<unsigned long long>(rep.traces), static_cast<unsigned long long>(rep.ops), ex, applicable, rep.findings.size());
    };
    auto props = all_properties();
    CaseHooks hooks;
    hooks.ignore = &found;
    hooks.stop = done;
    hooks.on_case = [&](size_t ops) {
        ++rep.traces;
        rep.ops += ops;
        show(false);
    };
    for (uint64_t batch = 0; !done(); ++batch) {
        for (size_t pi = 0; pi < props.size() && !done(); ++pi) {
            const auto& p = props[pi];
            const std::string how = "property " + std::string(p.name);
            CasesRun cr = run_cases(*s.adapter, model, pi, seed, batch * kCasesPerBatch, kCasesPerBatch, hooks);
            if (!cr.failure) continue;
            const RunResult& failed = cr.failure->result;
            findings.record(failed.executed, *failed.divergence, how);  // on disk before shrinking starts
            found.insert(failed.divergence->rule);  // seen: later cases failing this way are not diagnosed again
            auto dg = findings.localise(cr.failure->reduced, *failed.divergence, *s.adapter);
            if (dg) {  // one finding per root cause: another symptom of a known one is listed under it
                auto known = std::find_if(rep.findings.begin(), rep.findings.end(), [&](const Finding& k) { return k.rule == dg->root.rule; });
                if (known != rep.findings.end()) {
                    if (dg->root.rule != failed.divergence->rule) known->symptoms.push_back(failed.divergence->rule);
                    findings.discard();
                    continue;
                }
            }
            Finding f = findings.finish(cr.failure->reduced, *failed.divergence, *s.adapter, how, dg);
            found.insert(*f.rule);
            if (progress) fputc('\n', stderr);
            if (!o.json)
                fprintf(stderr, "finding: %s at op %zu after %.1f s (%zu ops after shrinking from %zu)%s: %s\n",
                        std::string(rule_id(*f.rule)).c_str(), f.op_index, f.seconds, f.ops, f.ops_unshrunk,
                        f.symptoms.empty() ? "" : (", first seen as " + std::string(rule_id(f.symptoms[0]))).c_str(),
                        f.trace.empty() ? "not written, printed on stdout" : f.trace.c_str());
            rep.findings.push_back(std::move(f));
        }
    }
    show(true);
    if (progress) fputc('\n', stderr);
    rep.seconds = elapsed();
    rep.exercised = model.exercised();
    if (interrupted())
        rep.notes.push_back(std::string("interrupted by ") + interrupt_name() + " after " + std::to_string(static_cast<int>(rep.seconds)) +
                            " s: this is the report so far");
    for (const auto& ri : all_rules())
        if (rep.findings.size() < max_findings && rule_applies(ri, s.profile) && !rep.exercised[static_cast<size_t>(ri.rule)])
            rep.notes.push_back("rule " + std::string(ri.id) + " was not exercised within the budget");
    // What this adapter cannot be asked, under a profile that has it: the rules behind those ops
    // were not tested, so the run does not say "conforms" (exit 3 without a violation).
    for (size_t k = 0; k < kOpKinds; ++k) {
        Op op = op_of_kind(k);
        if (model.has_op(op) && !s.adapter->supports(op))
            rep.problems.push_back("adapter " + o.adapter + " does not provide " + std::string(op_kind_name(k)) + ": what it promises was not tested");
    }
    if (rep.ops == 0) rep.problems.push_back("no op ran within the budget: nothing was tested");
    rep.rule_table = !o.quiet;
    fputs(render(rep, o.json ? "json" : o.format).c_str(), stdout);
    // Unexercised rules within the budget are notes; violations and untestable ops decide the status.
    return rep.exit_code();
}

}  // namespace resvcheck::cli
