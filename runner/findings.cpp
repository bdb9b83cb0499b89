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

WrittenFinding write_finding(const std::string& dir, const Trace& ops, const FindingInfo& info) {
    auto prof = profile_by_name(info.profile);
    if (!prof) return {{}, "unknown profile " + info.profile};
    const auto& d = info.divergence;
    Trace t = pin_expected(ops, *prof);
    if (d.op_index < t.steps.size()) {
        t.steps.resize(d.op_index + 1);
        t.steps.back().comment = " <- " + std::string(rule_id(d.rule)) + ": the adapter " + d.observed;
    }
    std::string body = print_trace(Trace{{}, t.steps});
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return {{}, "cannot create " + dir + ": " + ec.message()};
    char hash[17];
    snprintf(hash, sizeof hash, "%08zx", std::hash<std::string>{}(body) & 0xffffffffu);
    std::string path = (std::filesystem::path(dir) / (std::string(rule_id(d.rule)) + "-" + hash + ".trace")).string();
    std::ofstream out(path, std::ios::trunc);
    if (!out) return {{}, "cannot write " + path};
    const auto& ri = rule_info(d.rule);
    out << "# " << ri.id << " (" << ri.area << ", " << ri.function << "): " << ri.statement << "\n"
        << "# violated at op " << d.op_index << " by adapter " << info.adapter
        << (info.adapter_flags.empty() ? "" : " " + info.adapter_flags) << ", profile " << info.profile << "\n"
        << "# allowed: " << d.allowed << "\n"
        << "# observed: " << d.observed << "\n"
        << "# found by: " << info.origin << "\n"
        << "# replay: " << replay_command(path, info) << "\n"
        << "# pins below are what a conforming implementation observes\n"
        << body;
    out.close();
    if (!out) return {{}, "cannot write " + path};
    return {path, {}};
}

}  // namespace resvcheck
