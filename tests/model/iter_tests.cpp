// Areas resv.iter.locked and resv.iter.unlocked.
#include "model_test_util.h"

namespace resvcheck::test {
namespace {

using U = Usage;

constexpr const char* kThree = R"(
    fence_context_alloc c0
    fence_context_alloc c1
    fence_context_alloc c2
    fence_init f0 c0 seqno=1
    fence_init f1 c1 seqno=1
    fence_init f2 c2 seqno=1
    resv_init r0
    resv_lock r0 => 0
    resv_reserve_fences r0 num_fences=2 => 0
    resv_add_fence r0 f0 WRITE
    resv_add_fence r0 f1 BOOKKEEP
)";
std::string three(std::string_view more) { return std::string(kThree) + std::string(more); }

// ---- resv.iter.locked -------------------------------------------------------------------------
TEST(ResvIterLocked, RestartedFlagFirstThenNext) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, three("resv_iter_begin i0 r0 BOOKKEEP"));
        EXPECT_EQ(peek(m, "resv_iter_first i0"), "{f0:WRITE} restarted");
        EXPECT_RULE(m, "resv_iter_first i0", list({{0, U::WRITE}}), "RESV-ITER-LOCKED-RESTARTED");
        run_text(m, "resv_iter_first i0 => {f0:WRITE} restarted");
        EXPECT_EQ(peek(m, "resv_iter_next i0"), "{f1:BOOKKEEP}");
        EXPECT_RULE(m, "resv_iter_next i0", restarted(list({{1, U::BOOKKEEP}})), "RESV-ITER-LOCKED-RESTARTED");
        run_text(m, "resv_iter_next i0 => {f1:BOOKKEEP}");
        // a repeat of the slot just visited is a double yield under every profile
        EXPECT_RULE(m, "resv_iter_next i0", list({{1, U::BOOKKEEP}}), "RESV-ITER-ONCE-PER-ENTRY");
    }
}

TEST(ResvIterLocked, AllEntriesUsageFilter) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, three(""));
        EXPECT_EQ(peek(m, "resv_for_each_fence r0 WRITE"), "{f0:WRITE}");
        EXPECT_RULE(m, "resv_for_each_fence r0 WRITE", list({{0, U::WRITE}, {1, U::BOOKKEEP}}), "RESV-USAGE-FILTER");
        EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::WRITE}}), "RESV-ADD-LISTED");
        run_text(m, "resv_iter_begin i0 r0 BOOKKEEP\nresv_iter_first i0 => {f0:WRITE} restarted\nresv_iter_next i0 => {f1:BOOKKEEP}");
        EXPECT_RULE(m, "resv_iter_next i0", list({{0, U::WRITE}}), "RESV-ITER-ONCE-PER-ENTRY");
    }
}

// Re-adding f0 with a stronger usage replaces its READ entry in place; adding it with READ again
// appends a new entry, which the cursor yields although f0:READ was yielded before. A second
// f0:READ after that is a real repeat (corpora/regressions/resv-iter-locked/appended-*).
TEST(ResvIterLocked, AppendedEntryOfYieldedFenceIsNotARepeat) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, R"(
            fence_context_alloc c0
            resv_init r0
            resv_lock r0 => 0
            resv_iter_begin i0 r0 READ
            fence_init f0 c0
            resv_reserve_fences r0 num_fences=4 => 0
            resv_add_fence r0 f0 READ
            resv_iter_first i0 => {f0:READ} restarted
            resv_add_fence r0 f0 KERNEL
            resv_add_fence r0 f0 READ
            resv_add_fence r0 f0 KERNEL
        )");
        auto d = m.step(op("resv_iter_next i0"), list({{0, U::READ}}));
        EXPECT_FALSE(d.has_value()) << (d ? d->observed : "");
        EXPECT_RULE(m, "resv_iter_next i0", list({{0, U::READ}}), "RESV-ITER-ONCE-PER-ENTRY");
    }
}

TEST(ResvIterLocked, YieldsSignaledOnlyPinnedByExact) {
    auto m = scenario("linux-6.12", three("fence_signal f0 => 0"));
    EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f0:WRITE, f1:BOOKKEEP}");
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{1, U::BOOKKEEP}}), "RESV-ITER-LOCKED-YIELDS-SIGNALED");
    auto c = scenario("contract", three("fence_signal f0 => 0"));
    EXPECT_ACCEPTS(c, "resv_for_each_fence r0 BOOKKEEP", list({{1, U::BOOKKEEP}}));
    EXPECT_ACCEPTS(c, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::WRITE}, {1, U::BOOKKEEP}}));
    // stepwise, 6.12: iter_first yields the signalled f0
    run_text(m, "resv_iter_begin i0 r0 BOOKKEEP");
    EXPECT_RULE(m, "resv_iter_first i0", restarted(list({{1, U::BOOKKEEP}})), "RESV-ITER-LOCKED-YIELDS-SIGNALED");
}

// ---- resv.iter.unlocked -----------------------------------------------------------------------
TEST(ResvIterUnlocked, SkipsSignaled) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, three("resv_unlock r0\nfence_signal f0 => 0\nresv_iter_begin i0 r0 BOOKKEEP"));
        EXPECT_EQ(peek(m, "resv_for_each_fence_unlocked r0 BOOKKEEP"), "{f1:BOOKKEEP}");
        EXPECT_RULE(m, "resv_for_each_fence_unlocked r0 BOOKKEEP", list({{0, U::WRITE}, {1, U::BOOKKEEP}}), "RESV-ITER-UNLOCKED-SKIPS-SIGNALED");
        EXPECT_EQ(peek(m, "resv_iter_first_unlocked i0"), "{f1:BOOKKEEP} restarted");
        EXPECT_RULE(m, "resv_iter_first_unlocked i0", restarted(list({{0, U::WRITE}})), "RESV-ITER-UNLOCKED-SKIPS-SIGNALED");
        EXPECT_RULE(m, "resv_iter_first_unlocked i0", list({{1, U::BOOKKEEP}}), "RESV-ITER-RESTART-FLAG");
        run_text(m, "resv_iter_first_unlocked i0 => {f1:BOOKKEEP} restarted");
        EXPECT_RULE(m, "resv_iter_next_unlocked i0", list({{1, U::BOOKKEEP}}), "RESV-ITER-ONCE-PER-ENTRY");
    }
}

TEST(ResvIterUnlocked, CompleteAndNoSpuriousRestart) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, three("resv_unlock r0\nresv_iter_begin i0 r0 BOOKKEEP\nresv_iter_first_unlocked i0 => {f0:WRITE} restarted"));
        EXPECT_RULE(m, "resv_iter_next_unlocked i0", Observation{}, "RESV-ITER-UNLOCKED-COMPLETE");
        EXPECT_RULE(m, "resv_iter_next_unlocked i0", restarted(list({{0, U::WRITE}})), "RESV-ITER-NO-SPURIOUS-RESTART");
        EXPECT_EQ(peek(m, "resv_iter_next_unlocked i0"), "{f1:BOOKKEEP}");
    }
}

TEST(ResvIterUnlocked, RestartOnReallocExact) {
    auto m = scenario("linux-6.12", three(R"(
        resv_unlock r0
        resv_iter_begin i0 r0 BOOKKEEP
        resv_iter_first_unlocked i0 => {f0:WRITE} restarted
        resv_lock r0 => 0
        resv_reserve_fences r0 num_fences=4 => 0
        resv_unlock r0
    )"));
    EXPECT_EQ(peek(m, "resv_iter_next_unlocked i0"), "{f0:WRITE} restarted");
    EXPECT_RULE(m, "resv_iter_next_unlocked i0", list({{1, U::BOOKKEEP}}), "RESV-ITER-RESTART-ON-REALLOC");
    // the contract allows both
    auto c = scenario("contract", three(R"(
        resv_unlock r0
        resv_iter_begin i0 r0 BOOKKEEP
        resv_iter_first_unlocked i0 => {f0:WRITE} restarted
        resv_lock r0 => 0
        resv_reserve_fences r0 num_fences=4 => 0
        resv_unlock r0
    )"));
    EXPECT_ACCEPTS(c, "resv_iter_next_unlocked i0", list({{1, U::BOOKKEEP}}));
    EXPECT_ACCEPTS(c, "resv_iter_next_unlocked i0", restarted(list({{0, U::WRITE}})));
}

TEST(ResvIterUnlocked, SnapshotAppendNotVisitedOverwriteSeen) {
    auto m = scenario("linux-6.12", R"(
        fence_context_alloc c0
        fence_context_alloc c1
        fence_context_alloc c2
        fence_init f0 c0 seqno=1
        fence_init f1 c1 seqno=1
        fence_init f2 c1 seqno=2
        fence_init f3 c2 seqno=1
        resv_init r0
        resv_lock r0 => 0
        resv_reserve_fences r0 num_fences=2 => 0
        resv_add_fence r0 f0 WRITE
        resv_add_fence r0 f1 READ
        resv_unlock r0
        resv_iter_begin i0 r0 BOOKKEEP
        resv_iter_first_unlocked i0 => {f0:WRITE} restarted
        resv_lock r0 => 0
        resv_reserve_fences r0 num_fences=2 => 0
        resv_add_fence r0 f2 READ
        resv_add_fence r0 f3 WRITE
        resv_unlock r0
    )");
    EXPECT_EQ(peek(m, "resv_iter_next_unlocked i0"), "{f2:READ}");
    EXPECT_RULE(m, "resv_iter_next_unlocked i0", list({{1, U::READ}}), "RESV-ADD-REPLACE-SAME-CONTEXT");
    run_text(m, "resv_iter_next_unlocked i0 => {f2:READ}");
    EXPECT_EQ(peek(m, "resv_iter_next_unlocked i0"), "{}");
    EXPECT_RULE(m, "resv_iter_next_unlocked i0", list({{3, U::WRITE}}), "RESV-ITER-SNAPSHOT");
}

TEST(ResvIterUnlocked, CursorHoldsRefUntilEnd) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, R"(
            fence_context_alloc c0
            fence_context_alloc c1
            fence_init f0 c0 seqno=1
            fence_init f1 c1 seqno=1
            resv_init r0
            resv_lock r0 => 0
            resv_reserve_fences r0 num_fences=1 => 0
            resv_add_fence r0 f0 WRITE
            resv_unlock r0
            fence_put f0
            resv_iter_begin i0 r0 BOOKKEEP
            resv_iter_first_unlocked i0 => {f0:WRITE} restarted
            resv_lock r0 => 0
        )");
        EXPECT_EQ(peek(m, "resv_replace_fences r0 c0 f1 WRITE"), "");
        EXPECT_RULE(m, "resv_replace_fences r0 c0 f1 WRITE", with_released(Observation{}, {0}), "FENCE-REF-NO-EARLY-RELEASE");
        run_text(m, "resv_replace_fences r0 c0 f1 WRITE\nresv_unlock r0");
        EXPECT_EQ(peek(m, "resv_iter_end i0"), "released{f0}");
        EXPECT_RULE(m, "resv_iter_end i0", Observation{}, "RESV-ITER-HOLDS-REF");
    }
}

// Linux 6.12 quirk: when the list goes from non-NULL to NULL (copy_fences from an empty source)
// while an unlocked walk is paused, dma_resv_iter_restart_unlocked() sets cursor->fences = NULL and
// dma_resv_iter_walk_unlocked() returns early (drivers/dma-buf/dma-resv.c:380-381) without touching
// cursor->fence or cursor->fence_usage: next_unlocked returns the previous fence again, with its
// previous usage (WRITE), not KERNEL.
TEST(ResvIterUnlocked, NullListQuirkKeepsCursorUsage612) {
    auto m = scenario("linux-6.12", R"(
        fence_context_alloc c0
        fence_init f0 c0 seqno=1
        resv_init r0
        resv_init r1
        resv_lock r0 => 0
        resv_reserve_fences r0 num_fences=1 => 0
        resv_add_fence r0 f0 WRITE
        resv_unlock r0
        resv_iter_begin i0 r0 BOOKKEEP
        resv_iter_first_unlocked i0 => {f0:WRITE} restarted
        resv_lock r0 => 0
        resv_copy_fences r0 r1 => 0
        resv_unlock r0
    )");
    EXPECT_EQ(peek(m, "resv_iter_next_unlocked i0"), "{f0:WRITE} restarted");
}

}  // namespace
}  // namespace resvcheck::test
