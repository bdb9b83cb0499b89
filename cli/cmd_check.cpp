// resvcheck check --adapter NAME [--fault F] [--profile P] [--seed N] [--time SECONDS] [--isolate auto|on|off]
//
// In-process, the cases run here (check_loop.h). Isolated (--isolate, default for linux and
// plugins), they run in supervised children (supervised_cases.h) and everything the parent runs
// itself (reruns, diagnosis, shrinking) goes through the isolated adapter of make_setup: a crash,
// hang or memory exhaustion of the implementation is an ADAPTER-* finding, and the run goes on.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include "check_loop.h"
#include "commands.h"
#include "finding_pipeline.h"
#include "interrupt.h"
#include "properties.h"
#include "report.h"
#include "supervised_cases.h"

namespace resvcheck::cli {
namespace {

// A tenth of the budget, within 2..10 s: a hang is noticed, diagnosed and written within the budget's order.
std::chrono::milliseconds default_watchdog(double budget) {
    double s = std::isfinite(budget) ? std::clamp(budget / 10, 2.0, 10.0) : 10.0;
    return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
}

Rule process_rule(SuperviseResult::Outcome o) {
    switch (o) {
    case SuperviseResult::Outcome::Hang: return Rule::ADAPTER_HANG;
    case SuperviseResult::Outcome::OutOfMemory: return Rule::ADAPTER_OOM;
    default: return Rule::ADAPTER_CRASH;
    }
}

// A failure the case does not repeat in a fresh process (it needed what earlier cases left in the
// dead child): the child's account of op `at`, judged by the model after the case's ops before it.
std::optional<Divergence> judge_account(const Trace& executed, size_t at, const ChildRun& child, const Profile& profile) {
    Model m(profile);
    for (size_t i = 0; i < at; ++i)
        if (auto d = m.step(executed.steps[i].op, *executed.steps[i].pin, i)) return d;
    Observation account;
    switch (child.supervised.outcome) {
    case SuperviseResult::Outcome::Hang: account.status = Observation::Status::Hang; break;
    case SuperviseResult::Outcome::OutOfMemory: account.status = Observation::Status::OutOfMemory; break;
    default: account.status = Observation::Status::Crash; break;
    }
    account.message = "in a supervised child, after earlier cases: " + end_text(child.supervised.reason, child.supervised.stderr_tail);
    return m.step(executed.steps[at].op, account, at);
}

}  // namespace

int cmd_check(const Options& o) {
    if (o.threads > 1) return cmd_check_threads(o);
    const uint64_t seed = o.seed ? *o.seed : std::random_device{}();
    const uint64_t max_findings = o.max_findings;
    const double budget = o.time;
    // While a crash or hang is rerun and shrunk, no op waits past the budget plus a watchdog (the
    // one that noticed the hang may end there): the run ends within that much of its budget.
    auto run_end = std::chrono::steady_clock::time_point::max();
    auto setup = make_setup(o, {.watchdog = default_watchdog(budget), .until = [&] { return run_end; }});
    if (!setup) return fail(setup.error());
    auto& s = *setup;
    auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    // Shrinking a crash or hang costs a child (a watchdog) per try that still fails: it ends with the budget.
    bool shrinking_process_failure = false;
    FindingPipeline findings({.dir = o.findings, .adapter = o.adapter, .adapter_flags = s.adapter_flags,
                              .origin = "check --seed " + std::to_string(seed),
                              .stop = [&] { return interrupted() || (shrinking_process_failure && elapsed() >= budget); }},
                             s.profile);
    if (auto ready = findings.prepare(); !ready) return fail(ready.error());
    catch_interrupts();
    const bool progress = !o.quiet && !o.json && isatty(2);
    char isolation[64] = "";
    if (s.isolated)
        snprintf(isolation, sizeof isolation, ", isolated (watchdog %.1f s)", static_cast<double>(s.limits.watchdog.count()) / 1000);
    if (!o.json)
        fprintf(stderr, "resvcheck check: adapter %s%s%s%s, profile %s%s, seed %llu, %.0f s%s\n", o.adapter.c_str(),
                s.adapter_note.empty() ? "" : " (", s.adapter_note.c_str(), s.adapter_note.empty() ? "" : ")",
                std::string(s.profile.name).c_str(), o.profile.empty() ? "" : " (--profile)", static_cast<unsigned long long>(seed), budget,
                isolation);

    Report rep;
    rep.command = "check";
    rep.adapter = o.adapter;
    rep.adapter_flags = s.adapter_flags;
    rep.profile = std::string(s.profile.name);
    Model model(s.profile);
    for (const auto& u : s.adapter->unavailable()) {  // said for the ops the profile has
        rep.unavailable |= u.features;
        std::string ops;
        for (size_t k = 0; k < kOpKinds; ++k)
            if (!op_provided(op_of_kind(k), ~u.features) && model.has_op(op_of_kind(k))) ops += (ops.empty() ? "" : ", ") + std::string(op_kind_name(k));
        if (!ops.empty())
            rep.notes.push_back("not applicable: adapter " + o.adapter + " cannot have " + ops + ": " + u.why +
                                "; the rules only these can show are n/a (adapter)");
    }
    std::vector<uint64_t> children_exercised(kRuleCount);  // isolated: what finished children's models exercised
    std::set<Rule> found;
    std::map<Rule, Rule> grouped;  // a root listed under a finding of another rule of its function: that rule
    t0 = std::chrono::steady_clock::now();
    auto done = [&] { return elapsed() >= budget || rep.findings.size() >= max_findings || interrupted(); };
    auto last_print = t0;
    auto applicable = [&] {
        size_t n = 0;
        for (const auto& ri : all_rules()) n += rule_applies(ri, s.profile, rep.unavailable);
        return n;
    }();
    // `child` (if any): the counts of the child running now, on top of the run's.
    auto show = [&](bool force, const ChildRun* child) {
        if (!progress) return;
        auto now = std::chrono::steady_clock::now();
        if (!force && now - last_print < std::chrono::milliseconds(150)) return;
        last_print = now;
        size_t ex = 0;
        for (const auto& ri : all_rules()) {
            const auto r = static_cast<size_t>(ri.rule);
            ex += rule_applies(ri, s.profile, rep.unavailable) && model.exercised()[r] + children_exercised[r] + (child ? child->exercised[r] : 0);
        }
        fprintf(stderr, "\r  %5.1f/%.0fs  sequences %-8llu ops %-10llu rules exercised %zu/%zu  findings %zu ", elapsed(), budget,
                static_cast<unsigned long long>(rep.traces + (child ? child->traces : 0)),
                static_cast<unsigned long long>(rep.ops + (child ? child->ops : 0)), ex, applicable, rep.findings.size());
    };
    // A failing case, rerun with recording (`failed`; `reduced`: its smallest records' trace), to a finding.
    // `confirmed`: `reduced` is a crash or hang that just happened again in a fresh isolated child,
    // its own root (own_root) without a third run.
    auto handle = [&](const RunResult& failed, const Trace& reduced, const std::string& how, bool confirmed = false) {
        findings.record(failed.executed, *failed.divergence, how);  // on disk before shrinking starts
        found.insert(failed.divergence->rule);  // seen: later cases failing this way are not diagnosed again
        auto dg = confirmed ? std::optional(own_root(reduced, *failed.divergence)) : findings.localise(reduced, *failed.divergence, *s.adapter);
        if (dg) {  // one finding per root cause: another symptom of a known one is listed under it
            auto add_symptom = [](Finding& k, Rule r) {
                if (r != k.rule && std::find(k.symptoms.begin(), k.symptoms.end(), r) == k.symptoms.end()) k.symptoms.push_back(r);
            };
            auto known = std::find_if(rep.findings.begin(), rep.findings.end(), [&](const Finding& k) {
                return k.rule == dg->root.rule || (grouped.count(dg->root.rule) && grouped[dg->root.rule] == k.rule);
            });
            if (known != rep.findings.end()) {
                add_symptom(*known, failed.divergence->rule);
                findings.discard();
                return;
            }
            // Another rule of the same kernel function: one fault of that function (a wrong
            // comparison breaks each rule its result decides). Its unshrunk trace stays on disk.
            const std::string_view function = rule_info(dg->root.rule).function;
            known = std::find_if(rep.findings.begin(), rep.findings.end(),
                                 [&](const Finding& k) { return k.rule && rule_info(*k.rule).function == function; });
            const bool one_function = function != "any" && !function.starts_with("(");  // not "(every allocating function)"
            if (known != rep.findings.end() && one_function) {
                add_symptom(*known, dg->root.rule);
                add_symptom(*known, failed.divergence->rule);
                grouped[dg->root.rule] = *known->rule;
                const std::string kept = findings.keep();
                known->note += std::string(known->note.empty() ? "" : "; ") + std::string(rule_id(dg->root.rule)) +
                               ", another rule of " + std::string(function) + ", is listed here" +
                               (kept.empty() ? "" : " (its unshrunk trace: " + kept + ")");
                return;
            }
        }
        shrinking_process_failure = is_process_rule(failed.divergence->rule);
        Finding f = findings.finish(reduced, *failed.divergence, *s.adapter, how, dg);
        shrinking_process_failure = false;
        found.insert(*f.rule);
        if (progress) fputc('\n', stderr);
        if (!o.json)
            fprintf(stderr, "finding: %s at op %zu after %.1f s (%zu ops after shrinking from %zu)%s: %s\n",
                    std::string(rule_id(*f.rule)).c_str(), f.op_index, f.seconds, f.ops, f.ops_unshrunk,
                    f.symptoms.empty() ? "" : (", first seen as " + std::string(rule_id(f.symptoms[0]))).c_str(),
                    f.trace.empty() ? "not written, printed on stdout" : f.trace.c_str());
        rep.findings.push_back(std::move(f));
    };
    auto props = all_properties();

    if (!s.isolated) {
        CaseHooks hooks;
        hooks.ignore = &found;
        hooks.stop = done;
        hooks.on_case = [&](size_t ops) {
            ++rep.traces;
            rep.ops += ops;
            show(false, nullptr);
        };
        for (CasePosition at; !done(); at = next_position(at)) {
            CasesRun cr = run_cases(*s.adapter, model, at.property, seed, at.batch * kCasesPerBatch, kCasesPerBatch, hooks);
            if (cr.failure) handle(cr.failure->result, cr.failure->reduced, "property " + std::string(props[at.property].name));
        }
    } else {
        SupervisedCases cases{o.adapter, s.adapter_options, s.profile, s.limits, seed};
        std::map<Rule, size_t> repeats;  // process failures of a rule already found: not diagnosed again
        for (CasePosition at; !done();) {
            ChildRun cr = cases.run(at, found, done, [&](const ChildRun& now) { show(false, &now); });
            rep.traces += cr.traces;
            rep.ops += cr.ops;
            for (size_t r = 0; r < kRuleCount; ++r) children_exercised[r] += cr.exercised[r];
            const size_t pi = cr.at.property;
            const std::string how = "property " + std::string(props[pi].name) + ", case " + std::to_string(cr.case_index);
            if (cr.end == ChildRun::End::StartFailed) {
                const std::string why = "adapter " + o.adapter + " did not start in a child process: " +
                                        end_text(cr.supervised.reason, cr.supervised.stderr_tail);
                if (rep.traces == 0 && rep.findings.empty()) return fail(Error{ErrorKind::Setup, why});
                rep.problems.push_back(why + "; the run stopped there");  // keep the report of what ran
                break;
            }
            if (cr.end == ChildRun::End::Failed) {
                // Rerun here through the isolated adapter: a crash while diagnosing or shrinking is safe too.
                RunResult failed = run_case(*s.adapter, model, pi, seed, cr.case_index, RunOptions{.record = true});
                RunResult small = run_records(*s.adapter, model, pi, cr.records, RunOptions{.record = true});
                if (failed.verdict != Verdict::Violation)
                    rep.notes.push_back(how + " failed in a child but not when rerun: the adapter is nondeterministic");
                else
                    handle(failed, small.verdict == Verdict::Violation ? small.executed : failed.executed, how);
            } else if (cr.end == ChildRun::End::Died) {
                const Rule rule = process_rule(cr.supervised.outcome);
                if (found.count(rule)) {
                    ++repeats[rule];
                } else {
                    // The case again, in a fresh isolated child: it names the op and keeps the trace so far.
                    run_end = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(budget) + s.limits.watchdog);
                    RunResult again = run_case(*s.adapter, model, pi, seed, cr.case_index, RunOptions{.record = true});
                    // An empty case (size 0) cannot show a crash in the set-up before its first op:
                    // the next case of the property that has ops is run for it.
                    for (uint64_t next = cr.case_index + 1; again.verdict == Verdict::Conforms && again.executed.steps.empty() &&
                                                            next < cr.case_index + kCasesPerBatch;
                         ++next)
                        again = run_case(*s.adapter, model, pi, seed, next, RunOptions{.record = true});
                    const bool confirmed = again.verdict == Verdict::Violation && is_process_rule(again.divergence->rule);
                    if (confirmed && again.divergence->op_index != cr.op_index && std::chrono::steady_clock::now() >= run_end) {
                        rep.notes.push_back(how + ": the implementation's process failed (" + cr.supervised.reason + ") at op " +
                                            std::to_string(cr.op_index) + ", too near the run's end to rerun the case");
                    } else {
                        if (again.verdict != Verdict::Violation && cr.op_index < again.executed.steps.size()) {
                            again.executed.steps.resize(cr.op_index + 1);
                            again.divergence = judge_account(again.executed, cr.op_index, cr, s.profile);
                        }
                        if (again.divergence) handle(again, again.executed, how, confirmed);
                        else rep.notes.push_back(how + ": the implementation's process failed (" + cr.supervised.reason +
                                                 ") but not when the case was rerun");
                    }
                    run_end = std::chrono::steady_clock::time_point::max();
                }
            }
            at = next_position(cr.at);
        }
        for (const auto& [rule, n] : repeats)
            rep.notes.push_back("the implementation's process failed " + std::to_string(n) + " more time(s) as " + std::string(rule_id(rule)) +
                                " (already a finding); the run went on in a fresh process each time");
    }
    show(true, nullptr);
    if (progress) fputc('\n', stderr);
    rep.seconds = elapsed();
    rep.exercised = model.exercised();
    for (size_t r = 0; r < kRuleCount; ++r) rep.exercised[r] += children_exercised[r];
    if (interrupted())
        rep.notes.push_back(std::string("interrupted by ") + interrupt_name() + " after " + std::to_string(static_cast<int>(rep.seconds)) +
                            " s: this is the report so far");
    for (const auto& ri : all_rules())
        if (rep.findings.size() < max_findings && rule_applies(ri, s.profile, rep.unavailable) && !rep.exercised[static_cast<size_t>(ri.rule)])
            rep.notes.push_back("rule " + std::string(ri.id) + " was not exercised within the budget");
    // What this adapter cannot be asked, under a profile that has it: the rules behind those ops
    // were not tested, so the run does not say "conforms" (exit 3 without a violation). What it
    // cannot have (Adapter::unavailable) is not such a gap: its rules are not applicable.
    for (size_t k = 0; k < kOpKinds; ++k) {
        Op op = op_of_kind(k);
        if (model.has_op(op) && !s.adapter->supports(op) && op_provided(op, ~rep.unavailable))
            rep.problems.push_back("adapter " + o.adapter + " does not provide " + std::string(op_kind_name(k)) + ": what it promises was not tested");
    }
    if (rep.ops == 0) rep.problems.push_back("no op ran within the budget: nothing was tested");
    rep.rule_table = !o.quiet;
    fputs(render(rep, o.json ? "json" : o.format).c_str(), stdout);
    // Unexercised rules within the budget are notes; violations and what could not be tested decide the status.
    return rep.exit_code();
}

}  // namespace resvcheck::cli
