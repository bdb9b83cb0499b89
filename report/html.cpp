#include "html.h"

#include <algorithm>
#include <cstdio>

#include "text_format.h"

namespace resvcheck::report {
namespace {

using cli::Report;
using cli::RuleStatus;

std::string esc(std::string_view s) { return cli::markup_escape(s); }

std::string fmt(const char* f, double v) {
    char b[64];
    snprintf(b, sizeof b, f, v);
    return b;
}

const char* status_class(RuleStatus s) {
    switch (s) {
    case RuleStatus::Ok: return "ok";
    case RuleStatus::Violated: return "violated";
    case RuleStatus::NotExercised: return "unexercised";
    case RuleStatus::NotApplicable: return "na";
    case RuleStatus::NotCounted: return "uncounted";
    }
    return "";
}

std::string finding_anchor(size_t col, size_t i) { return "f-" + std::to_string(col) + "-" + std::to_string(i); }

// The finding of `rule` in result `col`, if any.
std::optional<size_t> finding_of(const Report& r, Rule rule) {
    for (size_t i = 0; i < r.findings.size(); ++i)
        if (r.findings[i].rule == rule) return i;
    return std::nullopt;
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:2px 6px;vertical-align:top}
th{background:#eee;font-weight:600}th.col{max-width:11em;font-size:12px}
#matrix td.rule{font-family:monospace;white-space:nowrap}#matrix td.area{color:#555;font-size:12px}
td.ok{background:#cdeccd}td.violated{background:#f4b6b0;font-weight:700}td.unexercised{background:#fbeeb8}
td.na{background:#e4e4e4;color:#777}td.uncounted{background:#f7f7f7;color:#888}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border:1px solid #bbb}
ol.trace{font:12px/1.45 monospace;background:#fafafa;border:1px solid #ddd;padding:6px 6px 6px 3.5em;white-space:pre}
ol.trace li.comment{color:#777;list-style:none}ol.trace li.pinned .pin{color:#1b5e20}
ol.trace li.fail{background:#f4b6b0;font-weight:700}ol.trace li.fail::after{content:"  \25C0 fails here"}
.finding{border-left:4px solid #c62828;padding:0 1em;margin:1em 0}.rule-detail{margin:.4em 0}
.rule-detail summary{font-family:monospace;cursor:pointer}code{background:#f2f2f2;padding:0 3px}
svg .axis{stroke:#444}svg text{font:11px sans-serif;fill:#333}svg .grid{stroke:#ddd}
svg polyline{fill:none;stroke-width:2}svg .cov{stroke:#1565c0}svg .corpus{stroke:#ef6c00}svg .findings{stroke:#c62828}
)";

// One panel of the fuzz plot: `value` over time, scaled to its own maximum.
std::string plot_panel(const std::vector<cli::FuzzSample>& ss, double (*value)(const cli::FuzzSample&), const char* cls,
                       const char* label, double top, double tmax) {
    const double x0 = 60, w = 560, h = 90;
    double vmax = 0;
    for (const auto& s : ss) vmax = std::max(vmax, value(s));
    const double scale = vmax > 0 ? vmax : 1;
    std::string pts;
    for (const auto& s : ss)
        pts += fmt("%.1f", x0 + w * s.seconds / tmax) + "," + fmt("%.1f", top + h - h * value(s) / scale) + " ";
    std::string o = "<g class=\"panel\">";
    o += "<line class=\"axis\" x1=\"" + fmt("%.0f", x0) + "\" y1=\"" + fmt("%.0f", top + h) + "\" x2=\"" + fmt("%.0f", x0 + w) + "\" y2=\"" +
         fmt("%.0f", top + h) + "\"/>";
    o += "<line class=\"axis\" x1=\"" + fmt("%.0f", x0) + "\" y1=\"" + fmt("%.0f", top) + "\" x2=\"" + fmt("%.0f", x0) + "\" y2=\"" +
         fmt("%.0f", top + h) + "\"/>";
    o += "<line class=\"grid\" x1=\"" + fmt("%.0f", x0) + "\" y1=\"" + fmt("%.0f", top) + "\" x2=\"" + fmt("%.0f", x0 + w) + "\" y2=\"" +
         fmt("%.0f", top) + "\"/>";
    o += "<text x=\"" + fmt("%.0f", x0 - 4) + "\" y=\"" + fmt("%.0f", top + 10) + "\" text-anchor=\"end\">" + fmt("%.0f", vmax) + "</text>";
    o += "<text x=\"" + fmt("%.0f", x0 - 4) + "\" y=\"" + fmt("%.0f", top + h) + "\" text-anchor=\"end\">0</text>";
    o += "<text x=\"" + fmt("%.0f", x0 + 6) + "\" y=\"" + fmt("%.0f", top + 12) + "\">" + std::string(label) + "</text>";
    o += "<polyline class=\"" + std::string(cls) + "\" points=\"" + pts + "\"><title>" + label + "</title></polyline></g>";
    return o;
}

std::string fuzz_plot(const Report& r, size_t col) {
    const auto& ss = r.engine->samples;
    if (ss.empty()) return "<p>(this result has no progress samples: it was written by a resvcheck without them)</p>";
    double tmax = std::max(1.0, ss.back().seconds);
    std::string o = "<svg id=\"fuzz-plot-" + std::to_string(col) + "\" class=\"fuzz-plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"345\" viewBox=\"0 0 640 345\" role=\"img\">";
    o += "<title>coverage, corpus size and findings over time</title>";
    o += plot_panel(ss, [](const cli::FuzzSample& s) { return s.coverage; }, "cov", "coverage", 5, tmax);
    o += plot_panel(ss, [](const cli::FuzzSample& s) { return static_cast<double>(s.corpus); }, "corpus", "corpus size", 110, tmax);
    o += plot_panel(ss, [](const cli::FuzzSample& s) { return static_cast<double>(s.findings); }, "findings", "findings", 215, tmax);
    o += "<text x=\"60\" y=\"322\">0 s</text><text x=\"620\" y=\"322\" text-anchor=\"end\">" + fmt("%.0f s", tmax) + "</text>";
    o += "<text x=\"340\" y=\"340\" text-anchor=\"middle\">time</text></svg>";
    return o;
}

// The trace file's lines, steps numbered from 0 as the finding counts them, pins and the failing op marked.
std::string trace_html(const std::string& text, size_t failing) {
    auto parsed = parse_trace(text);
    std::vector<int> step_of_line;  // by 0-based line: step index or -1
    std::vector<bool> pinned;
    if (parsed)
        for (size_t i = 0; i < parsed->steps.size(); ++i) {
            size_t line = static_cast<size_t>(parsed->steps[i].line);
            if (line == 0) continue;
            if (step_of_line.size() < line) step_of_line.resize(line, -1), pinned.resize(line, false);
            step_of_line[line - 1] = static_cast<int>(i);
            pinned[line - 1] = parsed->steps[i].pin.has_value();
        }
    std::string o = "<ol class=\"trace\" start=\"0\">";
    size_t ln = 0;
    for (size_t start = 0; start < text.size(); ++ln) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        int step = ln < step_of_line.size() ? step_of_line[ln] : -1;
        if (step < 0) {
            o += "<li class=\"comment\">" + esc(line) + "</li>";
            continue;
        }
        std::string cls = "step";
        if (pinned[ln]) cls += " pinned";
        if (static_cast<size_t>(step) == failing) cls += " fail";
        o += "<li class=\"" + cls + "\" value=\"" + std::to_string(step) + "\">";
        size_t arrow = line.find("=>");
        if (pinned[ln] && arrow != std::string::npos)
            o += esc(line.substr(0, arrow)) + "<span class=\"pin\">" + esc(line.substr(arrow)) + "</span>";
        else
            o += esc(line);
        o += "</li>";
    }
    if (!parsed) o += "<li class=\"comment\">(the trace does not parse: " + esc(parsed.error().text()) + ")</li>";
    return o + "</ol>";
}

std::string finding_html(const LoadedResult& lr, size_t col, size_t i) {
    const Finding& f = lr.report.findings[i];
    std::string title = f.rule ? std::string(rule_id(*f.rule)) : "adapter " + f.kind;
    std::string o = "<div class=\"finding\" id=\"" + finding_anchor(col, i) + "\"><h4>" + esc(title) + " in " + esc(cli::result_label(lr.report)) +
                    " at op " + std::to_string(f.op_index) + "</h4><ul>";
    if (!f.allowed.empty()) o += "<li>allowed: " + esc(f.allowed) + "</li>";
    o += "<li>observed: " + esc(f.observed) + "</li>";
    if (f.ops) o += "<li>found after " + fmt("%.1f s", f.seconds) + "; " + std::to_string(f.ops) + " ops (" + std::to_string(f.ops_unshrunk) + " before shrinking)</li>";
    if (!f.symptoms.empty()) {
        std::string s;
        for (Rule r : f.symptoms)
            if (s.find(rule_id(r)) == std::string::npos) s += (s.empty() ? "" : ", ") + std::string(rule_id(r));
        o += "<li>symptoms (the same root cause): " + esc(s) + "</li>";
    }
    o += "<li>trace: <code>" + esc(f.trace) + "</code></li><li>replay: <code>" + esc(f.replay) + "</code></li>";
    if (!f.note.empty()) o += "<li>note: " + esc(f.note) + "</li>";
    o += "</ul>";
    const std::string& text = lr.trace_text[i];
    o += text.empty() ? "<p>(the minimal trace is not in the result)</p>" : trace_html(text, f.op_index);
    return o + "</div>";
}

}  // namespace

std::string render_html(std::span<const LoadedResult> results) {
    std::string o = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>resvcheck report</title><style>" +
                    std::string(kStyle) + "</style></head><body>\n<h1>resvcheck conformance report</h1>\n";
    // runs and rule-coverage counts
    o += "<h2 id=\"runs\">Runs and rule coverage</h2><table id=\"coverage\"><tr><th>#</th><th>run</th><th>verdict</th><th>traces</th><th>ops</th><th>s</th>"
         "<th>conforms</th><th>violated</th><th>not exercised</th><th>not applicable</th><th>exercised of applicable</th></tr>\n";
    for (size_t c = 0; c < results.size(); ++c) {
        const Report& r = results[c].report;
        size_t n[5] = {};
        for (const auto& ri : all_rules()) ++n[static_cast<int>(cli::rule_status(r, ri))];
        const size_t applicable = all_rules().size() - n[static_cast<int>(RuleStatus::NotApplicable)];
        std::string verdict = r.findings.empty() ? (r.problems.empty() ? "conforms" : "not everything tested") : std::to_string(r.findings.size()) + " finding(s)";
        o += "<tr class=\"run\"><td>" + std::to_string(c + 1) + "</td><td>" + esc(cli::result_label(r)) + "<br><small>" + esc(results[c].file) + "</small></td><td>" +
             esc(verdict) + "</td><td>" + std::to_string(r.traces) + "</td><td>" + std::to_string(r.ops) + "</td><td>" + fmt("%.1f", r.seconds) + "</td><td>" +
             (r.engine ? "-" : std::to_string(n[0])) + "</td><td>" + std::to_string(n[1]) + "</td><td>" + (r.engine ? "-" : std::to_string(n[2])) + "</td><td>" +
             std::to_string(n[3]) + "</td><td>" +
             (r.engine ? "fuzz: not counted per rule" : std::to_string(n[0] + n[1]) + " of " + std::to_string(applicable)) + "</td></tr>\n";
        for (const auto& p : r.problems) o += "<tr><td></td><td colspan=\"10\">unsupported: " + esc(p) + "</td></tr>\n";
        for (const auto& id : results[c].unknown_rules)
            o += "<tr><td></td><td colspan=\"10\">rule " + esc(id) + " is not known to this resvcheck (the result is from a newer one)</td></tr>\n";
    }
    o += "</table>\n";

    // fuzz runs
    bool fuzz_heading = false;
    for (size_t c = 0; c < results.size(); ++c) {
        const Report& r = results[c].report;
        if (!r.engine) continue;
        if (!fuzz_heading) o += "<h2 id=\"fuzz\">Fuzzing over time</h2>\n";
        fuzz_heading = true;
        const auto& e = *r.engine;
        o += "<h3>" + std::to_string(c + 1) + ". " + esc(cli::result_label(r)) + "</h3><p>" + esc(e.name) + ": " + std::to_string(e.execs) + " execs (" +
             fmt("%.0f", e.execs_per_sec) + "/s), corpus " + std::to_string(e.corpus) + ", coverage " + esc(e.coverage) + ", " +
             std::to_string(r.findings.size()) + " finding(s) in " + fmt("%.0f s", r.seconds) + "</p>\n" + fuzz_plot(r, c + 1) + "\n";
    }

    // the matrix
    o += "<h2 id=\"matrix-h\">Rules by run</h2><p class=\"legend\"><span class=\"ok\" style=\"background:#cdeccd\">conforms (times exercised)</span>"
         "<span style=\"background:#f4b6b0\">violated</span><span style=\"background:#fbeeb8\">not exercised</span><span style=\"background:#e4e4e4\">not applicable to the profile</span>"
         "<span style=\"background:#f7f7f7\">fuzz: no finding (rules are not counted)</span></p>\n<table id=\"matrix\"><thead><tr><th>rule</th><th>area</th>";
    for (size_t c = 0; c < results.size(); ++c) o += "<th class=\"col\">" + std::to_string(c + 1) + ". " + esc(cli::result_label(results[c].report)) + "</th>";
    o += "</tr></thead><tbody>\n";
    for (const auto& ri : all_rules()) {
        o += "<tr><td class=\"rule\"><a href=\"#rule-" + std::string(ri.id) + "\">" + std::string(ri.id) + "</a></td><td class=\"area\">" + std::string(ri.area) + "</td>";
        for (size_t c = 0; c < results.size(); ++c) {
            const Report& r = results[c].report;
            RuleStatus st = cli::rule_status(r, ri);
            std::string text = st == RuleStatus::Ok ? "&#10003; " + std::to_string(cli::exercised_of(r, ri.rule))
                               : st == RuleStatus::Violated ? "&#10007; violated"
                               : st == RuleStatus::NotExercised ? "not exercised"
                               : st == RuleStatus::NotApplicable ? "n/a" : "&#8211;";
            if (st == RuleStatus::Violated) text = "<a href=\"#" + finding_anchor(c, *finding_of(r, ri.rule)) + "\">" + text + "</a>";
            o += "<td class=\"" + std::string(status_class(st)) + "\" data-rule=\"" + std::string(ri.id) + "\" data-run=\"" + std::to_string(c + 1) +
                 "\" title=\"" + esc(std::string(cli::status_text(r, ri))) + "\">" + text + "</td>";
        }
        o += "</tr>\n";
    }
    o += "</tbody></table>\n";

    // per rule: the statement, where it stands in each run, and its findings
    o += "<h2 id=\"rules\">Rules</h2>\n";
    for (const auto& ri : all_rules()) {
        std::string cells, findings;
        bool violated = false;
        for (size_t c = 0; c < results.size(); ++c) {
            RuleStatus st = cli::rule_status(results[c].report, ri);
            violated |= st == RuleStatus::Violated;
            cells += "<li>" + esc(cli::result_label(results[c].report)) + ": " + esc(std::string(cli::status_text(results[c].report, ri))) + "</li>";
        }
        for (size_t c = 0; c < results.size(); ++c)
            for (size_t i = 0; i < results[c].report.findings.size(); ++i)
                if (results[c].report.findings[i].rule == ri.rule) findings += finding_html(results[c], c, i);
        o += "<details class=\"rule-detail\" id=\"rule-" + std::string(ri.id) + "\"" + (violated ? " open" : "") + "><summary>" + std::string(ri.id) +
             (violated ? " &#8212; violated" : "") + "</summary><p>" + esc(ri.statement) + "</p><p>area <code>" + std::string(ri.area) + "</code>, kernel function <code>" +
             esc(ri.function) + "</code>, checked under " + std::string(scope_name(ri.scope)) + " profiles" +
             (ri.note_61.empty() ? "" : "; linux-6.1: " + esc(ri.note_61)) + "</p><ul>" + cells + "</ul>" + findings + "</details>\n";
    }
    // findings without a rule (engine crashes, hangs)
    std::string other;
    for (size_t c = 0; c < results.size(); ++c)
        for (size_t i = 0; i < results[c].report.findings.size(); ++i)
            if (!results[c].report.findings[i].rule) other += finding_html(results[c], c, i);
    if (!other.empty()) o += "<h2 id=\"adapter-findings\">Adapter failures that are not divergences</h2>\n" + other;
    return o + "</body></html>\n";
}

}  // namespace resvcheck::report
