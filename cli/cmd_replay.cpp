// resvcheck replay FILE|DIR... --adapter NAME [--profile P]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "finding_pipeline.h"
#include "findings.h"
#include "report.h"
#include "runner.h"

namespace fs = std::filesystem;

namespace resvcheck::cli {

int cmd_replay(const Options& o) {
    if (o.args.empty()) return usage_error("replay needs trace files or directories, e.g. resvcheck replay corpora/regressions --adapter model");
    auto setup = make_setup(o);
    if (!setup) return fail(setup.error());
    auto& s = *setup;

    Report rep;
    std::vector<std::string> files;
    for (const auto& a : o.args) {
        std::error_code ec;
        if (fs::is_directory(a, ec)) {
            std::vector<std::string> found;
            // A folder profile-P/ holds traces whose pins hold for profile P only.
            for (auto it = fs::recursive_directory_iterator(a, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
                std::string name = it->path().filename().string();
                if (it->is_directory() && name.starts_with("profile-") && name.substr(8) != s.profile.name) {
                    rep.notes.push_back("skipped " + it->path().string() + " (pinned for " + name.substr(8) + "; replay it with --profile " +
                                        name.substr(8) + ")");
                    it.disable_recursion_pending();
                    continue;
                }
                if (it->is_regular_file() && it->path().extension() == ".trace") found.push_back(it->path().string());
            }
            std::sort(found.begin(), found.end());
            if (found.empty()) return usage_error(a + ": no .trace files in this directory");
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::is_regular_file(a, ec)) {
            files.push_back(a);
        } else {
            return usage_error(a + ": no such file or directory");
        }
    }
    rep.command = "replay";
    rep.adapter = o.adapter;
    rep.adapter_flags = s.adapter_flags;
    rep.profile = std::string(s.profile.name);
    const auto unavailable = s.adapter->unavailable();
    for (const auto& u : unavailable) rep.unavailable |= u.features;
    Model model(s.profile);
    const FindingPipeline diagnoser({}, s.profile);
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& f : files) {
        auto parsed = load_trace(f);
        if (!parsed) return fail(parsed.error());
        // "#! not-for: P..." in the header: the trace uses what profile P lacks (6.1: deadlines, reserve(0)).
        bool skip = false;
        for (const auto& h : (*parsed).header)
            if (h.starts_with("! not-for:") && (" " + h.substr(10) + " ").find(" " + std::string(s.profile.name) + " ") != std::string::npos)
                skip = true;
        if (skip) {
            rep.notes.push_back("skipped " + f + " (not for " + std::string(s.profile.name) + ")");
            continue;
        }
        // an op the adapter cannot have (Adapter::unavailable): the trace is not applicable to it
        const auto needs = std::find_if(parsed->steps.begin(), parsed->steps.end(),
                                        [&](const TraceStep& st) { return !op_provided(st.op, ~rep.unavailable); });
        if (needs != parsed->steps.end()) {
            const auto why = std::find_if(unavailable.begin(), unavailable.end(), [&](const auto& u) { return !op_provided(needs->op, ~u.features); });
            rep.notes.push_back("skipped " + f + " (not applicable: adapter " + o.adapter + " cannot have " + std::string(op_name(needs->op)) + ": " +
                                why->why + ")");
            continue;
        }
        RunResult r = run((*parsed), model, *s.adapter, RunOptions{.record = false});
        ++rep.traces;
        rep.ops += r.ops_run;
        if (r.verdict == Verdict::Invalid) return usage_error(f + ": " + r.message);
        if (r.verdict == Verdict::Unsupported) rep.problems.push_back(f + ": " + r.message);
        if (r.verdict == Verdict::Violation) {
            FindingInfo info{*r.divergence, o.adapter, s.adapter_flags, rep.profile, "replay " + f};
            Finding found{r.divergence->rule, r.divergence->op_index, r.divergence->allowed, r.divergence->observed, f,
                          replay_command(f, info)};
            // named by its root cause, as check names it (a finding's trace may show the cause only
            // after the op where it first diverges)
            if (auto dg = diagnoser.localise(*parsed, *r.divergence, *s.adapter); dg && dg->root.rule != r.divergence->rule) {
                found.rule = dg->root.rule;
                found.allowed = dg->root.allowed;
                found.observed = dg->root.observed;
                found.symptoms.push_back(r.divergence->rule);
                found.note = "this trace first diverges at op " + std::to_string(r.divergence->op_index) + " as " +
                             std::string(rule_id(r.divergence->rule)) + "; diagnosis locates the root cause there";
            }
            rep.findings.push_back(std::move(found));
            if (!o.json && o.format == "table")
                fprintf(stderr, "%s: %s violated at op %zu\n", f.c_str(), std::string(rule_id(*rep.findings.back().rule)).c_str(),
                        r.divergence->op_index);
        }
    }
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rep.exercised = model.exercised();
    if (rep.ops == 0) rep.problems.push_back("no op was replayed (" + std::string(rep.traces ? "the traces are empty" : "every trace was skipped") + "): nothing was tested");
    rep.rule_table = !o.quiet && files.size() > 1;  // one trace: its result, not the whole rule table
    fputs(render(rep, o.json ? "json" : o.format).c_str(), stdout);
    return rep.exit_code();
}

}  // namespace resvcheck::cli
