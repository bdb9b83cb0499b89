#include "model.h"

namespace resvcheck {
namespace {
constexpr uint32_t kFenceApi7 = RC_FEATURE_CHECK_AND_SIGNAL | RC_FEATURE_NAME_HELPERS | RC_FEATURE_WAS_INITIALIZED | RC_FEATURE_DEDUP |
                                RC_FEATURE_INLINE_LOCK;
// A profile is one line: its name, its switches (model.h), what it stands for.
constexpr Profile kProfiles[] = {
    {.name = "contract", .reserve_zero_einval = true, .has_deadline = true, .fence_api = kFenceApi7, .array_signal_on_any = false, .has_drm_exec = true, .description = "every behaviour the contract allows (default for new implementations)"},
    {.name = "linux-6.12", .lock_order = true, .alloc_paths = true, .exact_kernel = true, .reserve_zero_einval = true, .has_deadline = true, .has_drm_exec = true, .description = "slot-by-slot behaviour of Linux 6.12, non-debug, 64-bit"},
    {.name = "linux-6.12-debug", .lock_order = true, .alloc_paths = true, .exact_kernel = true, .reserve_zero_einval = true, .has_deadline = true, .unlock_forfeits_reservation = true, .has_drm_exec = true, .description = "Linux 6.12 with CONFIG_DEBUG_MUTEXES (unlock forfeits unused slots)"},
    {.name = "linux-6.1", .lock_order = true, .alloc_paths = true, .exact_kernel = true, .description = "slot-by-slot behaviour of Linux 6.1, non-debug, 64-bit"},
    // ---- kernels (issue 10): 7.x, whose dma_fence API grew (check_and_signal, name helpers, ...) ----
    {.name = "linux-7.2", .alloc_paths = true, .exact_kernel = true, .reserve_zero_einval = true, .has_deadline = true, .fence_api = kFenceApi7, .names_detached = true, .array_signal_on_any = false, .has_drm_exec = true, .merge_lone_no_alloc = true, .description = "slot-by-slot behaviour of Linux 7.2, non-debug, 64-bit"},
    {.name = "linux-7.2-debug", .alloc_paths = true, .exact_kernel = true, .reserve_zero_einval = true, .has_deadline = true, .unlock_forfeits_reservation = true, .fence_api = kFenceApi7, .names_detached = true, .array_signal_on_any = false, .has_drm_exec = true, .merge_lone_no_alloc = true, .description = "Linux 7.2 with CONFIG_DEBUG_MUTEXES (unlock forfeits unused slots)"},
};
}  // namespace

std::span<const Profile> all_profiles() { return kProfiles; }

std::optional<Profile> profile_by_name(std::string_view name) {
    for (const auto& p : kProfiles)
        if (p.name == name) return p;
    return std::nullopt;
}

namespace {
// The API feature a scope's rules are shown through: the one its switch gates in Model::has_op.
uint32_t scope_feature(RuleScope s) {
    switch (s) {
    case RuleScope::alloc_paths: return RC_FEATURE_FAIL_ALLOC;
    case RuleScope::lock_order: return RC_FEATURE_LOCKDEP;
    case RuleScope::has_drm_exec: return RC_FEATURE_DRM_EXEC;
    default: return RC_FEATURE_BASE;
    }
}
}  // namespace

bool rule_applies(const RuleInfo& rule, const Profile& p, uint32_t unavailable) {
    if (scope_feature(rule.scope) & unavailable) return false;
    switch (rule.scope) {
    case RuleScope::all: return true;
    case RuleScope::exact_kernel: return p.exact_kernel;
    case RuleScope::unlock_forfeits_reservation: return p.unlock_forfeits_reservation;
    case RuleScope::has_deadline: return p.has_deadline;
    case RuleScope::fence_api_7: return p.fence_api != 0;
    case RuleScope::names_detached: return p.names_detached;
    case RuleScope::lock_order: return p.lock_order;
    case RuleScope::alloc_paths: return p.alloc_paths;
    case RuleScope::array_signal_on_any: return p.array_signal_on_any;
    case RuleScope::has_drm_exec: return p.has_drm_exec;
    }
    return false;
}

}  // namespace resvcheck
