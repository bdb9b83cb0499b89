#include "model.h"

namespace resvcheck {
namespace {
// A profile is one line: its name, its switches (model.h), what it stands for.
constexpr Profile kProfiles[] = {
    {.name = "contract", .reserve_zero_einval = true, .has_deadline = true, .description = "every behaviour the contract allows (default for new implementations)"},
    {.name = "linux-6.12", .exact_kernel = true, .reserve_zero_einval = true, .has_deadline = true, .description = "slot-by-slot behaviour of Linux 6.12, non-debug, 64-bit"},
    {.name = "linux-6.12-debug", .exact_kernel = true, .reserve_zero_einval = true, .has_deadline = true, .unlock_forfeits_reservation = true, .description = "Linux 6.12 with CONFIG_DEBUG_MUTEXES (unlock forfeits unused slots)"},
    {.name = "linux-6.1", .exact_kernel = true, .description = "slot-by-slot behaviour of Linux 6.1, non-debug, 64-bit"},
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
    case RuleScope::exact_kernel: return p.exact_kernel;
    case RuleScope::unlock_forfeits_reservation: return p.unlock_forfeits_reservation;
    case RuleScope::has_deadline: return p.has_deadline;
    }
    return false;
}

}  // namespace resvcheck
