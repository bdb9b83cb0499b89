#include "findings.h"

#include <filesystem>
#include <fstream>
#include <functional>

namespace resvcheck {

Trace pin_expected(const Trace& ops, const Profile& profile) {
    Model m(profile);
    Trace t;
    t.header = ops.header;
    for (const auto& st : ops.steps) {
        TraceStep s = st;
        s.pin = m.perform(st.op);
        t.steps.push_back(std::move(s));
    }
    return t;
}

std::string replay_command(const std::string& path, const FindingInfo& info) {
    std::string cmd = "build/resvcheck replay " + path + " --adapter " + info.adapter;
    if (!info.adapter_flags.empty()) cmd += " " + info.adapter_flags;
    cmd += " --profile " + info.profile;
    return cmd;
}

std::string render_finding(const Trace& ops, const FindingInfo& info, const std::string& path) {
    auto prof = profile_by_name(info.profile);
    const auto& d = info.divergence;
    Trace t = prof ? pin_expected(ops, *prof) : ops;
    t.header.clear();
    if (d.op_index < t.steps.size()) {
        t.steps.resize(d.op_index + 1);
        t.steps.back().comment = " <- " + std::string(rule_id(d.rule)) + ": the adapter " + d.observed;
    }
    const auto& ri = rule_info(d.rule);
    std::string head = "# " + std::string(ri.id) + " (" + std::string(ri.area) + ", " + std::string(ri.function) + "): " +
                       std::string(ri.statement) + "\n# violated at op " + std::to_string(d.op_index) + " by adapter " + info.adapter +
                       (info.adapter_flags.empty() ? "" : " " + info.adapter_flags) + ", profile " + info.profile +
                       "\n# allowed: " + d.allowed + "\n# observed: " + d.observed + "\n# found by: " + info.origin +
                       "\n# replay: " + replay_command(path, info) + "\n# pins below are what a conforming implementation observes\n";
    return head + print_trace(t);
}

std::string write_text(const std::string& path, const std::string& text) {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return "cannot create " + parent.string() + ": " + ec.message();
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (!out) return "cannot write " + path;
    return "";
}

WrittenFinding write_finding(const std::string& dir, const Trace& ops, const FindingInfo& info) {
    std::string body = print_trace(Trace{{}, ops.steps});
    char hash[17];
    snprintf(hash, sizeof hash, "%08zx", std::hash<std::string>{}(body + info.adapter_flags) & 0xffffffffu);
    std::string path = (std::filesystem::path(dir) / (std::string(rule_id(info.divergence.rule)) + "-" + hash + ".trace")).string();
    if (auto err = write_text(path, render_finding(ops, info, path)); !err.empty()) return {{}, err};
    return {path, {}};
}

}  // namespace resvcheck
