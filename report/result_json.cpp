#include "result_json.h"

#include <boost/json/src.hpp>  // header-only Boost.JSON, compiled in this one TU
#include <fstream>
#include <sstream>

namespace resvcheck::report {
namespace {

namespace json = boost::json;

std::string str(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
double num(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v) return 0;
    if (v->is_double()) return v->get_double();
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    return 0;
}
uint64_t count(const json::object& o, std::string_view key) { return static_cast<uint64_t>(num(o, key)); }
const json::array* arr(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_array() ? &v->get_array() : nullptr;
}
std::vector<std::string> strings(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    if (auto* a = arr(o, key))
        for (const auto& v : *a)
            if (v.is_string()) out.emplace_back(v.get_string());
    return out;
}

}  // namespace

Expected<LoadedResult> load_result(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Error{ErrorKind::Io, "cannot read result " + path};
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    json::value doc = json::parse(ss.str(), ec);
    if (ec) return Error{ErrorKind::Parse, path + ": not JSON (" + ec.message() + "); give the output of check, replay or fuzz with --json"};
    if (!doc.is_object() || !doc.get_object().contains("command") || !doc.get_object().contains("rules"))
        return Error{ErrorKind::Parse, path + ": not a resvcheck result (no \"command\" and \"rules\"); give the output of check, replay or fuzz with --json"};
    const auto& o = doc.get_object();
    LoadedResult lr;
    lr.file = path;
    cli::Report& r = lr.report;
    r.command = str(o, "command");
    r.adapter = str(o, "adapter");
    r.adapter_flags = str(o, "adapter_flags");
    r.profile = str(o, "profile");
    r.unavailable = static_cast<uint32_t>(count(o, "unavailable"));
    r.traces = count(o, "traces");
    r.ops = count(o, "ops");
    r.seconds = num(o, "seconds");
    r.exercised.assign(kRuleCount, 0);
    if (auto* rules = arr(o, "rules"))
        for (const auto& v : *rules) {
            if (!v.is_object()) continue;
            std::string id = str(v.get_object(), "id");
            if (auto rule = rule_by_id(id)) r.exercised[static_cast<size_t>(*rule)] = count(v.get_object(), "exercised");
            else lr.unknown_rules.push_back(id);
        }
    if (auto* fs = arr(o, "findings"))
        for (const auto& v : *fs) {
            if (!v.is_object()) continue;
            const auto& fo = v.get_object();
            Finding f;
            if (auto id = str(fo, "rule"); !id.empty()) {
                f.rule = rule_by_id(id);
                if (!f.rule) {
                    lr.unknown_rules.push_back(id);
                    continue;
                }
            }
            f.op_index = count(fo, "op_index");
            f.allowed = str(fo, "allowed");
            f.observed = str(fo, "observed");
            f.trace = str(fo, "trace");
            f.replay = str(fo, "replay");
            f.kind = str(fo, "kind");
            f.ops = count(fo, "ops");
            f.ops_unshrunk = count(fo, "ops_unshrunk");
            f.seconds = num(fo, "seconds");
            f.note = str(fo, "note");
            for (const auto& id : strings(fo, "symptoms"))
                if (auto rule = rule_by_id(id)) f.symptoms.push_back(*rule);
            r.findings.push_back(std::move(f));
            lr.trace_text.push_back(str(fo, "trace_text"));
        }
    r.problems = strings(o, "problems");
    r.notes = strings(o, "notes");
    if (auto* e = o.if_contains("engine"); e && e->is_object()) {
        const auto& eo = e->get_object();
        cli::EngineStats st;
        st.name = str(eo, "name");
        st.execs = count(eo, "execs");
        st.execs_per_sec = num(eo, "execs_per_sec");
        st.corpus = count(eo, "corpus");
        st.coverage = str(eo, "coverage");
        st.crashes = count(eo, "engine_crashes");
        if (auto* ss = arr(eo, "samples"))
            for (const auto& v : *ss)
                if (v.is_object()) {
                    const auto& so = v.get_object();
                    st.samples.push_back({num(so, "seconds"), count(so, "execs"), count(so, "corpus"), num(so, "coverage"),
                                          static_cast<size_t>(count(so, "findings"))});
                }
        r.engine = std::move(st);
    }
    return lr;
}

}  // namespace resvcheck::report
