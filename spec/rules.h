// rules.h - the contract's rules, read from rules.def: IDs, areas, statements, kernel functions.
//
// Every check in the model names one Rule; every Rule is checked somewhere in the model (a test
// enforces both directions). Reports are per rule.
//
//   const RuleInfo& r = rule_info(Rule::RESV_ADD_LISTED);
//   r.id == "RESV-ADD-LISTED", r.area == "resv.add"
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace resvcheck {

enum class Rule : uint16_t {
#define RULE(ident, id, area, scope, function, statement, note61) ident,
#include "rules.def"
#undef RULE
};

inline constexpr size_t kRuleCount = 0
#define RULE(ident, id, area, scope, function, statement, note61) +1
#include "rules.def"
#undef RULE
    ;

// Which model profiles check a rule: all, or those with the named switch (model.h Profile, rules.def).
enum class RuleScope : uint8_t { all, exact_kernel, unlock_forfeits_reservation, has_deadline, fence_api_7, names_detached, lock_order, alloc_paths, array_signal_on_any, has_drm_exec };

struct RuleInfo {
    Rule rule;
    std::string_view id;
    std::string_view area;
    RuleScope scope;
    std::string_view function;
    std::string_view statement;
    std::string_view note_61;  // where linux-6.1 differs; empty if it does not
};

std::span<const RuleInfo> all_rules();
const RuleInfo& rule_info(Rule r);
std::optional<Rule> rule_by_id(std::string_view id);
std::string_view rule_id(Rule r);
std::string_view scope_name(RuleScope s);
// ADAPTER-CRASH, -HANG, -OOM: the implementation's process failed (seen through an isolated adapter).
constexpr bool is_process_rule(Rule r) { return r == Rule::ADAPTER_CRASH || r == Rule::ADAPTER_HANG || r == Rule::ADAPTER_OOM; }

}  // namespace resvcheck
