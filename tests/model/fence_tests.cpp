// Areas fence.seqno, fence.signal, fence.status, fence.wait, fence.callback, fence.ref, kernel.warn.
#include <cerrno>

#include "model_test_util.h"

namespace resvcheck::test {
namespace {

const char* kBoth[] = {"contract", "linux-6.12"};

// ---- fence.seqno ------------------------------------------------------------------------------
TEST(FenceSeqno, Wrap32BothDirections) {
    for (auto p : kBoth) {
        SCOPED_TRACE(p);
        auto m = scenario(p, R"(
            fence_context_alloc c0
            fence_init f0 c0 seqno=4294967295
            fence_init f1 c0 seqno=1
            fence_init f2 c0 seqno=2147483649
        )");
        EXPECT_EQ(perform(m, "fence_is_later f1 f0"), "true");   // 1 after 0xffffffff
        EXPECT_EQ(perform(m, "fence_is_later f0 f1"), "false");
        EXPECT_EQ(perform(m, "fence_is_later f2 f1"), "false");  // 0x80000001 vs 1: INT_MIN
        EXPECT_EQ(perform(m, "fence_is_later f1 f2"), "false");
        EXPECT_RULE(m, "fence_is_later f1 f0", ret(0), "FENCE-SEQNO-LATER-32");
        EXPECT_RULE(m, "fence_is_later f0 f1", ret(1), "FENCE-SEQNO-LATER-32");
        EXPECT_RULE(m, "fence_is_later f2 f1", ret(1), "FENCE-SEQNO-LATER-32");
    }
}

TEST(FenceSeqno, Upper32BitsIgnored) {
    auto m = scenario("contract", R"(
        fence_context_alloc c0
        fence_init f0 c0 seqno=4294967297
        fence_init f1 c0 seqno=2
    )");
    EXPECT_EQ(perform(m, "fence_is_later f0 f1"), "false");
    EXPECT_RULE(m, "fence_is_later f0 f1", ret(1), "FENCE-SEQNO-LATER-32");
}

TEST(FenceSeqno, Seqno64NoWrap) {
    auto m = scenario("contract", R"(
        fence_context_alloc c0 seqno64=1
        fence_init f0 c0 seqno=4294967295
        fence_init f1 c0 seqno=1
        fence_init f2 c0 seqno=4294967297
        fence_init f3 c0 seqno=2
    )");
    EXPECT_EQ(perform(m, "fence_is_later f1 f0"), "false");
    EXPECT_EQ(perform(m, "fence_is_later f2 f3"), "true");
    EXPECT_RULE(m, "fence_is_later f1 f0", ret(1), "FENCE-SEQNO-LATER-64");
    EXPECT_RULE(m, "fence_is_later f2 f3", ret(0), "FENCE-SEQNO-LATER-64");
}

TEST(FenceSeqno, EqualSeqnoStrictAndIdentity) {
    auto m = scenario("contract", R"(
        fence_context_alloc c0
        fence_init f0 c0 seqno=7
        fence_init f1 c0 seqno=7
    )");
    EXPECT_EQ(perform(m, "fence_is_later f0 f1"), "false");
    EXPECT_EQ(perform(m, "fence_is_later_or_same f0 f1"), "false");
    EXPECT_EQ(perform(m, "fence_is_later_or_same f0 f0"), "true");
    EXPECT_RULE(m, "fence_is_later f0 f1", ret(1), "FENCE-LATER-STRICT");
    EXPECT_RULE(m, "fence_is_later_or_same f0 f1", ret(1), "FENCE-LATER-OR-SAME-IDENTITY");
    EXPECT_RULE(m, "fence_is_later_or_same f1 f1", ret(0), "FENCE-LATER-OR-SAME-IDENTITY");
}

// ---- fence.signal -----------------------------------------------------------------------------
TEST(FenceSignal, FirstThenOnce) {
    for (auto p : kBoth) {
        SCOPED_TRACE(p);
        auto m = scenario(p, R"(
            fence_context_alloc c0
            fence_init f0 c0 seqno=1
        )");
        EXPECT_EQ(perform(m, "fence_is_signaled f0"), "false");
        EXPECT_RULE(m, "fence_is_signaled f0", ret(1), "FENCE-INIT-UNSIGNALED");
        EXPECT_RULE(m, "fence_signal f0", ret(-EINVAL), "FENCE-SIGNAL-FIRST");
        EXPECT_EQ(perform(m, "fence_signal f0"), "0");
        EXPECT_EQ(perform(m, "fence_signal f0"), "-EINVAL");
        EXPECT_RULE(m, "fence_signal f0", ret(0), "FENCE-SIGNAL-ONCE");
        EXPECT_EQ(perform(m, "fence_is_signaled f0"), "true");
        EXPECT_RULE(m, "fence_is_signaled f0", ret(0), "FENCE-SIGNALED-STICKY");
    }
}

// ---- fence.status -----------------------------------------------------------------------------
TEST(FenceStatus, PendingOkError) {
    auto m = scenario("contract", R"(
        fence_context_alloc c0
        fence_init f0 c0 seqno=1
        fence_init f1 c0 seqno=2
        fence_set_error f0 error=-5
    )");
    EXPECT_EQ(perform(m, "fence_get_status f0"), "0");
    EXPECT_RULE(m, "fence_get_status f0", ret(-5), "FENCE-STATUS-PENDING");
    run_text(m, "fence_signal f0 => 0\nfence_signal f1 => 0");
    EXPECT_RULE(m, "fence_get_status f0", ret(1), "FENCE-STATUS-ERROR");
    EXPECT_RULE(m, "fence_get_status f1", ret(0), "FENCE-STATUS-OK");
    EXPECT_EQ(perform(m, "fence_get_status f0"), "-EIO");
    EXPECT_EQ(perform(m, "fence_get_status f1"), "1");
}

TEST(FenceStatus, ErrorBeforeSignalIsSilent) {
    auto m = scenario("contract", "fence_context_alloc c0\nfence_init f0 c0 seqno=1");
    EXPECT_EQ(peek(m, "fence_set_error f0 error=-5"), "");
    EXPECT_RULE(m, "fence_set_error f0 error=-5", with_warn(Observation{}), "FENCE-ERROR-BEFORE-SIGNAL");
}

TEST(FenceStatus, ErrorAfterSignalWarnsAndIsStoredUnder612) {
    auto m612 = scenario("linux-6.12", "fence_context_alloc c0\nfence_init f0 c0 seqno=1\nfence_signal f0 => 0");
    auto mc = scenario("contract", "fence_context_alloc c0\nfence_init f0 c0 seqno=1\nfence_signal f0 => 0");
    for (Model* m : {&m612, &mc}) {
        EXPECT_EQ(perform(*m, "fence_set_error f0 error=-110"), "WARN") << m->profile().name;
    }
    EXPECT_RULE(scenario("contract", "fence_context_alloc c0\nfence_init f0 c0 seqno=1\nfence_signal f0"),
                "fence_set_error f0 error=-110", Observation{}, "FENCE-ERROR-AFTER-SIGNAL-WARNS");
    // 6.12 stores the late error: get_status must report it; the contract accepts either.
    EXPECT_EQ(perform(m612, "fence_get_status f0"), errno_name(-110));
    EXPECT_RULE(m612, "fence_get_status f0", ret(1), "FENCE-ERROR-LATE-STORED");
    EXPECT_ACCEPTS(mc, "fence_get_status f0", ret(1));
    EXPECT_ACCEPTS(mc, "fence_get_status f0", ret(-110));
    EXPECT_RULE(mc, "fence_get_status f0", ret(0), "FENCE-STATUS-ERROR");
}

// ---- fence.wait -------------------------------------------------------------------------------
TEST(FenceWait, PollAndSignaled) {
    auto m = scenario("contract", "fence_context_alloc c0\nfence_init f0 c0 seqno=1");
    EXPECT_EQ(perform(m, "fence_wait_timeout f0"), "0");
    EXPECT_RULE(m, "fence_wait_timeout f0", ret(1), "FENCE-WAIT-POLL");
    run_text(m, "fence_signal f0 => 0");
    EXPECT_EQ(perform(m, "fence_wait_timeout f0"), "1");
    EXPECT_RULE(m, "fence_wait_timeout f0", ret(0), "FENCE-WAIT-POLL");
    EXPECT_EQ(perform(m, "fence_wait_timeout f0 intr=1 timeout=250"), "250");
    EXPECT_RULE(m, "fence_wait_timeout f0 timeout=250", ret(1), "FENCE-WAIT-SIGNALED");
}

// dma_fence_wait_any_timeout: the first signalled fence in array order, what each return means.
TEST(FenceWaitAny, IndexTimeoutAndSignal) {
    auto m = scenario("contract", R"(
        fence_context_alloc c0
        fence_context_alloc c1
        fence_init f0 c0 seqno=1
        fence_init f1 c1 seqno=1
    )");
    auto slept = [](Observation o, uint32_t n) {
        o.slept = n;
        return o;
    };
    EXPECT_EQ(perform(m, "fence_wait_any_timeout f0 f1 flags=3"), "0 {}");  // a poll ignores the signal
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1 flags=3", ret(-512), "FENCE-WAIT-ANY-POLL");
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1 timeout=5 flags=3", ret(0), "FENCE-WAIT-ANY-INTERRUPTED");
    EXPECT_ACCEPTS(m, "fence_wait_any_timeout f0 f1 timeout=5 flags=2", slept(ret(0), 5));  // not interruptible
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1 timeout=5", ret(0), "FENCE-WAIT-ANY-TIMEOUT");  // did not sleep
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1 timeout=1", ret(1), "FENCE-WAIT-ANY-TIMEOUT");
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1 timeout=1", slept(fences({0}, 0), 1), "FENCE-WAIT-ANY-TIMEOUT");  // no index on 0
    Observation leaked = slept(ret(0), 5);
    leaked.leaked = true;
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1 timeout=5", leaked, "FENCE-WAIT-ANY-CLEANUP");
    EXPECT_TRUE(m.precondition(op("fence_wait_any_timeout f0 f1 timeout=9223372036854775807")).has_value());  // forever
    run_text(m, "fence_signal f1 => 0");
    EXPECT_EQ(perform(m, "fence_wait_any_timeout f0 f1"), "1 {f1}");
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1", ret(1), "FENCE-WAIT-ANY-POLL");  // the index is missing
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1", fences({0}, 1), "FENCE-WAIT-ANY-POLL");
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1", fences({1}, 2), "FENCE-WAIT-ANY-POLL");
    EXPECT_EQ(perform(m, "fence_wait_any_timeout f0 f1 timeout=9 flags=3"), "9 {f1}");
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1 timeout=9 flags=3", ret(-512), "FENCE-WAIT-ANY-SIGNALED");
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1 timeout=9", slept(fences({1}, 9), 3), "FENCE-WAIT-ANY-WOKEN");  // 6 left
    EXPECT_ACCEPTS(m, "fence_wait_any_timeout f0 f1 timeout=9", slept(fences({1}, 6), 3));
    run_text(m, "fence_signal f0 => 0");
    EXPECT_RULE(m, "fence_wait_any_timeout f0 f1", fences({1}, 1), "FENCE-WAIT-ANY-POLL");  // f0 comes first now
    EXPECT_EQ(perform(m, "fence_wait_any_timeout f1 f0"), "1 {f1}");
    EXPECT_TRUE(m.precondition(op("fence_wait_any_timeout f0 f0")).has_value());  // *idx would not say which
}

// ---- fence.callback ---------------------------------------------------------------------------
TEST(FenceCallback, AddPendingRunOnSignalInOrder) {
    for (auto p : kBoth) {
        SCOPED_TRACE(p);
        auto m = scenario(p, R"(
            fence_context_alloc c0
            fence_init f0 c0 seqno=1
            fence_add_callback f0 cb0 => 0
            fence_add_callback f0 cb1 => 0
            fence_add_callback f0 cb2 => 0
        )");
        EXPECT_RULE(m, "fence_add_callback f0 cb3", ret(-ENOENT), "FENCE-CB-ADD-PENDING");
        EXPECT_RULE(m, "fence_signal f0", ret(0), "FENCE-CB-RUN-ON-SIGNAL");               // none ran
        EXPECT_RULE(m, "fence_signal f0", with_cbs(ret(0), {0, 1}), "FENCE-CB-RUN-ON-SIGNAL");
        EXPECT_RULE(m, "fence_signal f0", with_cbs(ret(0), {0, 1, 2, 2}), "FENCE-CB-ONCE");
        // order: only the exact profiles pin it
        if (m.profile().exact_kernel)
            EXPECT_RULE(m, "fence_signal f0", with_cbs(ret(0), {2, 0, 1}), "FENCE-CB-ORDER");
        else
            EXPECT_ACCEPTS(m, "fence_signal f0", with_cbs(ret(0), {2, 0, 1}));
        EXPECT_EQ(perform(m, "fence_signal f0"), "0 cb{cb0, cb1, cb2}");
    }
}

TEST(FenceCallback, SignaledEnoentRemoveTrueFalseNeverTwice) {
    auto m = scenario("contract", R"(
        fence_context_alloc c0
        fence_init f0 c0 seqno=1
        fence_init f1 c0 seqno=2
        fence_add_callback f1 cb0 => 0
        fence_signal f0 => 0
    )");
    EXPECT_EQ(peek(m, "fence_add_callback f0 cb1"), "-ENOENT");
    EXPECT_RULE(m, "fence_add_callback f0 cb1", ret(0), "FENCE-CB-ADD-SIGNALED");
    EXPECT_RULE(m, "fence_remove_callback f1 cb0", ret(0), "FENCE-CB-REMOVE-PENDING");
    run_text(m, "fence_remove_callback f1 cb0 => true");
    EXPECT_RULE(m, "fence_remove_callback f1 cb0", ret(1), "FENCE-CB-REMOVE-DONE");
    EXPECT_RULE(m, "fence_signal f1", with_cbs(ret(0), {0}), "FENCE-CB-ONCE");  // removed: never runs
    run_text(m, "fence_add_callback f1 cb0 => 0\nfence_signal f1 => 0 cb{cb0}");
    EXPECT_RULE(m, "fence_signal f1", with_cbs(ret(-EINVAL), {0}), "FENCE-CB-ONCE");
    EXPECT_RULE(m, "fence_remove_callback f1 cb0", ret(1), "FENCE-CB-REMOVE-DONE");
}

// ---- fence.ref --------------------------------------------------------------------------------
TEST(FenceRef, ReleaseExactlyAtLastPut) {
    auto m = scenario("contract", R"(
        fence_context_alloc c0
        fence_init f0 c0 seqno=1
        fence_get f0
    )");
    EXPECT_EQ(peek(m, "fence_put f0"), "");
    EXPECT_RULE(m, "fence_put f0", with_released(Observation{}, {0}), "FENCE-REF-NO-EARLY-RELEASE");
    run_text(m, "fence_put f0");
    EXPECT_EQ(peek(m, "fence_put f0"), "released{f0}");
    EXPECT_RULE(m, "fence_put f0", Observation{}, "FENCE-REF-RELEASE");
    run_text(m, "fence_put f0 => released{f0}");
    // released once: a later op reporting it again is a double release
    run_text(m, "fence_init f1 c0 seqno=2");
    EXPECT_RULE(m, "fence_signal f1", with_released(ret(0), {0}), "FENCE-REF-RELEASE-ONCE");
}

TEST(FenceRef, ResvEntriesAndFiniHoldRefs) {
    for (auto p : kBoth) {
        SCOPED_TRACE(p);
        auto m = scenario(p, R"(
            fence_context_alloc c0
            fence_init f0 c0 seqno=1
            resv_init r0
            resv_lock r0 => 0
            resv_reserve_fences r0 num_fences=2 => 0
            resv_add_fence r0 f0 WRITE
            resv_add_fence r0 f0 BOOKKEEP
            resv_unlock r0
        )");
        EXPECT_RULE(m, "fence_put f0", with_released(Observation{}, {0}), "FENCE-REF-NO-EARLY-RELEASE");
        run_text(m, "fence_put f0");
        EXPECT_EQ(peek(m, "resv_fini r0"), "released{f0}");
        EXPECT_RULE(m, "resv_fini r0", Observation{}, "RESV-FINI-DROPS-REFS");
    }
}

// ---- kernel.warn ------------------------------------------------------------------------------
TEST(KernelWarn, NoUnpredictedWarn) {
    auto m = scenario("linux-6.12", "fence_context_alloc c0\nfence_init f0 c0 seqno=1\nresv_init r0");
    EXPECT_RULE(m, "fence_signal f0", with_warn(ret(0)), "WARN-ONLY-PREDICTED");
    EXPECT_RULE(m, "resv_lock r0", with_warn(ret(0)), "WARN-ONLY-PREDICTED");
    EXPECT_RULE(m, "fence_get_status f0", with_warn(ret(0)), "WARN-ONLY-PREDICTED");
}

TEST(KernelWarn, PredictedWarnMissingNamesItsRule) {
    auto m = scenario("linux-6.12", "resv_init r0\nresv_lock r0 => 0");
    EXPECT_EQ(peek(m, "resv_reserve_fences r0"), "-EINVAL WARN");
    EXPECT_RULE(m, "resv_reserve_fences r0", ret(-EINVAL), "RESV-RESERVE-ZERO");
    EXPECT_RULE(m, "resv_reserve_fences r0", with_warn(ret(-EINVAL), 2), "RESV-RESERVE-ZERO");
}

}  // namespace
}  // namespace resvcheck::test
