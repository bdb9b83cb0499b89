#include "rules.h"

#include <array>

namespace resvcheck {
namespace {

constexpr RuleInfo kRules[] = {
#define RULE(ident, id, area, scope, function, statement, note61) \
    {Rule::ident, id, area, RuleScope::scope, function, statement, note61},
#include "rules.def"
#undef RULE
};

}  // namespace

std::span<const RuleInfo> all_rules() { return kRules; }
const RuleInfo& rule_info(Rule r) { return kRules[static_cast<size_t>(r)]; }
std::string_view rule_id(Rule r) { return rule_info(r).id; }

std::optional<Rule> rule_by_id(std::string_view id) {
    for (const auto& r : kRules)
        if (r.id == id) return r.rule;
    return std::nullopt;
}

std::string_view scope_name(RuleScope s) {
    switch (s) {
    case RuleScope::all: return "all";
    case RuleScope::exact_kernel: return "exact_kernel";
    case RuleScope::unlock_forfeits_reservation: return "unlock_forfeits_reservation";
    case RuleScope::has_deadline: return "has_deadline";
    case RuleScope::fence_api_7: return "fence_api_7";
    case RuleScope::names_detached: return "names_detached";
    case RuleScope::lock_order: return "lock_order";
    case RuleScope::alloc_paths: return "alloc_paths";
    case RuleScope::has_drm_exec: return "has_drm_exec";
    case RuleScope::array_signal_on_any: return "array_signal_on_any";
    }
    return "?";
}

}  // namespace resvcheck
