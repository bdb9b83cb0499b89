// resvcheck list-rules | list-adapters | list-faults | list-ops | list-profiles
#include <cstdio>

#include "commands.h"
#include "registry.h"
#include "text_format.h"

namespace resvcheck::cli {

int cmd_list_rules(const Options& o) {
    auto p = o.profile.empty() ? std::nullopt : profile_by_name(o.profile);
    if (!o.profile.empty() && !p) return usage_error("unknown profile '" + o.profile + "'");
    if (o.json) {
        std::string s = "[";
        bool first = true;
        for (const auto& r : all_rules()) {
            if (p && !rule_applies(r, *p)) continue;
            s += std::string(first ? "" : ",") + "{\"id\":\"" + std::string(r.id) + "\",\"area\":\"" + std::string(r.area) +
                 "\",\"scope\":\"" + std::string(scope_name(r.scope)) + "\",\"function\":\"" + std::string(r.function) + "\"}";
            first = false;
        }
        puts((s + "]").c_str());
        return kExitConforms;
    }
    for (const auto& r : all_rules()) {
        if (p && !rule_applies(r, *p)) continue;
        printf("%-36.*s %-20.*s %-6.*s %.*s\n    %.*s\n", static_cast<int>(r.id.size()), r.id.data(), static_cast<int>(r.area.size()),
               r.area.data(), static_cast<int>(scope_name(r.scope).size()), scope_name(r.scope).data(),
               static_cast<int>(r.function.size()), r.function.data(), static_cast<int>(r.statement.size()), r.statement.data());
        if (!r.note_61.empty()) printf("    linux-6.1: %.*s\n", static_cast<int>(r.note_61.size()), r.note_61.data());
    }
    printf("%zu rules\n", all_rules().size());
    return kExitConforms;
}

int cmd_list_adapters(const Options&) {
    for (const auto& a : known_adapters())
        printf("%-24.*s %.*s\n", static_cast<int>(a.name.size()), a.name.data(), static_cast<int>(a.description.size()), a.description.data());
    return kExitConforms;
}

int cmd_list_faults(const Options& o) {
    std::string name = o.adapter.empty() ? "sim" : o.adapter;
    auto faults = adapter_faults(name);
    if (faults.empty()) return usage_error("adapter '" + name + "' has no fault switches (only sim does)");
    for (const auto& f : faults) printf("%-30s %s\n", f.name.c_str(), f.description.c_str());
    return kExitConforms;
}

int cmd_list_ops(const Options&) {
    for (size_t k = 0; k < kOpKinds; ++k) printf("%s\n", op_signature(k).c_str());
    return kExitConforms;
}

int cmd_list_profiles(const Options&) {
    for (const auto& p : all_profiles())
        printf("%-18.*s %.*s\n", static_cast<int>(p.name.size()), p.name.data(), static_cast<int>(p.description.size()), p.description.data());
    return kExitConforms;
}

}  // namespace resvcheck::cli
