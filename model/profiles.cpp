#include "model.h"

namespace resvcheck {
namespace {
constexpr Profile kProfiles[] = {
    {"contract", false, true, false, "every behaviour the contract allows (default for new implementations)"},
    {"linux-6.12", true, true, false, "slot-by-slot behaviour of Linux 6.12, non-debug, 64-bit"},
    {"linux-6.12-debug", true, true, true, "Linux 6.12 with CONFIG_DEBUG_MUTEXES (unlock forfeits unused slots)"},
    {"linux-6.1", true, false, false, "slot-by-slot behaviour of Linux 6.1, non-debug, 64-bit"},
};
}  // namespace

std::span<const Profile> all_profiles() { return kProfiles; }

std::optional<Profile> profile_by_name(std::string_view name) {
    for (const auto& p : kProfiles)
        if (p.name == name) return p;
    return std::nullopt;
}

bool rule_applies(const RuleInfo& rule, const Profile& p) {
    switch (rule.scope) {
    case RuleScope::all: return true;
    case RuleScope::exact: return p.exact;
    case RuleScope::debug: return p.debug_mutexes;
    case RuleScope::v612: return p.v612;
    }
    return false;
}

}  // namespace resvcheck
