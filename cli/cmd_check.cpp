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

constexpr double kDefaultSeconds = 20;
constexpr uint64_t kCasesPerBatch = kSizeCycle;  // each property in turn, one cycle of sizes at a time

}  // namespace

int cmd_check(const Options& o) {
    auto setup = make_setup(o);
    if (!setup) return fail(setup.error());
    auto& s = *setup;
    uint64_t seed = 0;
    if (!o.seed.empty()) {
        try {
            seed = std::stoull(o.seed);
        } catch (...) {
            return usage_error("--seed needs a number, got '" + o.seed + "'");
        }
    } else {
        seed = std::random_device{}();
    }
    size_t max_findings = SIZE_MAX;
    if (!o.max_findings.empty()) {
        try {
            max_findings = std::stoul(o.max_findings);
        } catch (...) {
            return usage_error("--max-findings needs a number, got '" + o.max_findings + "'");
        }
    }
    double budget = kDefaultSeconds;
    if (!o.time.empty()) {
        try {
            budget = std::stod(o.time);
        } catch (...) {
            return usage_error("--time needs seconds, got '" + o.time + "'");
        }
    }
    const std::string dir = o.findings.empty() ? "resvcheck-findings" : o.findings;
    FindingPipeline findings({.dir = dir, .adapter = o.adapter, .adapter_flags = s.adapter_flags,
                              .origin = "check --seed " + std::to_string(seed), .stop = interrupted},
                             s.profile);
    if (auto err = findings.prepare(); !err.empty()) return usage_error(err);
    catch_interrupts();
    const bool progress = o.quiet.empty() && o.json.empty() && isatty(2);
    if (o.json.empty()) fprintf(stderr, "resvcheck check: adapter %s, profile %s, seed %llu, %.0f s\n", o.adapter.c_str(),
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
            if (o.json.empty())
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
    fputs(render(rep, o.json.empty() ? o.format : "json").c_str(), stdout);
    // Unexercised rules are reported, but only violations change the exit status.
    return rep.findings.empty() ? kExitConforms : kExitViolation;
}

}  // namespace resvcheck::cli
