// Areas resv.lifetime, resv.reserve, resv.add, resv.replace, resv.copy, resv.query.
#include <cerrno>

#include "model_test_util.h"

namespace resvcheck::test {
namespace {

using U = Usage;

// Four contexts, fences f0..f3 one per context, r0 locked with 4 slots reserved.
constexpr const char* kBase = R"(
    fence_context_alloc c0
    fence_context_alloc c1
    fence_context_alloc c2
    fence_context_alloc c3
    resv_init r0
    resv_init r1
    resv_lock r0 => 0
    resv_reserve_fences r0 num_fences=4 => 0
)";
std::string base(std::string_view more) { return std::string(kBase) + std::string(more); }

// ---- resv.lifetime ----------------------------------------------------------------------------
TEST(ResvLifetime, InitEmpty) {
    auto m = scenario("contract", "fence_context_alloc c0\nfence_init f0 c0 seqno=1\nresv_init r0");
    EXPECT_EQ(peek(m, "resv_test_signaled r0 BOOKKEEP"), "true");
    EXPECT_EQ(peek(m, "resv_for_each_fence_unlocked r0 BOOKKEEP"), "{}");
    EXPECT_RULE(m, "resv_for_each_fence_unlocked r0 BOOKKEEP", list({{0, U::WRITE}}), "RESV-INIT-EMPTY");
    EXPECT_RULE(m, "resv_get_fences r0 BOOKKEEP", fences({0}), "RESV-INIT-EMPTY");
}

TEST(ResvLifetime, NoPhantomAndUnlockKeepsFences) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, base(R"(
            fence_init f0 c0 seqno=1
            fence_init f1 c1 seqno=1
            fence_init f2 c2 seqno=1
            resv_add_fence r0 f0 WRITE
            resv_add_fence r0 f1 READ
            resv_unlock r0
        )"));
        EXPECT_RULE(m, "resv_for_each_fence_unlocked r0 BOOKKEEP", list({{0, U::WRITE}, {1, U::READ}, {2, U::READ}}), "RESV-NO-PHANTOM");
        EXPECT_RULE(m, "resv_for_each_fence_unlocked r0 BOOKKEEP", list({{0, U::WRITE}}), "RESV-UNLOCK-KEEPS-FENCES");
    }
}

// ---- resv.reserve -----------------------------------------------------------------------------
TEST(ResvReserve, ZeroIsEinvalWarnIn612ContractAlsoAcceptsZero) {
    auto m612 = scenario("linux-6.12", "resv_init r0\nresv_lock r0 => 0");
    auto mc = scenario("contract", "resv_init r0\nresv_lock r0 => 0");
    EXPECT_EQ(peek(m612, "resv_reserve_fences r0"), "-EINVAL WARN");
    EXPECT_RULE(m612, "resv_reserve_fences r0", ret(0), "RESV-RESERVE-ZERO");
    EXPECT_ACCEPTS(mc, "resv_reserve_fences r0", ret(0));
    EXPECT_ACCEPTS(mc, "resv_reserve_fences r0", with_warn(ret(-EINVAL)));
    EXPECT_RULE(mc, "resv_reserve_fences r0", ret(-ENOMEM), "RESV-RESERVE-ZERO");
    EXPECT_RULE(mc, "resv_reserve_fences r0 num_fences=3", ret(-EINVAL), "RESV-RESERVE-OK");
}

TEST(ResvReserve, Capacity5To13AndPruning612) {
    auto m = scenario("linux-6.12", R"(
        fence_context_alloc c0
        fence_context_alloc c1
        fence_context_alloc c2
        fence_context_alloc c3
        fence_context_alloc c4
        fence_init f0 c0 seqno=1
        fence_init f1 c1 seqno=1
        fence_init f2 c2 seqno=1
        fence_init f3 c3 seqno=1
        fence_init f4 c4 seqno=1
        resv_init r0
        resv_lock r0 => 0
        resv_reserve_fences r0 num_fences=1 => 0
        resv_add_fence r0 f0 WRITE
        resv_reserve_fences r0 num_fences=4 => 0
        resv_add_fence r0 f1 WRITE
        resv_add_fence r0 f2 WRITE
        resv_add_fence r0 f3 WRITE
        resv_add_fence r0 f4 WRITE
        fence_signal f0 => 0
        resv_for_each_fence r0 BOOKKEEP => {f0:WRITE, f1:WRITE, f2:WRITE, f3:WRITE, f4:WRITE}
        fence_put f0
    )");
    // 5 + 1 > 5: reallocates (13 slots) and prunes the signalled f0, releasing it
    EXPECT_EQ(peek(m, "resv_reserve_fences r0 num_fences=1"), "0 released{f0}");
    EXPECT_RULE(m, "resv_reserve_fences r0 num_fences=1", ret(0), "RESV-RESERVE-PRUNES-SIGNALED");
    run_text(m, R"(
        resv_reserve_fences r0 num_fences=1 => 0 released{f0}
        resv_for_each_fence r0 BOOKKEEP => {f1:WRITE, f2:WRITE, f3:WRITE, f4:WRITE}
        fence_signal f1 => 0
        resv_reserve_fences r0 num_fences=9 => 0
    )");
    // 4 + 9 <= 13: no reallocation, the signalled f1 is still listed
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{2, U::WRITE}, {3, U::WRITE}, {4, U::WRITE}}), "RESV-ITER-LOCKED-YIELDS-SIGNALED");
    EXPECT_EQ(peek(m, "resv_reserve_fences r0 num_fences=10"), "0");
    Model after = m;
    run_text(after, "resv_reserve_fences r0 num_fences=10 => 0");
    EXPECT_EQ(peek(after, "resv_for_each_fence r0 BOOKKEEP"), "{f2:WRITE, f3:WRITE, f4:WRITE}");
    EXPECT_RULE(after, "resv_for_each_fence r0 BOOKKEEP", list({{1, U::WRITE}, {2, U::WRITE}, {3, U::WRITE}, {4, U::WRITE}}),
                "RESV-RESERVE-PRUNES-SIGNALED");
}

TEST(ResvReserve, KeepsUnsignaledAndGuarantee) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, base(R"(
            fence_init f0 c0 seqno=1
            resv_add_fence r0 f0 WRITE
            resv_reserve_fences r0 num_fences=8 => 0
        )"));
        EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({}), "RESV-RESERVE-KEEPS-UNSIGNALED");
        EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::READ}}), "RESV-ADD-LISTED");  // usage mismatch: named by how the entry got there
        EXPECT_EQ(m.view().resv_reserved(0), 8);
        Observation bug;
        bug.status = Observation::Status::Bug;
        bug.message = "BUG_ON(num_fences >= max_fences)";
        run_text(m, "fence_init f1 c1 seqno=1");
        EXPECT_RULE(m, "resv_add_fence r0 f1 READ", bug, "RESV-RESERVE-GUARANTEE");
    }
}

TEST(ResvReserve, UnlockForfeitsOnlyUnderDebug) {
    const char* t = R"(
        fence_context_alloc c0
        fence_init f0 c0 seqno=1
        resv_init r0
        resv_lock r0 => 0
        resv_reserve_fences r0 num_fences=4 => 0
        resv_add_fence r0 f0 WRITE
        fence_signal f0 => 0
        resv_unlock r0
        resv_lock r0 => 0
        resv_reserve_fences r0 num_fences=4 => 0
    )";
    auto m = scenario("linux-6.12", t);
    auto d = scenario("linux-6.12-debug", t);
    EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f0:WRITE}");
    EXPECT_EQ(peek(d, "resv_for_each_fence r0 BOOKKEEP"), "{}");
    EXPECT_RULE(d, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::WRITE}}), "RESV-UNLOCK-FORFEITS-RESERVATION");
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({}), "RESV-ITER-LOCKED-YIELDS-SIGNALED");
}

// ---- resv.add ---------------------------------------------------------------------------------
TEST(ResvAdd, WeakerUsageDoesNotReplace) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, base(R"(
            fence_init f0 c0 seqno=1
            fence_init f1 c0 seqno=2
            resv_add_fence r0 f0 WRITE
            resv_add_fence r0 f1 READ
        )"));
        EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f0:WRITE, f1:READ}");
        EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{1, U::READ}}), "RESV-ADD-NO-REPLACE-WEAKER");
    }
}

TEST(ResvAdd, StrongerUsageReplacesInPlace612) {
    auto m = scenario("linux-6.12", base(R"(
        fence_init f0 c0 seqno=1
        fence_init f1 c1 seqno=1
        fence_init f2 c0 seqno=2
        resv_add_fence r0 f0 READ
        resv_add_fence r0 f1 WRITE
        fence_put f0
    )"));
    EXPECT_EQ(peek(m, "resv_add_fence r0 f2 WRITE"), "released{f0}");
    EXPECT_RULE(m, "resv_add_fence r0 f2 WRITE", Observation{}, "RESV-ADD-DROPS-REPLACED-REF");
    run_text(m, "resv_add_fence r0 f2 WRITE => released{f0}");
    EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f2:WRITE, f1:WRITE}");
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{1, U::WRITE}, {2, U::WRITE}}), "RESV-SLOT-ORDER");
    // contract: slot order is free
    auto c = scenario("contract", base(R"(
        fence_init f0 c0 seqno=1
        fence_init f1 c1 seqno=1
        fence_init f2 c0 seqno=2
        resv_add_fence r0 f0 READ
        resv_add_fence r0 f1 WRITE
        resv_add_fence r0 f2 WRITE
    )"));
    EXPECT_ACCEPTS(c, "resv_for_each_fence r0 BOOKKEEP", list({{1, U::WRITE}, {2, U::WRITE}}));
    EXPECT_ACCEPTS(c, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::READ}, {2, U::WRITE}, {1, U::WRITE}}));  // superseded may stay
    EXPECT_RULE(c, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::READ}, {1, U::WRITE}}), "RESV-ADD-LISTED");
}

TEST(ResvAdd, ReaddSameFence612) {
    auto m = scenario("linux-6.12", base(R"(
        fence_init f0 c0 seqno=1
        resv_add_fence r0 f0 WRITE
        resv_add_fence r0 f0 WRITE
    )"));
    EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f0:WRITE}");  // same usage: in place
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::WRITE}, {0, U::WRITE}}), "RESV-ADD-REPLACE-SAME-CONTEXT");
    run_text(m, "resv_add_fence r0 f0 READ");  // weaker: duplicate entry
    EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f0:WRITE, f0:READ}");
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::WRITE}}), "RESV-ADD-APPEND");
    run_text(m, "fence_signal f0 => 0\nresv_add_fence r0 f0 BOOKKEEP");  // after signal: reuse slot 0
    EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f0:BOOKKEEP, f0:READ}");
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::WRITE}, {0, U::READ}, {0, U::BOOKKEEP}}), "RESV-ADD-REUSE-SIGNALED");
}

TEST(ResvAdd, WrapAroundSeqno64AndSameSeqno) {
    struct Case { const char* ctx; uint64_t first, second; const char* rule; };
    const Case cases[] = {
        {"fence_context_alloc c4", 1, 4294967295u, "RESV-ADD-NO-REPLACE-OLDER"},           // 32-bit: 0xffffffff is older than 1
        {"fence_context_alloc c4", 1, 2147483649u, "RESV-ADD-NO-REPLACE-OLDER"},           // 0x80000001 vs 1: not later
        {"fence_context_alloc c4 seqno64=1", 4294967295u, 1, "RESV-ADD-NO-REPLACE-OLDER"}, // 64-bit: no wrap
        {"fence_context_alloc c4", 5, 5, "RESV-ADD-SAME-SEQNO-DISTINCT"},
    };
    for (auto p : {"contract", "linux-6.12"}) {
        for (const auto& c : cases) {
            SCOPED_TRACE(std::string(p) + " " + c.ctx + " " + std::to_string(c.first) + " then " + std::to_string(c.second));
            auto m = scenario(p, base(std::string(c.ctx) + "\nfence_init f0 c4 seqno=" + std::to_string(c.first) +
                                      "\nfence_init f1 c4 seqno=" + std::to_string(c.second) +
                                      "\nresv_add_fence r0 f0 WRITE\nresv_add_fence r0 f1 WRITE"));
            EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f0:WRITE, f1:WRITE}");
            EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{1, U::WRITE}}), c.rule);
        }
    }
    // and the other direction replaces: 1 after 0xffffffff (32-bit), 0x100000001 after 2 (64-bit)
    for (auto ctx : {"fence_context_alloc c4", "fence_context_alloc c4 seqno64=1"}) {
        bool s64 = std::string(ctx).find("seqno64") != std::string::npos;
        auto m = scenario("linux-6.12", base(std::string(ctx) + (s64 ? "\nfence_init f0 c4 seqno=2\nfence_init f1 c4 seqno=4294967297"
                                                                      : "\nfence_init f0 c4 seqno=4294967295\nfence_init f1 c4 seqno=1") +
                                            "\nresv_add_fence r0 f0 WRITE\nresv_add_fence r0 f1 WRITE"));
        EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f1:WRITE}") << ctx;
    }
}

TEST(ResvAdd, SignaledSlotFirstMatchOnlyAppendOrder612) {
    auto m = scenario("linux-6.12", base(R"(
        fence_init f0 c1 seqno=1
        fence_init f1 c0 seqno=1
        fence_init f2 c0 seqno=2
        fence_init f3 c0 seqno=3
        resv_add_fence r0 f0 BOOKKEEP
        resv_add_fence r0 f1 WRITE
        resv_add_fence r0 f2 READ
        fence_signal f0 => 0
        resv_add_fence r0 f3 WRITE
    )"));
    // signalled slot 0 taken before the matching slot 1; slot 2 (also qualifying) untouched
    EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f3:WRITE, f1:WRITE, f2:READ}");
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::BOOKKEEP}, {3, U::WRITE}, {2, U::READ}}), "RESV-ADD-REUSE-SIGNALED");
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{3, U::WRITE}, {2, U::READ}}), "RESV-ADD-FIRST-MATCH-ONLY");
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{1, U::WRITE}, {2, U::READ}, {3, U::WRITE}}), "RESV-SLOT-ORDER");
}

TEST(ResvAdd, OtherContextKept) {
    auto m = scenario("contract", base(R"(
        fence_init f0 c0 seqno=1
        fence_init f1 c1 seqno=9
        resv_add_fence r0 f0 BOOKKEEP
        resv_add_fence r0 f1 KERNEL
    )"));
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{1, U::KERNEL}}), "RESV-ADD-OTHER-CONTEXT-KEPT");
}

// ---- resv.replace -----------------------------------------------------------------------------
TEST(ResvReplace, AllOfContextWeakerWithDuplicates) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, base(R"(
            fence_init f0 c0 seqno=1
            fence_init f1 c0 seqno=2
            fence_init f2 c1 seqno=1
            fence_init f3 c2 seqno=1
            resv_add_fence r0 f0 WRITE
            resv_add_fence r0 f2 KERNEL
            resv_add_fence r0 f1 READ
            fence_put f0
            fence_put f1
        )"));
        EXPECT_EQ(peek(m, "resv_replace_fences r0 c0 f3 BOOKKEEP"), "released{f0, f1}");
        EXPECT_RULE(m, "resv_replace_fences r0 c0 f3 BOOKKEEP", with_released(Observation{}, {0}), "RESV-REPLACE-REFS");
        run_text(m, "resv_replace_fences r0 c0 f3 BOOKKEEP => released{f0, f1}");
        // exact: one entry per replaced slot; the contract lets the same fence/usage stand for both
        if (m.profile().exact_kernel) {
            EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{f3:BOOKKEEP, f2:KERNEL, f3:BOOKKEEP}");
            EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{3, U::BOOKKEEP}, {2, U::KERNEL}}), "RESV-REPLACE-ALL-OF-CONTEXT");
        }
        EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::WRITE}, {2, U::KERNEL}, {3, U::BOOKKEEP}}), "RESV-REPLACE-ALL-OF-CONTEXT");
        EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{3, U::BOOKKEEP}, {3, U::BOOKKEEP}}), "RESV-REPLACE-OTHERS-KEPT");
        // each entry holds a reference: putting the caller's leaves f3 alive
        EXPECT_RULE(m, "fence_put f3", with_released(Observation{}, {3}), "FENCE-REF-NO-EARLY-RELEASE");
    }
}

// ---- resv.copy --------------------------------------------------------------------------------
TEST(ResvCopy, UnsignaledOnlyUsageKeptDstReplaced) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, base(R"(
            fence_init f0 c0 seqno=1
            fence_init f1 c1 seqno=1
            fence_init f2 c2 seqno=1
            fence_init f3 c3 seqno=1
            resv_add_fence r0 f0 WRITE
            resv_add_fence r0 f1 READ
            resv_add_fence r0 f2 BOOKKEEP
            fence_signal f1 => 0
            resv_unlock r0
            resv_lock r1 => 0
            resv_reserve_fences r1 num_fences=1 => 0
            resv_add_fence r1 f3 KERNEL
            fence_put f3
        )"));
        EXPECT_EQ(peek(m, "resv_copy_fences r1 r0"), "0 released{f3}");
        EXPECT_RULE(m, "resv_copy_fences r1 r0", ret(-ENOMEM), "RESV-COPY-RETURNS-0");
        EXPECT_RULE(m, "resv_copy_fences r1 r0", ret(0), "RESV-COPY-REPLACES-DST");  // f3 not released
        run_text(m, "resv_copy_fences r1 r0 => 0 released{f3}");
        EXPECT_EQ(peek(m, "resv_for_each_fence r1 BOOKKEEP"), "{f0:WRITE, f2:BOOKKEEP}");
        EXPECT_RULE(m, "resv_for_each_fence r1 BOOKKEEP", list({{0, U::BOOKKEEP}, {2, U::BOOKKEEP}}), "RESV-COPY-KEEPS-USAGE");
        EXPECT_RULE(m, "resv_for_each_fence r1 BOOKKEEP", list({{0, U::WRITE}, {1, U::READ}, {2, U::BOOKKEEP}}), "RESV-COPY-UNSIGNALED");
        EXPECT_RULE(m, "resv_for_each_fence r1 BOOKKEEP", list({{0, U::WRITE}}), "RESV-COPY-UNSIGNALED");
    }
}

TEST(ResvCopy, EmptySourceLeavesNoList) {
    auto m = scenario("linux-6.12", base(R"(
        fence_init f0 c0 seqno=1
        resv_add_fence r0 f0 WRITE
        fence_put f0
    )"));
    EXPECT_EQ(peek(m, "resv_copy_fences r0 r1"), "0 released{f0}");
    run_text(m, "resv_copy_fences r0 r1 => 0 released{f0}");
    EXPECT_EQ(peek(m, "resv_for_each_fence r0 BOOKKEEP"), "{}");
    EXPECT_RULE(m, "resv_for_each_fence r0 BOOKKEEP", list({{0, U::WRITE}}), "RESV-COPY-REPLACES-DST");
}

// ---- resv.query -------------------------------------------------------------------------------
TEST(ResvQuery, UsageRw) {
    Model m(prof("contract"));
    EXPECT_EQ(peek(m, "resv_usage_rw write=1"), "READ");
    EXPECT_EQ(peek(m, "resv_usage_rw write=0"), "WRITE");
    EXPECT_RULE(m, "resv_usage_rw write=1", ret(static_cast<int>(U::WRITE)), "RESV-USAGE-RW");
    EXPECT_RULE(m, "resv_usage_rw write=0", ret(static_cast<int>(U::READ)), "RESV-USAGE-RW");
}

constexpr const char* kQuery = R"(
    fence_init f0 c0 seqno=1
    fence_init f1 c1 seqno=1
    fence_init f2 c2 seqno=1
    resv_add_fence r0 f0 WRITE
    resv_add_fence r0 f1 KERNEL
    resv_add_fence r0 f2 BOOKKEEP
    resv_unlock r0
    fence_signal f1 => 0
)";

TEST(ResvQuery, GetFencesAndSingleton) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, base(kQuery));
        EXPECT_EQ(peek(m, "resv_get_fences r0 BOOKKEEP"), "0 {f0, f2}");
        EXPECT_RULE(m, "resv_get_fences r0 BOOKKEEP", fences({0}), "RESV-UNLOCK-KEEPS-FENCES");  // last op that must not drop f2
        EXPECT_RULE(m, "resv_get_fences r0 WRITE", fences({0, 2}), "RESV-USAGE-FILTER");
        EXPECT_EQ(peek(m, "resv_get_singleton r0 KERNEL"), "0 {}");
        EXPECT_EQ(peek(m, "resv_get_singleton r0 WRITE"), "0 {f0}");
        EXPECT_EQ(peek(m, "resv_get_singleton r0 BOOKKEEP"), "0 {f0, f2} container");
        Observation one = fences({0});
        one.container = true;
        EXPECT_RULE(m, "resv_get_singleton r0 WRITE", one, "RESV-SINGLETON-ONE");
        EXPECT_RULE(m, "resv_get_singleton r0 BOOKKEEP", fences({0, 2}), "RESV-SINGLETON-ARRAY");
        Observation none;
        none.container = true;
        EXPECT_RULE(m, "resv_get_singleton r0 KERNEL", none, "RESV-SINGLETON-NONE");
    }
}

TEST(ResvQuery, TestSignaledWaitPollDeadline) {
    for (auto p : {"contract", "linux-6.12"}) {
        SCOPED_TRACE(p);
        auto m = scenario(p, base(kQuery));
        EXPECT_EQ(peek(m, "resv_test_signaled r0 KERNEL"), "true");
        EXPECT_EQ(peek(m, "resv_test_signaled r0 WRITE"), "false");
        EXPECT_RULE(m, "resv_test_signaled r0 WRITE", ret(1), "RESV-TEST-SIGNALED");
        EXPECT_RULE(m, "resv_test_signaled r0 KERNEL", ret(0), "RESV-TEST-SIGNALED");
        EXPECT_EQ(peek(m, "resv_wait_timeout r0 READ"), "0");
        EXPECT_EQ(peek(m, "resv_wait_timeout r0 KERNEL"), "1");
        EXPECT_EQ(peek(m, "resv_wait_timeout r0 KERNEL timeout=50"), "50");
        EXPECT_RULE(m, "resv_wait_timeout r0 READ", ret(1), "RESV-WAIT-POLL");
        EXPECT_RULE(m, "resv_wait_timeout r0 KERNEL", ret(0), "RESV-WAIT-POLL");
        EXPECT_RULE(m, "resv_wait_timeout r0 KERNEL timeout=50", ret(1), "RESV-WAIT-NOTHING");
        EXPECT_EQ(peek(m, "resv_set_deadline r0 BOOKKEEP"), "deadline{f0, f2}");
        Observation dl;
        dl.deadlines = {FenceH{0}, FenceH{1}, FenceH{2}};  // f1 is signalled
        EXPECT_RULE(m, "resv_set_deadline r0 BOOKKEEP", dl, "RESV-DEADLINE");
        dl.deadlines = {FenceH{0}};
        EXPECT_RULE(m, "resv_set_deadline r0 BOOKKEEP", dl, "RESV-DEADLINE");
        EXPECT_RULE(m, "resv_test_signaled r0 KERNEL", [] { Observation o = ret(1); o.deadlines = {FenceH{0}}; return o; }(), "RESV-DEADLINE");
    }
}

TEST(ResvQuery, DeadlineDoesNotExistIn61) {
    auto m = scenario("linux-6.1", "resv_init r0");
    EXPECT_FALSE(m.has_op(op("resv_set_deadline r0 BOOKKEEP")));
    EXPECT_TRUE(scenario("linux-6.12", "resv_init r0").has_op(op("resv_set_deadline r0 BOOKKEEP")));
}

// ---- misuse (ops marked @misuse) --------------------------------------------------------------
// r0 locked with one slot reserved (a list of 5), f0 added; f1 of the same context and seqno.
constexpr const char* kMisuse = R"(
    fence_context_alloc c0
    resv_init r0
    resv_lock r0 => 0
    fence_init f0 c0
    resv_reserve_fences r0 num_fences=1 => 0
    resv_add_fence r0 f0 KERNEL
    fence_init f1 c0
    resv_add_fence r0 f1 KERNEL @misuse
    resv_add_fence r0 f0 WRITE @misuse
    resv_add_fence r0 f1 WRITE @misuse
)";
// Judges a marked misuse on a copy of `m`: the rule named, "" if accepted.
std::string misjudged(const Model& m, std::string_view text, const Observation& obs, bool* ended = nullptr) {
    Model copy = m;
    Op o = op(text);
    if (auto why = copy.precondition(o, true)) return "<precondition: " + *why + ">";
    auto d = copy.step(o, obs);
    if (ended) *ended = copy.ended();
    return d ? std::string(rule_id(d->rule)) : std::string();
}
Observation bugged() {
    Observation o;
    o.status = Observation::Status::Bug;
    o.message = "BUG_ON(fobj->num_fences >= fobj->max_fences)";
    return o;
}

TEST(Misuse, AddBeyondReservedBugsExactlyWhenTheListIsFull) {
    auto m = scenario("linux-6.12", kMisuse);  // 4 of 5 slots used
    bool ended = false;
    EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 READ", Observation{}, &ended), "");
    EXPECT_FALSE(ended);
    EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 READ", bugged()), "MISUSE-ADD-BEYOND-RESERVED");  // room was left
    EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 KERNEL", bugged()), "MISUSE-ADD-BEYOND-RESERVED");  // replaced in place
    run_text(m, "resv_add_fence r0 f1 READ @misuse");
    EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 BOOKKEEP", Observation{}), "MISUSE-ADD-BEYOND-RESERVED");
    EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 BOOKKEEP", bugged(), &ended), "");
    EXPECT_TRUE(ended);
    Model copy = m;
    Op o = op("resv_add_fence r0 f1 BOOKKEEP");
    EXPECT_EQ(copy.perform(o).status, Observation::Status::Bug);
    EXPECT_TRUE(copy.ended());
}

TEST(Misuse, ContractAcceptsTheBugOrTheAdd) {
    auto m = scenario("contract", kMisuse);
    EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 READ", bugged()), "");
    EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 READ", Observation{}), "");
    EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 READ", with_warn(Observation{})), "WARN-ONLY-PREDICTED");
}

TEST(Misuse, AddingAContainerWarnsAndEndsTheTrace) {
    for (auto p : {"linux-6.12", "linux-6.1", "linux-7.2", "contract"}) {
        auto m = scenario(p, "fence_context_alloc c0\nfence_init f0 c0 seqno=1\nfence_chain_init f1 f0 - seqno=1\n"
                             "resv_init r0\nresv_lock r0\nresv_reserve_fences r0 num_fences=1");
        bool ended = false;
        EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 WRITE", Observation{}), "MISUSE-ADD-CONTAINER-WARNS") << p;
        EXPECT_EQ(misjudged(m, "resv_add_fence r0 f1 WRITE", with_warn(Observation{}), &ended), "") << p;
        EXPECT_TRUE(ended) << p;
    }
}

TEST(Misuse, OnlyDocumentedReactionsCount) {
    // no list yet: the kernel dereferences NULL (no documented reaction), marked or not
    auto nolist = scenario("linux-6.12", "fence_context_alloc c0\nfence_init f0 c0\nresv_init r0\nresv_lock r0");
    EXPECT_FALSE(nolist.misuse(op("resv_add_fence r0 f0 KERNEL")));
    EXPECT_TRUE(nolist.precondition(op("resv_add_fence r0 f0 KERNEL"), true));
    // reserve_fences(0): 6.12 and 7.2 WARN, 6.1 does not catch it
    auto r0 = "resv_init r0\nresv_lock r0\nresv_reserve_fences r0 num_fences=4";
    EXPECT_EQ(scenario("linux-6.12", r0).misuse(op("resv_reserve_fences r0")), Rule::RESV_RESERVE_ZERO);
    EXPECT_EQ(scenario("linux-7.2", r0).misuse(op("resv_reserve_fences r0")), Rule::RESV_RESERVE_ZERO);
    EXPECT_FALSE(scenario("linux-6.1", r0).misuse(op("resv_reserve_fences r0")));
    // an op that breaks no rule is no misuse: marking it is refused
    auto m = scenario("linux-6.12", kMisuse);
    EXPECT_FALSE(m.misuse(op("resv_is_locked r0")));
    EXPECT_TRUE(m.precondition(op("resv_is_locked r0"), true));
    EXPECT_EQ(m.misuse(op("resv_add_fence r0 f0 KERNEL")), Rule::MISUSE_ADD_BEYOND_RESERVED);
}

}  // namespace
}  // namespace resvcheck::test
