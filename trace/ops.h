// ops.h - the operation vocabulary: one struct per kernel entry point, described once.
//
// Every op is a plain struct named after the kernel function it drives, with its fields declared
// through BOOST_HANA_DEFINE_STRUCT. From that single description come the text form (print/parse in
// text_format.h), the plugin ABI encoding (abi_codec.h), the fuzz/generator decoder (decoder.h) and
// dispatch (std::visit over Op). Adding an op means adding a struct here, appending it to Op, and
// teaching the model and the adapters that support it.
//
//   Op op = ResvAddFence{ResvH{0}, FenceH{1}, Usage::WRITE};
//   print_op(op) == "resv_add_fence r0 f1 WRITE"
//
// Field conventions in text: handles and usages are bare tokens in declaration order; numbers and
// flags are `name=value` and may be omitted when zero; an optional acquire context may be omitted.
#pragma once

#include <boost/hana/define_struct.hpp>
#include <cstdint>
#include <string_view>
#include <variant>

#include "handles.h"
#include "resvcheck_plugin.h"

namespace resvcheck {

// What the return value of an op means, which decides how it is printed and compared.
enum class RetKind : uint8_t { None, Errno, Bool, Int, Usage, Ctx };

// Which parts of an Observation an op can produce besides side effects (callbacks, releases,
// deadlines and warnings can come from any op).
enum class Yields : uint8_t {
    Nothing,
    Entries,        // fences with their usages (walks, iterator steps)
    Fences,         // fences without usages (get_fences, get_singleton)
};

#define RESVCHECK_OP_TRAITS(kname, abi_id, retk, yields_, iterator_)                                 \
    static constexpr std::string_view name = kname;                                              \
    static constexpr uint32_t abi = abi_id;                                                      \
    static constexpr RetKind ret = RetKind::retk;                                                \
    static constexpr Yields yields = Yields::yields_;                                            \
    static constexpr bool iterator = iterator_

// ---- dma_fence ------------------------------------------------------------------------------
struct FenceContextAlloc {
    RESVCHECK_OP_TRAITS("fence_context_alloc", RC_OP_FENCE_CONTEXT_ALLOC, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceContextAlloc, (CtxH, c), (bool, seqno64));
};
struct FenceInit {
    RESVCHECK_OP_TRAITS("fence_init", RC_OP_FENCE_INIT, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceInit, (FenceH, f), (CtxH, c), (uint64_t, seqno));
};
struct FenceSignal {
    RESVCHECK_OP_TRAITS("fence_signal", RC_OP_FENCE_SIGNAL, Errno, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceSignal, (FenceH, f));
};
struct FenceSetError {
    RESVCHECK_OP_TRAITS("fence_set_error", RC_OP_FENCE_SET_ERROR, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceSetError, (FenceH, f), (int64_t, error));
};
struct FenceGetStatus {
    RESVCHECK_OP_TRAITS("fence_get_status", RC_OP_FENCE_GET_STATUS, Errno, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceGetStatus, (FenceH, f));
};
struct FenceIsSignaled {
    RESVCHECK_OP_TRAITS("fence_is_signaled", RC_OP_FENCE_IS_SIGNALED, Bool, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceIsSignaled, (FenceH, f));
};
struct FenceIsLater {
    RESVCHECK_OP_TRAITS("fence_is_later", RC_OP_FENCE_IS_LATER, Bool, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceIsLater, (FenceH, f1), (FenceH, f2));
};
struct FenceIsLaterOrSame {
    RESVCHECK_OP_TRAITS("fence_is_later_or_same", RC_OP_FENCE_IS_LATER_OR_SAME, Bool, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceIsLaterOrSame, (FenceH, f1), (FenceH, f2));
};
struct FenceAddCallback {
    RESVCHECK_OP_TRAITS("fence_add_callback", RC_OP_FENCE_ADD_CALLBACK, Errno, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceAddCallback, (FenceH, f), (CbH, cb));
};
struct FenceRemoveCallback {
    RESVCHECK_OP_TRAITS("fence_remove_callback", RC_OP_FENCE_REMOVE_CALLBACK, Bool, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceRemoveCallback, (FenceH, f), (CbH, cb));
};
struct FenceGet {
    RESVCHECK_OP_TRAITS("fence_get", RC_OP_FENCE_GET, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceGet, (FenceH, f));
};
struct FencePut {
    RESVCHECK_OP_TRAITS("fence_put", RC_OP_FENCE_PUT, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FencePut, (FenceH, f));
};
struct FenceWaitTimeout {
    RESVCHECK_OP_TRAITS("fence_wait_timeout", RC_OP_FENCE_WAIT_TIMEOUT, Int, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(FenceWaitTimeout, (FenceH, f), (bool, intr), (int64_t, timeout));
};

// ---- ww_acquire_ctx ---------------------------------------------------------------------------
struct WwAcquireInit {
    RESVCHECK_OP_TRAITS("ww_acquire_init", RC_OP_WW_ACQUIRE_INIT, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(WwAcquireInit, (AcqH, a));
};
struct WwAcquireDone {
    RESVCHECK_OP_TRAITS("ww_acquire_done", RC_OP_WW_ACQUIRE_DONE, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(WwAcquireDone, (AcqH, a));
};
struct WwAcquireFini {
    RESVCHECK_OP_TRAITS("ww_acquire_fini", RC_OP_WW_ACQUIRE_FINI, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(WwAcquireFini, (AcqH, a));
};

// ---- dma_resv ---------------------------------------------------------------------------------
struct ResvInit {
    RESVCHECK_OP_TRAITS("resv_init", RC_OP_RESV_INIT, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvInit, (ResvH, r));
};
struct ResvFini {
    RESVCHECK_OP_TRAITS("resv_fini", RC_OP_RESV_FINI, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvFini, (ResvH, r));
};
struct ResvLock {
    RESVCHECK_OP_TRAITS("resv_lock", RC_OP_RESV_LOCK, Errno, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvLock, (ResvH, r), (OptAcqH, a));
};
struct ResvLockInterruptible {
    RESVCHECK_OP_TRAITS("resv_lock_interruptible", RC_OP_RESV_LOCK_INTERRUPTIBLE, Errno, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvLockInterruptible, (ResvH, r), (OptAcqH, a), (bool, sigpending));
};
struct ResvLockSlow {
    RESVCHECK_OP_TRAITS("resv_lock_slow", RC_OP_RESV_LOCK_SLOW, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvLockSlow, (ResvH, r), (AcqH, a));
};
struct ResvLockSlowInterruptible {
    RESVCHECK_OP_TRAITS("resv_lock_slow_interruptible", RC_OP_RESV_LOCK_SLOW_INTERRUPTIBLE, Errno, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvLockSlowInterruptible, (ResvH, r), (AcqH, a), (bool, sigpending));
};
struct ResvTrylock {
    RESVCHECK_OP_TRAITS("resv_trylock", RC_OP_RESV_TRYLOCK, Bool, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvTrylock, (ResvH, r));
};
struct ResvUnlock {
    RESVCHECK_OP_TRAITS("resv_unlock", RC_OP_RESV_UNLOCK, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvUnlock, (ResvH, r));
};
struct ResvIsLocked {
    RESVCHECK_OP_TRAITS("resv_is_locked", RC_OP_RESV_IS_LOCKED, Bool, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvIsLocked, (ResvH, r));
};
struct ResvLockingCtx {
    RESVCHECK_OP_TRAITS("resv_locking_ctx", RC_OP_RESV_LOCKING_CTX, Ctx, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvLockingCtx, (ResvH, r));
};
struct ResvReserveFences {
    RESVCHECK_OP_TRAITS("resv_reserve_fences", RC_OP_RESV_RESERVE_FENCES, Errno, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvReserveFences, (ResvH, r), (uint32_t, num_fences));
};
struct ResvAddFence {
    RESVCHECK_OP_TRAITS("resv_add_fence", RC_OP_RESV_ADD_FENCE, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvAddFence, (ResvH, r), (FenceH, f), (Usage, usage));
};
struct ResvReplaceFences {
    RESVCHECK_OP_TRAITS("resv_replace_fences", RC_OP_RESV_REPLACE_FENCES, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvReplaceFences, (ResvH, r), (CtxH, c), (FenceH, f), (Usage, usage));
};
struct ResvCopyFences {
    RESVCHECK_OP_TRAITS("resv_copy_fences", RC_OP_RESV_COPY_FENCES, Errno, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvCopyFences, (ResvH, dst), (ResvH, src));
};
struct ResvGetFences {
    RESVCHECK_OP_TRAITS("resv_get_fences", RC_OP_RESV_GET_FENCES, Errno, Fences, false);
    BOOST_HANA_DEFINE_STRUCT(ResvGetFences, (ResvH, r), (Usage, usage));
};
struct ResvGetSingleton {
    RESVCHECK_OP_TRAITS("resv_get_singleton", RC_OP_RESV_GET_SINGLETON, Errno, Fences, false);
    BOOST_HANA_DEFINE_STRUCT(ResvGetSingleton, (ResvH, r), (Usage, usage));
};
struct ResvTestSignaled {
    RESVCHECK_OP_TRAITS("resv_test_signaled", RC_OP_RESV_TEST_SIGNALED, Bool, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvTestSignaled, (ResvH, r), (Usage, usage));
};
struct ResvWaitTimeout {
    RESVCHECK_OP_TRAITS("resv_wait_timeout", RC_OP_RESV_WAIT_TIMEOUT, Int, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvWaitTimeout, (ResvH, r), (Usage, usage), (bool, intr), (int64_t, timeout));
};
struct ResvSetDeadline {
    RESVCHECK_OP_TRAITS("resv_set_deadline", RC_OP_RESV_SET_DEADLINE, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvSetDeadline, (ResvH, r), (Usage, usage));
};
struct ResvUsageRw {
    RESVCHECK_OP_TRAITS("resv_usage_rw", RC_OP_RESV_USAGE_RW, Usage, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvUsageRw, (bool, write));
};
struct ResvForEachFence {
    RESVCHECK_OP_TRAITS("resv_for_each_fence", RC_OP_RESV_FOR_EACH_FENCE, None, Entries, false);
    BOOST_HANA_DEFINE_STRUCT(ResvForEachFence, (ResvH, r), (Usage, usage));
};
struct ResvForEachFenceUnlocked {
    RESVCHECK_OP_TRAITS("resv_for_each_fence_unlocked", RC_OP_RESV_FOR_EACH_FENCE_UNLOCKED, None, Entries, true);
    BOOST_HANA_DEFINE_STRUCT(ResvForEachFenceUnlocked, (ResvH, r), (Usage, usage));
};
struct ResvIterBegin {
    RESVCHECK_OP_TRAITS("resv_iter_begin", RC_OP_RESV_ITER_BEGIN, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvIterBegin, (IterH, i), (ResvH, r), (Usage, usage));
};
struct ResvIterFirst {
    RESVCHECK_OP_TRAITS("resv_iter_first", RC_OP_RESV_ITER_FIRST, None, Entries, true);
    BOOST_HANA_DEFINE_STRUCT(ResvIterFirst, (IterH, i));
};
struct ResvIterNext {
    RESVCHECK_OP_TRAITS("resv_iter_next", RC_OP_RESV_ITER_NEXT, None, Entries, true);
    BOOST_HANA_DEFINE_STRUCT(ResvIterNext, (IterH, i));
};
struct ResvIterFirstUnlocked {
    RESVCHECK_OP_TRAITS("resv_iter_first_unlocked", RC_OP_RESV_ITER_FIRST_UNLOCKED, None, Entries, true);
    BOOST_HANA_DEFINE_STRUCT(ResvIterFirstUnlocked, (IterH, i));
};
struct ResvIterNextUnlocked {
    RESVCHECK_OP_TRAITS("resv_iter_next_unlocked", RC_OP_RESV_ITER_NEXT_UNLOCKED, None, Entries, true);
    BOOST_HANA_DEFINE_STRUCT(ResvIterNextUnlocked, (IterH, i));
};
struct ResvIterEnd {
    RESVCHECK_OP_TRAITS("resv_iter_end", RC_OP_RESV_ITER_END, None, Nothing, false);
    BOOST_HANA_DEFINE_STRUCT(ResvIterEnd, (IterH, i));
};

#undef RESVCHECK_OP_TRAITS

using Op = std::variant<
    FenceContextAlloc, FenceInit, FenceSignal, FenceSetError, FenceGetStatus, FenceIsSignaled,
    FenceIsLater, FenceIsLaterOrSame, FenceAddCallback, FenceRemoveCallback, FenceGet, FencePut,
    FenceWaitTimeout, WwAcquireInit, WwAcquireDone, WwAcquireFini, ResvInit, ResvFini, ResvLock,
    ResvLockInterruptible, ResvLockSlow, ResvLockSlowInterruptible, ResvTrylock, ResvUnlock,
    ResvIsLocked, ResvLockingCtx, ResvReserveFences, ResvAddFence, ResvReplaceFences,
    ResvCopyFences, ResvGetFences, ResvGetSingleton, ResvTestSignaled, ResvWaitTimeout,
    ResvSetDeadline, ResvUsageRw, ResvForEachFence, ResvForEachFenceUnlocked, ResvIterBegin,
    ResvIterFirst, ResvIterNext, ResvIterFirstUnlocked, ResvIterNextUnlocked, ResvIterEnd>;

inline constexpr size_t kOpKinds = std::variant_size_v<Op>;

std::string_view op_name(const Op& op);
uint32_t op_abi(const Op& op);
RetKind op_ret(const Op& op);
Yields op_yields(const Op& op);
bool op_is_iterator_step(const Op& op);

// The op kind (variant index) for a kernel name, or -1.
int op_kind_by_name(std::string_view name);
// Kernel names of every op, in variant order (for help texts and error messages).
std::string_view op_kind_name(size_t kind);

}  // namespace resvcheck
