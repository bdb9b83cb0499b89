// ops.h - the operation vocabulary: one struct per kernel entry point, described once.
//
// Every op is a plain struct named after the kernel function it drives, with its fields declared
// through BOOST_HANA_DEFINE_STRUCT. From that single description come the text form (print/parse in
// text_format.h), the plugin ABI encoding (abi_codec.h), the fuzz/generator decoder (decoder.h) and
// dispatch (std::visit over Op). Adding an op means adding its row to the ABI's op list
// (abi/resvcheck_plugin.h), a struct here appended to Op, its judgement in one model file, and its
// implementation in each adapter that provides it; a test checks the ABI list and Op agree.
//
//   Op op = ResvAddFence{ResvH{0}, FenceH{1}, Usage::WRITE};
//   print_op(op) == "resv_add_fence r0 f1 WRITE"
//
// Field conventions in text: handles and usages are bare tokens in declaration order; numbers and
// flags are `name=value` and may be omitted when zero; an optional acquire context may be omitted.
#pragma once

#include <boost/hana/define_struct.hpp>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "handles.h"
#include "resvcheck_plugin.h"
#include "rules.h"

namespace resvcheck {

// What the return value of an op means, which decides how it is printed and compared.
enum class RetKind : uint8_t { None, Errno, Bool, Usage, Ctx };  // Errno: a number, negative ones named

// Which parts of an Observation an op can produce besides side effects (callbacks, releases,
// deadlines and warnings can come from any op).
enum class Yields : uint8_t {
    Nothing,
    Entries,        // fences with their usages (walks, iterator steps)
    Fences,         // fences without usages (get_fences, get_singleton)
};

// The facts every front end needs about an op, declared with it:
//   name      the kernel-style name of the text form
//   abi       its number in the plugin ABI (abi/resvcheck_plugin.h); the API feature it needs comes
//             from the ABI's op list, so supports() tables and Model::has_op read one source
//   ret       what its return value means; yields: which fence lists it reports
//   iterator  a step of an iterator (judged against the walk so far)
//   bug_rule  the rule a BUG() during it breaks when no return-value rule names it: what the op
//             promises when its preconditions hold
//   creates   the handle kind whose first field of that kind it brings into existence (the
//             shrinker renumbers by it, the decoder names new objects by it)
#define RESVCHECK_OP_TRAITS(kname, abi_name, retk, yields_, iterator_, bug_rule_, creates_)          \
    static constexpr std::string_view name = kname;                                              \
    static constexpr uint32_t abi = RC_OP_##abi_name;                                            \
    static constexpr uint32_t feature = abi_feature(RC_OP_##abi_name);                           \
    static constexpr RetKind ret = RetKind::retk;                                                \
    static constexpr Yields yields = Yields::yields_;                                            \
    static constexpr bool iterator = iterator_;                                                  \
    static constexpr Rule bug_rule = Rule::bug_rule_;                                            \
    static constexpr std::optional<HandleKind> creates = creates_

// The ABI's op list as constexpr lookups (number -> API feature, argument count).
constexpr uint32_t abi_feature(uint32_t kind) {
    switch (kind) {
#define RC_OP_FEATURE_(name, num, nargs, feature, doc) case num: return feature;
        RESVCHECK_OP_LIST(RC_OP_FEATURE_)
#undef RC_OP_FEATURE_
    }
    return ~0u;  // not in the ABI: fails to compile where a trait names it
}
constexpr int abi_nargs(uint32_t kind) {
    switch (kind) {
#define RC_OP_NARGS_(name, num, nargs, feature, doc) case num: return nargs;
        RESVCHECK_OP_LIST(RC_OP_NARGS_)
#undef RC_OP_NARGS_
    }
    return -1;
}

// ---- dma_fence ------------------------------------------------------------------------------
struct FenceContextAlloc {
    RESVCHECK_OP_TRAITS("fence_context_alloc", FENCE_CONTEXT_ALLOC, None, Nothing, false, WARN_ONLY_PREDICTED, HandleKind::Ctx);
    BOOST_HANA_DEFINE_STRUCT(FenceContextAlloc, (CtxH, c), (bool, seqno64));
    friend bool operator==(const FenceContextAlloc&, const FenceContextAlloc&) = default;
};
struct FenceInit {
    RESVCHECK_OP_TRAITS("fence_init", FENCE_INIT, None, Nothing, false, WARN_ONLY_PREDICTED, HandleKind::Fence);
    BOOST_HANA_DEFINE_STRUCT(FenceInit, (FenceH, f), (CtxH, c), (uint64_t, seqno));
    friend bool operator==(const FenceInit&, const FenceInit&) = default;
};
struct FenceSignal {
    RESVCHECK_OP_TRAITS("fence_signal", FENCE_SIGNAL, Errno, Nothing, false, FENCE_SIGNAL_FIRST, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceSignal, (FenceH, f));
    friend bool operator==(const FenceSignal&, const FenceSignal&) = default;
};
struct FenceSetError {
    RESVCHECK_OP_TRAITS("fence_set_error", FENCE_SET_ERROR, None, Nothing, false, FENCE_ERROR_BEFORE_SIGNAL, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceSetError, (FenceH, f), (int64_t, error));
    friend bool operator==(const FenceSetError&, const FenceSetError&) = default;
};
struct FenceGetStatus {
    RESVCHECK_OP_TRAITS("fence_get_status", FENCE_GET_STATUS, Errno, Nothing, false, FENCE_STATUS_PENDING, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceGetStatus, (FenceH, f));
    friend bool operator==(const FenceGetStatus&, const FenceGetStatus&) = default;
};
struct FenceIsSignaled {
    RESVCHECK_OP_TRAITS("fence_is_signaled", FENCE_IS_SIGNALED, Bool, Nothing, false, FENCE_SIGNALED_STICKY, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceIsSignaled, (FenceH, f));
    friend bool operator==(const FenceIsSignaled&, const FenceIsSignaled&) = default;
};
struct FenceIsLater {
    RESVCHECK_OP_TRAITS("fence_is_later", FENCE_IS_LATER, Bool, Nothing, false, FENCE_SEQNO_LATER_32, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceIsLater, (FenceH, f1), (FenceH, f2));
    friend bool operator==(const FenceIsLater&, const FenceIsLater&) = default;
};
struct FenceIsLaterOrSame {
    RESVCHECK_OP_TRAITS("fence_is_later_or_same", FENCE_IS_LATER_OR_SAME, Bool, Nothing, false, FENCE_LATER_OR_SAME_IDENTITY, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceIsLaterOrSame, (FenceH, f1), (FenceH, f2));
    friend bool operator==(const FenceIsLaterOrSame&, const FenceIsLaterOrSame&) = default;
};
struct FenceAddCallback {
    RESVCHECK_OP_TRAITS("fence_add_callback", FENCE_ADD_CALLBACK, Errno, Nothing, false, FENCE_CB_ADD_PENDING, HandleKind::Cb);
    BOOST_HANA_DEFINE_STRUCT(FenceAddCallback, (FenceH, f), (CbH, cb));
    friend bool operator==(const FenceAddCallback&, const FenceAddCallback&) = default;
};
struct FenceRemoveCallback {
    RESVCHECK_OP_TRAITS("fence_remove_callback", FENCE_REMOVE_CALLBACK, Bool, Nothing, false, FENCE_CB_REMOVE_PENDING, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceRemoveCallback, (FenceH, f), (CbH, cb));
    friend bool operator==(const FenceRemoveCallback&, const FenceRemoveCallback&) = default;
};
struct FenceGet {
    RESVCHECK_OP_TRAITS("fence_get", FENCE_GET, None, Nothing, false, FENCE_REF_RELEASE, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceGet, (FenceH, f));
    friend bool operator==(const FenceGet&, const FenceGet&) = default;
};
struct FencePut {
    RESVCHECK_OP_TRAITS("fence_put", FENCE_PUT, None, Nothing, false, FENCE_REF_RELEASE, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FencePut, (FenceH, f));
    friend bool operator==(const FencePut&, const FencePut&) = default;
};
struct FenceWaitTimeout {
    RESVCHECK_OP_TRAITS("fence_wait_timeout", FENCE_WAIT_TIMEOUT, Errno, Nothing, false, FENCE_WAIT_POLL, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceWaitTimeout, (FenceH, f), (bool, intr), (int64_t, timeout), (bool, sigpending));
    friend bool operator==(const FenceWaitTimeout&, const FenceWaitTimeout&) = default;
};
// dma_fence_wait_any_timeout over an array of 1-4 fences (f1..f3 in order, absent ones last);
// flags: bit 0 intr, bit 1 a signal is pending. Yields the fence at *idx on a positive return.
struct FenceWaitAnyTimeout {
    RESVCHECK_OP_TRAITS("fence_wait_any_timeout", FENCE_WAIT_ANY_TIMEOUT, Errno, Fences, false, FENCE_WAIT_ANY_WOKEN, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceWaitAnyTimeout, (FenceH, f0), (OptFenceH, f1), (OptFenceH, f2), (OptFenceH, f3), (int64_t, timeout),
                             (uint32_t, flags));
    friend bool operator==(const FenceWaitAnyTimeout&, const FenceWaitAnyTimeout&) = default;
    static constexpr uint32_t kIntr = 1, kSigpending = 2;
};

// ---- fence containers: chains, arrays, unwrap/merge, the private stub ---------------------------
// A container is named by a fence handle like any fence; the harness holds one reference on it.
struct FenceChainInit {
    RESVCHECK_OP_TRAITS("fence_chain_init", FENCE_CHAIN_INIT, None, Nothing, false, CHAIN_INIT_CONTEXT, HandleKind::Fence);
    BOOST_HANA_DEFINE_STRUCT(FenceChainInit, (FenceH, f), (FenceH, fence), (OptFenceH, prev), (uint64_t, seqno));
    friend bool operator==(const FenceChainInit&, const FenceChainInit&) = default;
};
struct FenceChainFindSeqno {
    RESVCHECK_OP_TRAITS("fence_chain_find_seqno", FENCE_CHAIN_FIND_SEQNO, Errno, Fences, false, CHAIN_FIND_SEQNO, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceChainFindSeqno, (FenceH, f), (uint64_t, seqno));
    friend bool operator==(const FenceChainFindSeqno&, const FenceChainFindSeqno&) = default;
};
struct FenceChainWalk {
    RESVCHECK_OP_TRAITS("fence_chain_walk", FENCE_CHAIN_WALK, None, Fences, false, CHAIN_WALK_COLLECTS, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceChainWalk, (FenceH, f));
    friend bool operator==(const FenceChainWalk&, const FenceChainWalk&) = default;
};
struct FenceArrayCreate {
    RESVCHECK_OP_TRAITS("fence_array_create", FENCE_ARRAY_CREATE, Errno, Nothing, false, ARRAY_REFS, HandleKind::Fence);
    BOOST_HANA_DEFINE_STRUCT(FenceArrayCreate, (FenceH, f), (FenceH, m0), (OptFenceH, m1), (OptFenceH, m2), (OptFenceH, m3),
                             (bool, signal_on_any));
    friend bool operator==(const FenceArrayCreate&, const FenceArrayCreate&) = default;
};
struct FenceUnwrap {
    RESVCHECK_OP_TRAITS("fence_unwrap", FENCE_UNWRAP, None, Fences, false, UNWRAP_LEAVES, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceUnwrap, (FenceH, f));
    friend bool operator==(const FenceUnwrap&, const FenceUnwrap&) = default;
};
struct FenceUnwrapMerge {
    RESVCHECK_OP_TRAITS("fence_unwrap_merge", FENCE_UNWRAP_MERGE, Errno, Fences, false, MERGE_ARRAY, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceUnwrapMerge, (FenceH, m0), (OptFenceH, m1), (OptFenceH, m2), (OptFenceH, m3));
    friend bool operator==(const FenceUnwrapMerge&, const FenceUnwrapMerge&) = default;
};
struct FenceAllocatePrivateStub {
    RESVCHECK_OP_TRAITS("fence_allocate_private_stub", FENCE_ALLOCATE_PRIVATE_STUB, Errno, Nothing, false, STUB_SIGNALED, HandleKind::Fence);
    BOOST_HANA_DEFINE_STRUCT(FenceAllocatePrivateStub, (FenceH, f));
    friend bool operator==(const FenceAllocatePrivateStub&, const FenceAllocatePrivateStub&) = default;
};
struct FenceGetStub {
    RESVCHECK_OP_TRAITS("fence_get_stub", FENCE_GET_STUB, Errno, Nothing, false, STUB_GLOBAL_SIGNALED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceGetStub);
    friend bool operator==(const FenceGetStub&, const FenceGetStub&) = default;
};
struct FenceIsContainer {
    RESVCHECK_OP_TRAITS("fence_is_container", FENCE_IS_CONTAINER, Bool, Nothing, false, FENCE_IS_CONTAINER, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceIsContainer, (FenceH, f));
    friend bool operator==(const FenceIsContainer&, const FenceIsContainer&) = default;
};
// ---- kernels: the dma_fence API newer kernels add (features the ABI names) ----------------------
struct FenceCheckAndSignal {
    RESVCHECK_OP_TRAITS("fence_check_and_signal", FENCE_CHECK_AND_SIGNAL, Bool, Nothing, false, FENCE_CHECK_AND_SIGNAL_FIRST, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceCheckAndSignal, (FenceH, f));
    friend bool operator==(const FenceCheckAndSignal&, const FenceCheckAndSignal&) = default;
};
struct FenceDriverName {
    RESVCHECK_OP_TRAITS("fence_driver_name", FENCE_DRIVER_NAME, Bool, Nothing, false, FENCE_NAME_UNSIGNALED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceDriverName, (FenceH, f));
    friend bool operator==(const FenceDriverName&, const FenceDriverName&) = default;
};
struct FenceTimelineName {
    RESVCHECK_OP_TRAITS("fence_timeline_name", FENCE_TIMELINE_NAME, Bool, Nothing, false, FENCE_NAME_UNSIGNALED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceTimelineName, (FenceH, f));
    friend bool operator==(const FenceTimelineName&, const FenceTimelineName&) = default;
};
struct FenceWasInitialized {
    RESVCHECK_OP_TRAITS("fence_was_initialized", FENCE_WAS_INITIALIZED, Bool, Nothing, false, FENCE_WAS_INITIALIZED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceWasInitialized, (FenceH, f));
    friend bool operator==(const FenceWasInitialized&, const FenceWasInitialized&) = default;
};
struct FenceDedupArray {
    RESVCHECK_OP_TRAITS("fence_dedup_array", FENCE_DEDUP_ARRAY, Errno, Fences, false, FENCE_DEDUP_LATEST, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceDedupArray, (FenceH, f1), (FenceH, f2), (FenceH, f3), (FenceH, f4));
    friend bool operator==(const FenceDedupArray&, const FenceDedupArray&) = default;
};
struct FenceInitInline {
    RESVCHECK_OP_TRAITS("fence_init_inline", FENCE_INIT_INLINE, None, Nothing, false, FENCE_INIT_INLINE_LOCK, HandleKind::Fence);
    BOOST_HANA_DEFINE_STRUCT(FenceInitInline, (FenceH, f), (CtxH, c), (uint64_t, seqno));
    friend bool operator==(const FenceInitInline&, const FenceInitInline&) = default;
};

// ---- allocation failure ---------------------------------------------------------------------------
// Arms the nth allocation of the next op to fail; only the allocating ops named in the ABI honour it.
struct FailAlloc {
    RESVCHECK_OP_TRAITS("fail_alloc", FAIL_ALLOC, None, Nothing, false, ALLOC_NO_LEAK, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FailAlloc, (uint32_t, nth));
    friend bool operator==(const FailAlloc&, const FailAlloc&) = default;
};

// ---- time -----------------------------------------------------------------------------------------
// The calling thread sleeps on the implementation's virtual clock: how a concurrent block lets time
// pass between a signaller's steps while another thread waits.
struct Sleep {
    RESVCHECK_OP_TRAITS("sleep", SLEEP, None, Nothing, false, TIME_SLEEP, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(Sleep, (uint32_t, jiffies));
    friend bool operator==(const Sleep&, const Sleep&) = default;
};

// ---- teardown -------------------------------------------------------------------------------------
// The end of a generated case: the implementation ends, finishes and drops everything the trace
// left, so every fence must be released; with `memory`, nothing the implementation allocated may
// remain either (sent to implementations that count their allocations: runner.h teardown_for).
struct Teardown {
    RESVCHECK_OP_TRAITS("teardown", TEARDOWN, None, Nothing, false, FENCE_REF_RELEASE, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(Teardown, (uint32_t, memory));
    friend bool operator==(const Teardown&, const Teardown&) = default;
};

// ---- ww_acquire_ctx ---------------------------------------------------------------------------
struct WwAcquireInit {
    RESVCHECK_OP_TRAITS("ww_acquire_init", WW_ACQUIRE_INIT, None, Nothing, false, WARN_ONLY_PREDICTED, HandleKind::Acq);
    BOOST_HANA_DEFINE_STRUCT(WwAcquireInit, (AcqH, a));
    friend bool operator==(const WwAcquireInit&, const WwAcquireInit&) = default;
};
struct WwAcquireDone {
    RESVCHECK_OP_TRAITS("ww_acquire_done", WW_ACQUIRE_DONE, None, Nothing, false, WARN_ONLY_PREDICTED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(WwAcquireDone, (AcqH, a));
    friend bool operator==(const WwAcquireDone&, const WwAcquireDone&) = default;
};
struct WwAcquireFini {
    RESVCHECK_OP_TRAITS("ww_acquire_fini", WW_ACQUIRE_FINI, None, Nothing, false, WARN_ONLY_PREDICTED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(WwAcquireFini, (AcqH, a));
    friend bool operator==(const WwAcquireFini&, const WwAcquireFini&) = default;
};

// ---- dma_resv ---------------------------------------------------------------------------------
struct ResvInit {
    RESVCHECK_OP_TRAITS("resv_init", RESV_INIT, None, Nothing, false, WARN_ONLY_PREDICTED, HandleKind::Resv);
    BOOST_HANA_DEFINE_STRUCT(ResvInit, (ResvH, r));
    friend bool operator==(const ResvInit&, const ResvInit&) = default;
};
struct ResvFini {
    RESVCHECK_OP_TRAITS("resv_fini", RESV_FINI, None, Nothing, false, RESV_FINI_DROPS_REFS, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvFini, (ResvH, r));
    friend bool operator==(const ResvFini&, const ResvFini&) = default;
};
struct ResvLock {
    RESVCHECK_OP_TRAITS("resv_lock", RESV_LOCK, Errno, Nothing, false, WW_LOCK_UNCONTENDED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvLock, (ResvH, r), (OptAcqH, a));
    friend bool operator==(const ResvLock&, const ResvLock&) = default;
};
struct ResvLockInterruptible {
    RESVCHECK_OP_TRAITS("resv_lock_interruptible", RESV_LOCK_INTERRUPTIBLE, Errno, Nothing, false, WW_LOCK_UNCONTENDED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvLockInterruptible, (ResvH, r), (OptAcqH, a), (bool, sigpending));
    friend bool operator==(const ResvLockInterruptible&, const ResvLockInterruptible&) = default;
};
struct ResvLockSlow {
    RESVCHECK_OP_TRAITS("resv_lock_slow", RESV_LOCK_SLOW, None, Nothing, false, WW_LOCK_SLOW, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvLockSlow, (ResvH, r), (AcqH, a));
    friend bool operator==(const ResvLockSlow&, const ResvLockSlow&) = default;
};
struct ResvLockSlowInterruptible {
    RESVCHECK_OP_TRAITS("resv_lock_slow_interruptible", RESV_LOCK_SLOW_INTERRUPTIBLE, Errno, Nothing, false, WW_LOCK_SLOW, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvLockSlowInterruptible, (ResvH, r), (AcqH, a), (bool, sigpending));
    friend bool operator==(const ResvLockSlowInterruptible&, const ResvLockSlowInterruptible&) = default;
};
struct ResvTrylock {
    RESVCHECK_OP_TRAITS("resv_trylock", RESV_TRYLOCK, Bool, Nothing, false, WW_TRYLOCK, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvTrylock, (ResvH, r));
    friend bool operator==(const ResvTrylock&, const ResvTrylock&) = default;
};
struct ResvUnlock {
    RESVCHECK_OP_TRAITS("resv_unlock", RESV_UNLOCK, None, Nothing, false, WW_UNLOCK, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvUnlock, (ResvH, r));
    friend bool operator==(const ResvUnlock&, const ResvUnlock&) = default;
};
struct ResvIsLocked {
    RESVCHECK_OP_TRAITS("resv_is_locked", RESV_IS_LOCKED, Bool, Nothing, false, WW_IS_LOCKED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvIsLocked, (ResvH, r));
    friend bool operator==(const ResvIsLocked&, const ResvIsLocked&) = default;
};
struct ResvLockingCtx {
    RESVCHECK_OP_TRAITS("resv_locking_ctx", RESV_LOCKING_CTX, Ctx, Nothing, false, WW_LOCKING_CTX, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvLockingCtx, (ResvH, r));
    friend bool operator==(const ResvLockingCtx&, const ResvLockingCtx&) = default;
};
struct ResvReserveFences {
    RESVCHECK_OP_TRAITS("resv_reserve_fences", RESV_RESERVE_FENCES, Errno, Nothing, false, RESV_RESERVE_OK, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvReserveFences, (ResvH, r), (uint32_t, num_fences));
    friend bool operator==(const ResvReserveFences&, const ResvReserveFences&) = default;
};
struct ResvAddFence {
    RESVCHECK_OP_TRAITS("resv_add_fence", RESV_ADD_FENCE, None, Nothing, false, RESV_RESERVE_GUARANTEE, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvAddFence, (ResvH, r), (FenceH, f), (Usage, usage));
    friend bool operator==(const ResvAddFence&, const ResvAddFence&) = default;
};
struct ResvReplaceFences {
    RESVCHECK_OP_TRAITS("resv_replace_fences", RESV_REPLACE_FENCES, None, Nothing, false, RESV_REPLACE_ALL_OF_CONTEXT, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvReplaceFences, (ResvH, r), (CtxH, c), (FenceH, f), (Usage, usage));
    friend bool operator==(const ResvReplaceFences&, const ResvReplaceFences&) = default;
};
struct ResvCopyFences {
    RESVCHECK_OP_TRAITS("resv_copy_fences", RESV_COPY_FENCES, Errno, Nothing, false, RESV_COPY_RETURNS_0, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvCopyFences, (ResvH, dst), (ResvH, src));
    friend bool operator==(const ResvCopyFences&, const ResvCopyFences&) = default;
};
struct ResvGetFences {
    RESVCHECK_OP_TRAITS("resv_get_fences", RESV_GET_FENCES, Errno, Fences, false, RESV_GET_FENCES, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvGetFences, (ResvH, r), (Usage, usage));
    friend bool operator==(const ResvGetFences&, const ResvGetFences&) = default;
};
struct ResvGetSingleton {
    RESVCHECK_OP_TRAITS("resv_get_singleton", RESV_GET_SINGLETON, Errno, Fences, false, RESV_SINGLETON_ARRAY, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvGetSingleton, (ResvH, r), (Usage, usage));
    friend bool operator==(const ResvGetSingleton&, const ResvGetSingleton&) = default;
};
struct ResvTestSignaled {
    RESVCHECK_OP_TRAITS("resv_test_signaled", RESV_TEST_SIGNALED, Bool, Nothing, false, RESV_TEST_SIGNALED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvTestSignaled, (ResvH, r), (Usage, usage));
    friend bool operator==(const ResvTestSignaled&, const ResvTestSignaled&) = default;
};
struct ResvWaitTimeout {
    RESVCHECK_OP_TRAITS("resv_wait_timeout", RESV_WAIT_TIMEOUT, Errno, Nothing, false, RESV_WAIT_POLL, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvWaitTimeout, (ResvH, r), (Usage, usage), (bool, intr), (int64_t, timeout), (bool, sigpending));
    friend bool operator==(const ResvWaitTimeout&, const ResvWaitTimeout&) = default;
};
struct ResvSetDeadline {
    RESVCHECK_OP_TRAITS("resv_set_deadline", RESV_SET_DEADLINE, None, Nothing, false, RESV_DEADLINE, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvSetDeadline, (ResvH, r), (Usage, usage));
    friend bool operator==(const ResvSetDeadline&, const ResvSetDeadline&) = default;
};
struct ResvUsageRw {
    RESVCHECK_OP_TRAITS("resv_usage_rw", RESV_USAGE_RW, Usage, Nothing, false, RESV_USAGE_RW, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvUsageRw, (bool, write));
    friend bool operator==(const ResvUsageRw&, const ResvUsageRw&) = default;
};
struct ResvForEachFence {
    RESVCHECK_OP_TRAITS("resv_for_each_fence", RESV_FOR_EACH_FENCE, None, Entries, false, RESV_ITER_LOCKED_ALL, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvForEachFence, (ResvH, r), (Usage, usage));
    friend bool operator==(const ResvForEachFence&, const ResvForEachFence&) = default;
};
struct ResvForEachFenceUnlocked {
    RESVCHECK_OP_TRAITS("resv_for_each_fence_unlocked", RESV_FOR_EACH_FENCE_UNLOCKED, None, Entries, true, RESV_ITER_HOLDS_REF, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvForEachFenceUnlocked, (ResvH, r), (Usage, usage));
    friend bool operator==(const ResvForEachFenceUnlocked&, const ResvForEachFenceUnlocked&) = default;
};
struct ResvIterBegin {
    RESVCHECK_OP_TRAITS("resv_iter_begin", RESV_ITER_BEGIN, None, Nothing, false, WARN_ONLY_PREDICTED, HandleKind::Iter);
    BOOST_HANA_DEFINE_STRUCT(ResvIterBegin, (IterH, i), (ResvH, r), (Usage, usage));
    friend bool operator==(const ResvIterBegin&, const ResvIterBegin&) = default;
};
struct ResvIterFirst {
    RESVCHECK_OP_TRAITS("resv_iter_first", RESV_ITER_FIRST, None, Entries, true, RESV_ITER_HOLDS_REF, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvIterFirst, (IterH, i));
    friend bool operator==(const ResvIterFirst&, const ResvIterFirst&) = default;
};
struct ResvIterNext {
    RESVCHECK_OP_TRAITS("resv_iter_next", RESV_ITER_NEXT, None, Entries, true, RESV_ITER_HOLDS_REF, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvIterNext, (IterH, i));
    friend bool operator==(const ResvIterNext&, const ResvIterNext&) = default;
};
struct ResvIterFirstUnlocked {
    RESVCHECK_OP_TRAITS("resv_iter_first_unlocked", RESV_ITER_FIRST_UNLOCKED, None, Entries, true, RESV_ITER_HOLDS_REF, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvIterFirstUnlocked, (IterH, i));
    friend bool operator==(const ResvIterFirstUnlocked&, const ResvIterFirstUnlocked&) = default;
};
struct ResvIterNextUnlocked {
    RESVCHECK_OP_TRAITS("resv_iter_next_unlocked", RESV_ITER_NEXT_UNLOCKED, None, Entries, true, RESV_ITER_HOLDS_REF, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvIterNextUnlocked, (IterH, i));
    friend bool operator==(const ResvIterNextUnlocked&, const ResvIterNextUnlocked&) = default;
};
struct ResvIterEnd {
    RESVCHECK_OP_TRAITS("resv_iter_end", RESV_ITER_END, None, Nothing, false, RESV_ITER_HOLDS_REF, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ResvIterEnd, (IterH, i));
    friend bool operator==(const ResvIterEnd&, const ResvIterEnd&) = default;
};

// ---- driver side: locking and fence signalling (lock-dependency reports, model/locking.cpp) --------
struct SigBegin {
    RESVCHECK_OP_TRAITS("dma_fence_begin_signalling", SIG_BEGIN, Bool, Nothing, false, SIG_BEGIN_COOKIE, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(SigBegin);
    friend bool operator==(const SigBegin&, const SigBegin&) = default;
};
struct SigEnd {
    RESVCHECK_OP_TRAITS("dma_fence_end_signalling", SIG_END, None, Nothing, false, SIG_END_BALANCED, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(SigEnd, (uint32_t, cookie));
    friend bool operator==(const SigEnd&, const SigEnd&) = default;
};
struct DriverAlloc {
    RESVCHECK_OP_TRAITS("driver_alloc", DRIVER_ALLOC, None, Nothing, false, SIG_NO_RECLAIM_ALLOC, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DriverAlloc, (uint32_t, gfp));
    friend bool operator==(const DriverAlloc&, const DriverAlloc&) = default;
};
struct DriverLock {
    RESVCHECK_OP_TRAITS("driver_lock", DRIVER_LOCK, None, Nothing, false, LOCKDEP_CYCLE, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DriverLock, (uint32_t, cls));
    friend bool operator==(const DriverLock&, const DriverLock&) = default;
};
struct DriverUnlock {
    RESVCHECK_OP_TRAITS("driver_unlock", DRIVER_UNLOCK, None, Nothing, false, LOCKDEP_CYCLE, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DriverUnlock, (uint32_t, cls));
    friend bool operator==(const DriverUnlock&, const DriverUnlock&) = default;
};
struct FenceMightWait {
    RESVCHECK_OP_TRAITS("dma_fence_might_wait", FENCE_MIGHT_WAIT, None, Nothing, false, SIG_NO_WAIT_LOCKS, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(FenceMightWait);
    friend bool operator==(const FenceMightWait&, const FenceMightWait&) = default;
};
struct ShrinkerScan {
    RESVCHECK_OP_TRAITS("shrinker_scan", SHRINKER_SCAN, Bool, Nothing, false, RECLAIM_SHRINKER_TRYLOCK, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(ShrinkerScan, (ResvH, r));
    friend bool operator==(const ShrinkerScan&, const ShrinkerScan&) = default;
};
struct MmuInvalidate {
    RESVCHECK_OP_TRAITS("mmu_notifier_invalidate", MMU_INVALIDATE, None, Nothing, false, SIG_NO_RECLAIM_ALLOC, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(MmuInvalidate);
    friend bool operator==(const MmuInvalidate&, const MmuInvalidate&) = default;
};
struct MightFault {
    RESVCHECK_OP_TRAITS("might_fault", MIGHT_FAULT, None, Nothing, false, SIG_NO_USER_FAULT, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(MightFault);
    friend bool operator==(const MightFault&, const MightFault&) = default;
};
struct SchedRunJob {
    RESVCHECK_OP_TRAITS("sched_run_job", SCHED_RUN_JOB, None, Nothing, false, SIG_RUN_JOB, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(SchedRunJob, (ResvH, r));
    friend bool operator==(const SchedRunJob&, const SchedRunJob&) = default;
};

// ---- drm_exec: one execution context per trace over the GEM objects of the reservation objects ----
struct DrmExecInit {
    RESVCHECK_OP_TRAITS("drm_exec_init", DRM_EXEC_INIT, None, Nothing, false, DRM_EXEC_LOOP_TERMINATES, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DrmExecInit, (uint32_t, flags));
    friend bool operator==(const DrmExecInit&, const DrmExecInit&) = default;
};
struct DrmExecCleanup {
    RESVCHECK_OP_TRAITS("drm_exec_cleanup", DRM_EXEC_CLEANUP, Bool, Nothing, false, DRM_EXEC_LOOP_TERMINATES, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DrmExecCleanup);
    friend bool operator==(const DrmExecCleanup&, const DrmExecCleanup&) = default;
};
struct DrmExecLockObj {
    RESVCHECK_OP_TRAITS("drm_exec_lock_obj", DRM_EXEC_LOCK_OBJ, Errno, Nothing, false, DRM_EXEC_LOCKED_SET, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DrmExecLockObj, (ResvH, r));
    friend bool operator==(const DrmExecLockObj&, const DrmExecLockObj&) = default;
};
struct DrmExecPrepareObj {
    RESVCHECK_OP_TRAITS("drm_exec_prepare_obj", DRM_EXEC_PREPARE_OBJ, Errno, Nothing, false, DRM_EXEC_PREPARE_RESERVES, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DrmExecPrepareObj, (ResvH, r), (uint32_t, num_fences));
    friend bool operator==(const DrmExecPrepareObj&, const DrmExecPrepareObj&) = default;
};
struct DrmExecUnlockObj {
    RESVCHECK_OP_TRAITS("drm_exec_unlock_obj", DRM_EXEC_UNLOCK_OBJ, None, Nothing, false, DRM_EXEC_UNLOCK_OBJ, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DrmExecUnlockObj, (ResvH, r));
    friend bool operator==(const DrmExecUnlockObj&, const DrmExecUnlockObj&) = default;
};
struct DrmExecFini {
    RESVCHECK_OP_TRAITS("drm_exec_fini", DRM_EXEC_FINI, None, Nothing, false, DRM_EXEC_FINI, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DrmExecFini);
    friend bool operator==(const DrmExecFini&, const DrmExecFini&) = default;
};
struct DrmExecListed {
    RESVCHECK_OP_TRAITS("drm_exec_for_each_locked_object", DRM_EXEC_LISTED, Errno, Nothing, false, DRM_EXEC_LOCKED_SET, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DrmExecListed, (ResvH, r));
    friend bool operator==(const DrmExecListed&, const DrmExecListed&) = default;
};
struct DrmGemObjectRefs {
    RESVCHECK_OP_TRAITS("drm_gem_object_refs", DRM_GEM_OBJECT_REFS, Errno, Nothing, false, DRM_EXEC_FINI, std::nullopt);
    BOOST_HANA_DEFINE_STRUCT(DrmGemObjectRefs, (ResvH, r));
    friend bool operator==(const DrmGemObjectRefs&, const DrmGemObjectRefs&) = default;
};

#undef RESVCHECK_OP_TRAITS

// Every op, once, in variant (kind) order: Op and each consumer's per-op declarations (the model's
// pre/run, model/detail/op_rules.h) come from this list. Append only: kinds are indices.
#define RESVCHECK_OP_TYPES(X)                                                                                           \
    X(FenceContextAlloc) X(FenceInit) X(FenceSignal) X(FenceSetError) X(FenceGetStatus) X(FenceIsSignaled)          \
    X(FenceIsLater) X(FenceIsLaterOrSame) X(FenceAddCallback) X(FenceRemoveCallback) X(FenceGet) X(FencePut)        \
    X(FenceWaitTimeout) X(WwAcquireInit) X(WwAcquireDone) X(WwAcquireFini) X(ResvInit) X(ResvFini) X(ResvLock)     \
    X(ResvLockInterruptible) X(ResvLockSlow) X(ResvLockSlowInterruptible) X(ResvTrylock) X(ResvUnlock)             \
    X(ResvIsLocked) X(ResvLockingCtx) X(ResvReserveFences) X(ResvAddFence) X(ResvReplaceFences)                    \
    X(ResvCopyFences) X(ResvGetFences) X(ResvGetSingleton) X(ResvTestSignaled) X(ResvWaitTimeout)                  \
    X(ResvSetDeadline) X(ResvUsageRw) X(ResvForEachFence) X(ResvForEachFenceUnlocked) X(ResvIterBegin)             \
    X(ResvIterFirst) X(ResvIterNext) X(ResvIterFirstUnlocked) X(ResvIterNextUnlocked) X(ResvIterEnd)            \
    /* fence containers */                                                                                       \
    X(FenceChainInit) X(FenceChainFindSeqno) X(FenceChainWalk) X(FenceArrayCreate) X(FenceUnwrap)                \
    X(FenceUnwrapMerge) X(FenceAllocatePrivateStub) X(FenceGetStub) X(FenceIsContainer)                          \
    /* driver side: locking and fence signalling */                                                              \
    X(SigBegin) X(SigEnd) X(DriverAlloc) X(DriverLock) X(DriverUnlock) X(FenceMightWait) X(ShrinkerScan)         \
    X(MmuInvalidate) X(MightFault) X(SchedRunJob) \
    /* kernels: the newer dma_fence API */                                                                       \
    X(FenceCheckAndSignal) X(FenceDriverName) X(FenceTimelineName) X(FenceWasInitialized) X(FenceDedupArray)     \
    X(FenceInitInline) \
    /* allocation failure */                                                                                     \
    X(FailAlloc)                                                                                                 \
    /* time */                                                                                                   \
    X(Sleep)                                                                                                     \
    /* drm_exec */                                                                                               \
    X(DrmExecInit) X(DrmExecCleanup) X(DrmExecLockObj) X(DrmExecPrepareObj) X(DrmExecUnlockObj) X(DrmExecFini)   \
    X(DrmExecListed) X(DrmGemObjectRefs)                                                                         \
    /* dma_fence_wait_any_timeout */                                                                             \
    X(FenceWaitAnyTimeout)                                                                                       \
    /* teardown */                                                                                               \
    X(Teardown)

namespace detail {
// std::variant of a list that ends with `void` (so the list macro can put a comma after every name).
template <class... T>
struct TypeList {};
template <class List, class... Done>
struct VariantOf;
template <class... Done>
struct VariantOf<TypeList<void>, Done...> {
    using type = std::variant<Done...>;
};
template <class Head, class... Rest, class... Done>
struct VariantOf<TypeList<Head, Rest...>, Done...> : VariantOf<TypeList<Rest...>, Done..., Head> {};
}  // namespace detail

#define RESVCHECK_OP_TYPE_(name) name,
using Op = detail::VariantOf<detail::TypeList<RESVCHECK_OP_TYPES(RESVCHECK_OP_TYPE_) void>>::type;
#undef RESVCHECK_OP_TYPE_

inline constexpr size_t kOpKinds = std::variant_size_v<Op>;

std::string_view op_name(const Op& op);
uint32_t op_abi(const Op& op);
RetKind op_ret(const Op& op);
Yields op_yields(const Op& op);
bool op_is_iterator_step(const Op& op);
Rule op_bug_rule(const Op& op);
// Whether an implementation with the ABI feature mask `features` provides the op.
bool op_provided(const Op& op, uint32_t features);

// A wait that nobody may end before its timeout (0 < timeout < MAX_SCHEDULE_TIMEOUT, not
// interrupted): it sleeps the timeout out, so it is sent only to an implementation with the
// virtual clock that op sleep stands for (RC_FEATURE_VIRTUAL_TIME).
bool may_sleep_out(const Op& op);

// A default-constructed op of kind `kind` (variant index): what supports() and has_op() are asked.
Op op_of_kind(size_t kind);

// The op kind (variant index) for a kernel name, or -1.
int op_kind_by_name(std::string_view name);
// Kernel names of every op, in variant order (for help texts and error messages).
std::string_view op_kind_name(size_t kind);

}  // namespace resvcheck
