#include "finding_pipeline.h"

#include <algorithm>

#include <cstdio>
#include <filesystem>

#include "diagnose.h"
#include "findings.h"
#include "shrinker.h"

namespace resvcheck {

FindingPipeline::FindingPipeline(PipelineConfig cfg, const Profile& profile)
    : cfg_(std::move(cfg)), profile_(profile), t0_(std::chrono::steady_clock::now()) {}

double FindingPipeline::elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }

Status FindingPipeline::prepare() const { return prepare_findings_dir(cfg_.dir); }

// Writes one finding file; on failure prints it in full on stdout. Returns the path written or "".
std::string FindingPipeline::write(const Trace& ops, const Divergence& d, const std::string& how, const std::string& path, Finding* f) {
    FindingInfo info{d, cfg_.adapter, cfg_.adapter_flags, std::string(profile_.name), cfg_.origin + (how.empty() ? "" : " (" + how + ")")};
    std::string p = path.empty() ? finding_path(cfg_.dir, ops, info) : path;
    std::string text = render_finding(ops, info, p);
    Status written = write_atomic(p, text);
    if (f) f->replay = replay_command(p, info);
    if (written) return p;
    const std::string err = written.error().text();
    fflush(stderr);
    printf("resvcheck: %s; the finding in full:\n%s\n", err.c_str(), text.c_str());
    fflush(stdout);
    if (f) f->note = "not written (" + err + "); printed on stdout";
    return "";
}

void FindingPipeline::record(const Trace& executed, const Divergence& d, const std::string& how) {
    pending_at_ = elapsed();
    pending_ = write(executed, d, how.empty() ? "unshrunk" : how + ", unshrunk", "", nullptr);
}

std::optional<Diagnosis> FindingPipeline::localise(const Trace& failing, const Divergence& d, Adapter& adapter) const {
    Model m(profile_);
    Trace start = failing;
    for (auto& st : start.steps) st.pin.reset();  // the adapter's behaviour is what fails, not the pins
    RunResult first = run(start, m, adapter, RunOptions{.record = false});
    if (first.verdict != Verdict::Violation || first.divergence->rule != d.rule) return std::nullopt;
    const bool concurrent = std::any_of(start.steps.begin(), start.steps.end(), [](const TraceStep& st) { return st.thread >= 0; });
    if (is_process_rule(d.rule) || concurrent) return own_root(start, *first.divergence);
    if (first.divergence->op_index + 1 < start.steps.size()) start.steps.resize(first.divergence->op_index + 1);
    return diagnose(start, *first.divergence, profile_, adapter);
}

std::string FindingPipeline::keep() {
    std::string p = std::move(pending_);
    pending_.clear();
    pending_at_ = -1;
    return p;
}

void FindingPipeline::discard() {
    std::error_code ec;
    if (!pending_.empty()) std::filesystem::remove(pending_, ec);
    pending_.clear();
    pending_at_ = -1;
}

Finding FindingPipeline::finish(const Trace& failing, const Divergence& d, Adapter& adapter, const std::string& how,
                                std::optional<Diagnosis> dg) {
    Finding f;
    f.seconds = pending_at_ >= 0 ? pending_at_ : elapsed();
    f.ops_unshrunk = std::min(failing.steps.size(), d.op_index + 1);  // the ops up to the failure
    Model m(profile_);
    auto verdict_of = [&](const Trace& t) { return run(t, m, adapter, RunOptions{.record = false}); };
    if (!dg) dg = localise(failing, d, adapter);
    Trace out = failing;
    Divergence div = d;
    if (!dg) {
        Trace unpinned = failing;
        for (auto& st : unpinned.steps) st.pin.reset();
        RunResult again = verdict_of(unpinned);
        f.note = "did not fail the same way on replay (" +
                 (again.divergence ? std::string(rule_id(again.divergence->rule)) : std::string(verdict_name(again.verdict))) +
                 "): written unshrunk";
    } else {
        // Shrink by root cause: the probed trace's first divergence is the root, so "the same first
        // rule" keeps traces that show the cause, however early; a reference root is re-diagnosed.
        const Rule root = dg->root.rule;
        if (root != d.rule) f.symptoms.push_back(d.rule);
        auto same = [&](const RunResult& r) { return r.verdict == Verdict::Violation && r.divergence->rule == root; };
        auto culprit = [&](const Trace& t, Trace* shown) {
            auto c = relocate(t, dg->how, profile_, adapter, shown);
            return c && c->rule == root ? c : std::nullopt;
        };
        const bool probed = dg->how == Located::Probe;
        ShrinkStats stats;
        auto stopped = [&] { return cfg_.stop && cfg_.stop(); };
        // The last probed candidate that failed (the trace shrinking ends with) and how, so it is
        // not run again: for a hang that run would cost a watchdog. It starts as the diagnosed trace.
        Trace seed = dg->trace;
        mark_misuses(seed, profile_);
        std::pair<std::string, RunResult> last{print_trace(seed), RunResult{.verdict = Verdict::Violation, .divergence = dg->root}};
        auto fails = [&](const Trace& candidate) {
            if (stopped()) return false;
            Trace t = candidate;
            mark_misuses(t, profile_);  // dropping ops may make an op a misuse or an ordinary one
            if (!probed) return culprit(t, nullptr).has_value();
            RunResult r = verdict_of(t);
            if (stopped() || !same(r)) return false;  // a try the run's end cut short fails nothing
            last = {print_trace(t), std::move(r)};
            return true;
        };
        Trace small = shrink_trace(dg->trace, fails, &stats);
        mark_misuses(small, profile_);
        f.shrink_tries = stats.tries;
        if (!probed) {
            Trace shown;
            auto c = culprit(small, &shown);
            if (!c) c = culprit(dg->trace, &shown);
            out = c ? shown : dg->shown;
            div = c ? *c : dg->root;
            div.op_index = out.steps.empty() ? 0 : out.steps.size() - 1;  // the teardown or walk op that shows it
        } else {
            RunResult r = last.first == print_trace(small) ? std::move(last.second) : verdict_of(small);
            out = same(r) ? small : dg->trace;
            div = same(r) ? *r.divergence : dg->root;
        }
    }
    f.rule = div.rule;
    f.op_index = div.op_index;
    f.allowed = div.allowed;
    f.observed = div.observed;
    f.ops = std::min(out.steps.size(), div.op_index + 1);
    f.trace = write(out, div, how, cfg_.out, &f);
    if (!f.trace.empty() && !pending_.empty() && pending_ != f.trace) {
        std::error_code ec;  // another process writing the same finding (libFuzzer -fork) may have removed it
        std::filesystem::remove(pending_, ec);
    }
    if (f.trace.empty() && !pending_.empty()) f.note += "; the unshrunk trace is on disk: " + pending_;
    pending_.clear();
    pending_at_ = -1;
    return f;
}

Finding FindingPipeline::handle(const Trace& executed, const Divergence& d, Adapter& adapter, const std::string& how) {
    record(executed, d, how);
    return finish(executed, d, adapter, how);
}

}  // namespace resvcheck
