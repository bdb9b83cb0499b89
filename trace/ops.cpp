#include "ops.h"

#include <array>

namespace resvcheck {
namespace {

template <size_t... I>
constexpr std::array<std::string_view, kOpKinds> names_of(std::index_sequence<I...>) {
    return {std::variant_alternative_t<I, Op>::name...};
}
constexpr auto kNames = names_of(std::make_index_sequence<kOpKinds>{});

template <size_t... I>
Op op_of_kind_impl(size_t kind, std::index_sequence<I...>) {
    Op out;
    ((kind == I ? (out = std::variant_alternative_t<I, Op>{}, true) : false) || ...);
    return out;
}

}  // namespace

std::string_view op_name(const Op& op) { return kNames[op.index()]; }
std::string_view op_kind_name(size_t kind) { return kind < kOpKinds ? kNames[kind] : "?"; }
uint32_t op_abi(const Op& op) { return std::visit([](const auto& o) { return o.abi; }, op); }
RetKind op_ret(const Op& op) { return std::visit([](const auto& o) { return o.ret; }, op); }
Yields op_yields(const Op& op) { return std::visit([](const auto& o) { return o.yields; }, op); }
bool op_is_iterator_step(const Op& op) { return std::visit([](const auto& o) { return o.iterator; }, op); }
Rule op_bug_rule(const Op& op) { return std::visit([](const auto& o) { return o.bug_rule; }, op); }
bool op_provided(const Op& op, uint32_t features) {
    return std::visit([&](const auto& o) { return (o.feature & ~features) == 0; }, op);
}

bool may_sleep_out(const Op& op) {
    auto timed = [](int64_t timeout, bool intr, bool sigpending) { return timeout > 0 && timeout != INT64_MAX && !(intr && sigpending); };
    if (const auto* w = std::get_if<FenceWaitTimeout>(&op)) return timed(w->timeout, w->intr, w->sigpending);
    if (const auto* w = std::get_if<ResvWaitTimeout>(&op)) return timed(w->timeout, w->intr, w->sigpending);
    return false;
}

Op op_of_kind(size_t kind) { return op_of_kind_impl(kind, std::make_index_sequence<kOpKinds>{}); }

int op_kind_by_name(std::string_view name) {
    for (size_t i = 0; i < kOpKinds; ++i)
        if (kNames[i] == name) return static_cast<int>(i);
    return -1;
}

}  // namespace resvcheck
