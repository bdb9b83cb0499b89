#include "report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <span>

namespace resvcheck::cli {
namespace {

std::string json_str(std::string_view s) {
    std::string o = "\"";
    for (char c : s) {
        switch (c) {
        case '"': o += "\\\""; break;
        case '\\': o += "\\\\"; break;
        case '\n': o += "\\n"; break;
        case '\t': o += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char b[8];
                snprintf(b, sizeof b, "\\u%04x", c);
                o += b;
            } else {
                o += c;
            }
        }
    }
    return o + "\"";
}

std::string json_list(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + json_str(v[i]);
    return s + "]";
}

std::string finding_title(const Finding& f) { return f.rule ? std::string(rule_id(*f.rule)) : "adapter " + f.kind; }

// The rules one root cause was noticed as, without repeats.
std::vector<std::string> symptom_ids(const Finding& f) {
    std::vector<std::string> out;
    for (Rule r : f.symptoms)
        if (std::find(out.begin(), out.end(), rule_id(r)) == out.end()) out.emplace_back(rule_id(r));
    return out;
}
std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

struct Counts {
    size_t ok = 0, violated = 0, unexercised = 0, na = 0, na_adapter = 0;
};
Counts count(const Report& r) {
    Counts c;
    for (const auto& ri : all_rules()) {
        switch (rule_status(r, ri)) {
        case RuleStatus::Ok: ++c.ok; break;
        case RuleStatus::Violated: ++c.violated; break;
        case RuleStatus::NotExercised:
        case RuleStatus::NotCounted: ++c.unexercised; break;
        case RuleStatus::NotApplicable:
            ++c.na;
            c.na_adapter += status_text(r, ri) == "n/a (adapter)";
            break;
        }
    }
    return c;
}

// The finding file's text, so a result carries its minimal traces (the report shows them).
std::string trace_text(const std::string& path) {
    if (!path.ends_with(".trace")) return "";
    std::ifstream f(path);
    std::string s((std::istreambuf_iterator<char>(f)), {});
    return s.size() > (64u << 10) ? "" : s;
}

// KTAP test names: no spaces or '#'.
std::string ktap_name(std::string s) {
    for (char& c : s)
        if (c == ' ' || c == '#') c = '_';
    return s;
}

std::string seconds_text(double s) {
    char b[32];
    snprintf(b, sizeof b, "%.3f", s);
    return b;
}

}  // namespace

RuleStatus rule_status(const Report& r, const RuleInfo& ri) {
    if (r.violated(ri.rule)) return RuleStatus::Violated;
    auto p = profile_by_name(r.profile);
    if (p && !rule_applies(ri, *p, r.unavailable)) return RuleStatus::NotApplicable;
    if (r.engine) return RuleStatus::NotCounted;
    return exercised_of(r, ri.rule) ? RuleStatus::Ok : RuleStatus::NotExercised;
}

std::string_view status_text(RuleStatus s) {
    switch (s) {
    case RuleStatus::Ok: return "ok";
    case RuleStatus::Violated: return "VIOLATED";
    case RuleStatus::NotExercised: return "not exercised";
    case RuleStatus::NotApplicable: return "n/a (profile)";
    case RuleStatus::NotCounted: return "no finding (fuzz: not counted)";
    }
    return "?";
}

std::string_view status_text(const Report& r, const RuleInfo& ri) {
    const auto st = rule_status(r, ri);
    auto p = profile_by_name(r.profile);
    if (st == RuleStatus::NotApplicable && p && rule_applies(ri, *p)) return "n/a (adapter)";
    return status_text(st);
}

uint64_t exercised_of(const Report& r, Rule rule) {
    size_t i = static_cast<size_t>(rule);
    return i < r.exercised.size() ? r.exercised[i] : 0;
}

std::string result_label(const Report& r) {
    return r.command + " " + r.adapter + (r.adapter_flags.empty() ? "" : " " + r.adapter_flags) + " (" + r.profile + ")";
}

bool Report::violated(Rule rule) const {
    for (const auto& f : findings)
        if (f.rule == rule) return true;
    return false;
}

int Report::exit_code() const {
    if (!findings.empty()) return 1;
    if (!problems.empty()) return 3;
    return 0;
}

std::string render_table(const Report& r) {
    std::string s;
    char line[512];
    const bool rows = !r.engine && r.rule_table;
    if (rows) snprintf(line, sizeof line, "%-36s %-20s %12s  %s\n", "RULE", "AREA", "EXERCISED", "STATUS");
    if (rows) s += line;
    for (const auto& ri : rows ? all_rules() : std::span<const RuleInfo>{}) {
        auto st = status_text(r, ri);
        snprintf(line, sizeof line, "%-36.*s %-20.*s %12llu  %.*s\n", static_cast<int>(ri.id.size()), ri.id.data(),
                 static_cast<int>(ri.area.size()), ri.area.data(),
                 static_cast<unsigned long long>(exercised_of(r, ri.rule)), static_cast<int>(st.size()), st.data());
        s += line;
    }
    auto c = count(r);
    if (r.engine) {
        const auto& e = *r.engine;
        snprintf(line, sizeof line, "\n%s against adapter %s (profile %s): %s, %llu execs (%.0f/s), corpus %llu, coverage %s, %zu engine crash(es) in %.1f s\n",
                 r.command.c_str(), r.adapter.c_str(), r.profile.c_str(), e.name.c_str(), static_cast<unsigned long long>(e.execs),
                 e.execs_per_sec, static_cast<unsigned long long>(e.corpus), e.coverage.empty() ? "?" : e.coverage.c_str(), e.crashes,
                 r.seconds);
    } else {
        snprintf(line, sizeof line,
                 "\n%s against adapter %s (profile %s): %llu traces, %llu ops in %.1f s\n"
                 "rules: %zu ok, %zu violated, %zu not exercised, %zu not applicable to the profile%s\n",
                 r.command.c_str(), r.adapter.c_str(), r.profile.c_str(), static_cast<unsigned long long>(r.traces),
                 static_cast<unsigned long long>(r.ops), r.seconds, c.ok, c.violated, c.unexercised, c.na,
                 c.na_adapter ? (" or adapter (" + std::to_string(c.na_adapter) + " the adapter cannot observe)").c_str() : "");
    }
    s += line;
    for (const auto& f : r.findings) {
        if (f.rule) {
            const auto& ri = rule_info(*f.rule);
            s += "\nVIOLATION " + std::string(ri.id) + " at op " + std::to_string(f.op_index) + "\n  rule:     " + std::string(ri.statement) +
                 "\n  allowed:  " + f.allowed + "\n  observed: " + f.observed;
        } else {
            s += "\nADAPTER " + f.kind + " (not a divergence)\n  observed: " + f.observed;
        }
        if (f.ops) {
            snprintf(line, sizeof line, "\n  found:    after %.1f s; %zu ops (%zu before shrinking)", f.seconds, f.ops, f.ops_unshrunk);
            s += line;
        }
        if (!f.symptoms.empty())
            s += "\n  symptoms: " + joined(symptom_ids(f)) + " (violated too, by this one root cause: one finding)";
        s += "\n  trace:    " + (f.trace.empty() ? "(not written)" : f.trace) + "\n  replay:   " + f.replay + "\n";
        if (!f.note.empty()) s += "  note:     " + f.note + "\n";
    }
    for (const auto& pr : r.problems) s += "\nunsupported: " + pr + "\n";
    for (const auto& n : r.notes) s += "\nnote: " + n + "\n";
    s += r.findings.empty() ? (r.problems.empty() ? "\nverdict: conforms\n" : "\nverdict: no violation, but not everything was tested (see above)\n")
                            : "\nverdict: " + std::to_string(r.findings.size()) + " violation(s)\n";
    return s;
}

std::string render_markdown(const Report& r) {
    std::string s = "# resvcheck " + r.command + ": adapter `" + r.adapter + "`, profile `" + r.profile + "`\n\n" +
                    std::to_string(r.traces) + " traces, " + std::to_string(r.ops) + " ops\n\n| rule | area | exercised | status |\n|---|---|---:|---|\n";
    for (const auto& ri : all_rules())
        s += "| " + std::string(ri.id) + " | " + std::string(ri.area) + " | " + std::to_string(exercised_of(r, ri.rule)) + " | " +
             std::string(status_text(r, ri)) + " |\n";
    for (const auto& f : r.findings)
        s += "\n## " + finding_title(f) + " at op " + std::to_string(f.op_index) + "\n\n- allowed: " + f.allowed +
             "\n- observed: " + f.observed + (f.symptoms.empty() ? "" : "\n- symptoms: " + joined(symptom_ids(f))) +
             "\n- trace: `" + f.trace + "`\n- replay: `" + f.replay + "`\n";
    return s;
}

namespace {

// One <testsuite> per result; one <testcase> per rule, its classname naming the adapter, tree and profile.
std::string junit_suite(const Report& r) {
    auto c = count(r);
    const std::string label = result_label(r);
    std::string s = "  <testsuite name=\"" + markup_escape(label) + "\" tests=\"" + std::to_string(all_rules().size()) + "\" failures=\"" +
                    std::to_string(c.violated) + "\" skipped=\"" + std::to_string(c.unexercised + c.na) + "\" time=\"" + seconds_text(r.seconds) + "\">\n";
    for (const auto& ri : all_rules()) {
        auto st = rule_status(r, ri);
        s += "    <testcase classname=\"" + markup_escape(label) + "\" name=\"" + markup_escape(ri.id) + "\">";
        if (st == RuleStatus::Violated) {
            for (const auto& f : r.findings)
                if (f.rule == ri.rule) {
                    s += "<failure message=\"op " + std::to_string(f.op_index) + ": " + markup_escape(f.observed) + "\">" + markup_escape(ri.statement) +
                         "\nallowed: " + markup_escape(f.allowed) + "\ntrace: " + markup_escape(f.trace) + "\nreplay: " + markup_escape(f.replay) + "</failure>";
                    break;
                }
        } else if (st != RuleStatus::Ok) {
            s += "<skipped message=\"" + markup_escape(status_text(r, ri)) + "\"/>";
        }
        s += "</testcase>\n";
    }
    return s + "  </testsuite>\n";
}

// One KTAP subtest per result (its lines indented four spaces), one test line per rule.
std::string ktap_suite(const Report& r, size_t number) {
    const std::string in = "    ", name = ktap_name("resvcheck." + result_label(r));
    std::string s = in + "KTAP version 1\n" + in + "# Subtest: " + name + "\n" + in + "1.." + std::to_string(all_rules().size()) + "\n";
    size_t i = 0;
    for (const auto& ri : all_rules()) {
        auto st = rule_status(r, ri);
        const std::string n = std::to_string(++i) + " " + std::string(ri.id);
        if (st == RuleStatus::Violated) {
            for (const auto& f : r.findings)
                if (f.rule == ri.rule) {
                    s += in + "# " + std::string(ri.id) + ": op " + std::to_string(f.op_index) + ": observed " + f.observed + "\n" + in +
                         "# allowed: " + f.allowed + "\n" + in + "# replay: " + f.replay + "\n";
                    break;
                }
            s += in + "not ok " + n + "\n";
        } else if (st == RuleStatus::Ok) {
            s += in + "ok " + n + "\n";
        } else {
            s += in + "ok " + n + " # SKIP " + std::string(status_text(r, ri)) + "\n";
        }
    }
    return s + (r.findings.empty() ? "ok " : "not ok ") + std::to_string(number) + " " + name + "\n";
}

}  // namespace

std::string render_junit(std::span<const Report> rs) {
    std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"resvcheck\">\n";
    for (const auto& r : rs) s += junit_suite(r);
    return s + "</testsuites>\n";
}
std::string render_junit(const Report& r) { return render_junit(std::span<const Report>(&r, 1)); }

std::string render_ktap(std::span<const Report> rs) {
    std::string s = "KTAP version 1\n1.." + std::to_string(rs.size()) + "\n";
    for (size_t i = 0; i < rs.size(); ++i) s += ktap_suite(rs[i], i + 1);
    return s;
}
std::string render_ktap(const Report& r) { return render_ktap(std::span<const Report>(&r, 1)); }

std::string render_json(const Report& r) {
    std::string s = "{\"command\":" + json_str(r.command) + ",\"adapter\":" + json_str(r.adapter) + ",\"adapter_flags\":" + json_str(r.adapter_flags) + ",\"profile\":" + json_str(r.profile) + ",\"unavailable\":" + std::to_string(r.unavailable) +
                    ",\"verdict\":" + json_str(r.findings.empty() ? (r.problems.empty() ? "conforms" : "unsupported") : "violated") +
                    ",\"traces\":" + std::to_string(r.traces) + ",\"ops\":" + std::to_string(r.ops) + ",\"seconds\":" + seconds_text(r.seconds) + ",\"rules\":[";
    bool first = true;
    for (const auto& ri : r.engine ? std::span<const RuleInfo>{} : all_rules()) {  // a fuzz run has no per-rule counts
        auto st = rule_status(r, ri);
        s += std::string(first ? "" : ",") + "{\"id\":" + json_str(ri.id) + ",\"area\":" + json_str(ri.area) +
             ",\"applies\":" + (st == RuleStatus::NotApplicable ? "false" : "true") + ",\"exercised\":" + std::to_string(exercised_of(r, ri.rule)) +
             ",\"violated\":" + (st == RuleStatus::Violated ? "true" : "false") + "}";
        first = false;
    }
    s += "],\"findings\":[";
    first = true;
    for (const auto& f : r.findings) {
        s += std::string(first ? "" : ",") + "{\"rule\":" + (f.rule ? json_str(rule_id(*f.rule)) : "null") + ",\"op_index\":" + std::to_string(f.op_index) + ",\"allowed\":" + json_str(f.allowed) + ",\"observed\":" + json_str(f.observed) +
             ",\"trace\":" + json_str(f.trace) + ",\"replay\":" + json_str(f.replay) + ",\"kind\":" + json_str(f.kind) + ",\"ops\":" + std::to_string(f.ops) +
             ",\"ops_unshrunk\":" + std::to_string(f.ops_unshrunk) + ",\"seconds\":" + seconds_text(f.seconds) + ",\"note\":" + json_str(f.note) + ",\"symptoms\":" + json_list(symptom_ids(f)) + ",\"trace_text\":" + json_str(trace_text(f.trace)) + "}";
        first = false;
    }
    s += "],\"problems\":" + json_list(r.problems) + ",\"notes\":" + json_list(r.notes);
    if (r.engine) {
        const auto& e = *r.engine;
        char eps[32];
        snprintf(eps, sizeof eps, "%.0f", e.execs_per_sec);
        s += ",\"engine\":{\"name\":" + json_str(e.name) + ",\"execs\":" + std::to_string(e.execs) + ",\"execs_per_sec\":" + eps +
             ",\"corpus\":" + std::to_string(e.corpus) + ",\"coverage\":" + json_str(e.coverage) +
             ",\"engine_crashes\":" + std::to_string(e.crashes) + ",\"samples\":[";
        for (size_t i = 0; i < e.samples.size(); ++i) {
            const auto& x = e.samples[i];
            char cov[32];
            snprintf(cov, sizeof cov, "%g", x.coverage);
            s += std::string(i ? "," : "") + "{\"seconds\":" + seconds_text(x.seconds) + ",\"execs\":" + std::to_string(x.execs) +
                 ",\"corpus\":" + std::to_string(x.corpus) + ",\"coverage\":" + cov + ",\"findings\":" + std::to_string(x.findings) + "}";
        }
        s += "]}";
    }
    return s + "}\n";
}

std::string render(const Report& r, const std::string& format) {
    if (format == "json") return render_json(r);
    if (format == "markdown") return render_markdown(r);
    if (format == "junit") return render_junit(r);
    if (format == "ktap") return render_ktap(r);
    return render_table(r);
}

std::string markup_escape(std::string_view s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '&': o += "&amp;"; break;
        case '"': o += "&quot;"; break;
        default: o += c;
        }
    }
    return o;
}

}  // namespace resvcheck::cli
