#include "report.h"

#include <algorithm>
#include <cstdio>
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

std::string xml(std::string_view s) {
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

enum class Status { Ok, Violated, NotExercised, NotApplicable };

Status status_of(const Report& r, const RuleInfo& ri, const Profile* p) {
    if (r.violated(ri.rule)) return Status::Violated;
    if (p && !rule_applies(ri, *p)) return Status::NotApplicable;
    size_t i = static_cast<size_t>(ri.rule);
    return i < r.exercised.size() && r.exercised[i] ? Status::Ok : Status::NotExercised;
}

std::string_view status_text(Status s) {
    switch (s) {
    case Status::Ok: return "ok";
    case Status::Violated: return "VIOLATED";
    case Status::NotExercised: return "not exercised";
    case Status::NotApplicable: return "n/a (profile)";
    }
    return "?";
}

struct Counts {
    size_t ok = 0, violated = 0, unexercised = 0, na = 0;
};
Counts count(const Report& r) {
    Counts c;
    auto p = profile_by_name(r.profile);
    for (const auto& ri : all_rules()) {
        switch (status_of(r, ri, p ? &*p : nullptr)) {
        case Status::Ok: ++c.ok; break;
        case Status::Violated: ++c.violated; break;
        case Status::NotExercised: ++c.unexercised; break;
        case Status::NotApplicable: ++c.na; break;
        }
    }
    return c;
}

uint64_t exercised_of(const Report& r, Rule rule) {
    size_t i = static_cast<size_t>(rule);
    return i < r.exercised.size() ? r.exercised[i] : 0;
}

std::string seconds_text(double s) {
    char b[32];
    snprintf(b, sizeof b, "%.3f", s);
    return b;
}

}  // namespace

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
    auto p = profile_by_name(r.profile);
    std::string s;
    char line[512];
    const bool rows = !r.engine && r.rule_table;
    if (rows) snprintf(line, sizeof line, "%-36s %-20s %12s  %s\n", "RULE", "AREA", "EXERCISED", "STATUS");
    if (rows) s += line;
    for (const auto& ri : rows ? all_rules() : std::span<const RuleInfo>{}) {
        auto st = status_of(r, ri, p ? &*p : nullptr);
        snprintf(line, sizeof line, "%-36.*s %-20.*s %12llu  %.*s\n", static_cast<int>(ri.id.size()), ri.id.data(),
                 static_cast<int>(ri.area.size()), ri.area.data(),
                 static_cast<unsigned long long>(exercised_of(r, ri.rule)), static_cast<int>(status_text(st).size()),
                 status_text(st).data());
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
                 "rules: %zu ok, %zu violated, %zu not exercised, %zu not applicable to the profile\n",
                 r.command.c_str(), r.adapter.c_str(), r.profile.c_str(), static_cast<unsigned long long>(r.traces),
                 static_cast<unsigned long long>(r.ops), r.seconds, c.ok, c.violated, c.unexercised, c.na);
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
    auto p = profile_by_name(r.profile);
    std::string s = "# resvcheck " + r.command + ": adapter `" + r.adapter + "`, profile `" + r.profile + "`\n\n" +
                    std::to_string(r.traces) + " traces, " + std::to_string(r.ops) + " ops\n\n| rule | area | exercised | status |\n|---|---|---:|---|\n";
    for (const auto& ri : all_rules())
        s += "| " + std::string(ri.id) + " | " + std::string(ri.area) + " | " + std::to_string(exercised_of(r, ri.rule)) + " | " +
             std::string(status_text(status_of(r, ri, p ? &*p : nullptr))) + " |\n";
    for (const auto& f : r.findings)
        s += "\n## " + finding_title(f) + " at op " + std::to_string(f.op_index) + "\n\n- allowed: " + f.allowed +
             "\n- observed: " + f.observed + (f.symptoms.empty() ? "" : "\n- symptoms: " + joined(symptom_ids(f))) +
             "\n- trace: `" + f.trace + "`\n- replay: `" + f.replay + "`\n";
    return s;
}

std::string render_junit(const Report& r) {
    auto p = profile_by_name(r.profile);
    auto c = count(r);
    std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"resvcheck." + xml(r.adapter) + "\" tests=\"" +
                    std::to_string(all_rules().size()) + "\" failures=\"" + std::to_string(c.violated) + "\" skipped=\"" +
                    std::to_string(c.unexercised + c.na) + "\">\n";
    for (const auto& ri : all_rules()) {
        auto st = status_of(r, ri, p ? &*p : nullptr);
        s += "  <testcase classname=\"" + xml(ri.area) + "\" name=\"" + xml(ri.id) + "\">";
        if (st == Status::Violated) {
            for (const auto& f : r.findings)
                if (f.rule == ri.rule) {
                    s += "<failure message=\"op " + std::to_string(f.op_index) + ": " + xml(f.observed) + "\">allowed: " + xml(f.allowed) +
                         "\ntrace: " + xml(f.trace) + "\nreplay: " + xml(f.replay) + "</failure>";
                    break;
                }
        } else if (st != Status::Ok) {
            s += "<skipped message=\"" + std::string(status_text(st)) + "\"/>";
        }
        s += "</testcase>\n";
    }
    return s + "</testsuite>\n";
}

std::string render_json(const Report& r) {
    auto p = profile_by_name(r.profile);
    std::string s = "{\"command\":" + json_str(r.command) + ",\"adapter\":" + json_str(r.adapter) + ",\"profile\":" + json_str(r.profile) +
                    ",\"verdict\":" + json_str(r.findings.empty() ? (r.problems.empty() ? "conforms" : "unsupported") : "violated") +
                    ",\"traces\":" + std::to_string(r.traces) + ",\"ops\":" + std::to_string(r.ops) + ",\"seconds\":" + seconds_text(r.seconds) + ",\"rules\":[";
    bool first = true;
    for (const auto& ri : r.engine ? std::span<const RuleInfo>{} : all_rules()) {  // a fuzz run has no per-rule counts
        auto st = status_of(r, ri, p ? &*p : nullptr);
        s += std::string(first ? "" : ",") + "{\"id\":" + json_str(ri.id) + ",\"area\":" + json_str(ri.area) +
             ",\"applies\":" + (st == Status::NotApplicable ? "false" : "true") + ",\"exercised\":" + std::to_string(exercised_of(r, ri.rule)) +
             ",\"violated\":" + (st == Status::Violated ? "true" : "false") + "}";
        first = false;
    }
    s += "],\"findings\":[";
    first = true;
    for (const auto& f : r.findings) {
        s += std::string(first ? "" : ",") + "{\"rule\":" + (f.rule ? json_str(rule_id(*f.rule)) : "null") + ",\"op_index\":" + std::to_string(f.op_index) + ",\"allowed\":" + json_str(f.allowed) + ",\"observed\":" + json_str(f.observed) +
             ",\"trace\":" + json_str(f.trace) + ",\"replay\":" + json_str(f.replay) + ",\"kind\":" + json_str(f.kind) + ",\"ops\":" + std::to_string(f.ops) +
             ",\"ops_unshrunk\":" + std::to_string(f.ops_unshrunk) + ",\"seconds\":" + seconds_text(f.seconds) + ",\"note\":" + json_str(f.note) + ",\"symptoms\":" + json_list(symptom_ids(f)) + "}";
        first = false;
    }
    s += "],\"problems\":" + json_list(r.problems) + ",\"notes\":" + json_list(r.notes);
    if (r.engine) {
        const auto& e = *r.engine;
        char eps[32];
        snprintf(eps, sizeof eps, "%.0f", e.execs_per_sec);
        s += ",\"engine\":{\"name\":" + json_str(e.name) + ",\"execs\":" + std::to_string(e.execs) + ",\"execs_per_sec\":" + eps +
             ",\"corpus\":" + std::to_string(e.corpus) + ",\"coverage\":" + json_str(e.coverage) +
             ",\"engine_crashes\":" + std::to_string(e.crashes) + "}";
    }
    return s + "}\n";
}

std::string render(const Report& r, const std::string& format) {
    if (format == "json") return render_json(r);
    if (format == "markdown") return render_markdown(r);
    if (format == "junit") return render_junit(r);
    return render_table(r);
}

}  // namespace resvcheck::cli
