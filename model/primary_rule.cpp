// The rule a BUG() during an op breaks: what the op promises when its preconditions hold.
#include "detail/op_rules.h"

namespace resvcheck::detail {

Rule primary_rule(const Op& op) {
    return std::visit(
        [](const auto& o) -> Rule {
            using O = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<O, ResvAddFence>) return Rule::RESV_RESERVE_GUARANTEE;
            else if constexpr (std::is_same_v<O, ResvReserveFences>) return Rule::RESV_RESERVE_OK;
            else if constexpr (std::is_same_v<O, ResvReplaceFences>) return Rule::RESV_REPLACE_ALL_OF_CONTEXT;
            else if constexpr (std::is_same_v<O, ResvCopyFences>) return Rule::RESV_COPY_RETURNS_0;
            else if constexpr (std::is_same_v<O, ResvLock> || std::is_same_v<O, ResvLockInterruptible>) return Rule::WW_LOCK_UNCONTENDED;
            else if constexpr (std::is_same_v<O, ResvLockSlow> || std::is_same_v<O, ResvLockSlowInterruptible>) return Rule::WW_LOCK_SLOW;
            else if constexpr (std::is_same_v<O, ResvTrylock>) return Rule::WW_TRYLOCK;
            else if constexpr (std::is_same_v<O, ResvUnlock>) return Rule::WW_UNLOCK;
            else if constexpr (std::is_same_v<O, ResvFini>) return Rule::RESV_FINI_DROPS_REFS;
            else if constexpr (std::is_same_v<O, FenceSignal>) return Rule::FENCE_SIGNAL_FIRST;
            else if constexpr (std::is_same_v<O, FencePut> || std::is_same_v<O, FenceGet>) return Rule::FENCE_REF_RELEASE;
            else if constexpr (std::is_same_v<O, FenceAddCallback>) return Rule::FENCE_CB_ADD_PENDING;
            else if constexpr (std::is_same_v<O, FenceRemoveCallback>) return Rule::FENCE_CB_REMOVE_PENDING;
            else if constexpr (std::is_same_v<O, ResvGetFences>) return Rule::RESV_GET_FENCES;
            else if constexpr (std::is_same_v<O, ResvGetSingleton>) return Rule::RESV_SINGLETON_ARRAY;
            else if constexpr (O::iterator || std::is_same_v<O, ResvIterEnd>) return Rule::RESV_ITER_HOLDS_REF;
            else if constexpr (std::is_same_v<O, ResvForEachFence>) return Rule::RESV_ITER_LOCKED_ALL;
            else return Rule::WARN_ONLY_PREDICTED;
        },
        op);
}

}  // namespace resvcheck::detail
