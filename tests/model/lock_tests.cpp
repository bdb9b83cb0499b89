// Area resv.lock (ww_mutex wait-die locking of reservation objects).
#include <cerrno>

#include "model_test_util.h"

namespace resvcheck::test {
namespace {

constexpr const char* kTwoCtx = R"(
    resv_init r0
    resv_init r1
    resv_init r2
    ww_acquire_init a0
    ww_acquire_init a1
)";

TEST(ResvLock, UncontendedAndEalready) {
    auto m = scenario("contract", kTwoCtx);
    EXPECT_RULE(m, "resv_lock r0 a0", ret(-EDEADLK), "WW-LOCK-UNCONTENDED");
    run_text(m, "resv_lock r0 a0 => 0");
    EXPECT_EQ(peek(m, "resv_lock r0 a0"), "-EALREADY");
    EXPECT_EQ(peek(m, "resv_lock_interruptible r0 a0"), "-EALREADY");
    EXPECT_RULE(m, "resv_lock r0 a0", ret(0), "WW-EALREADY");
    EXPECT_RULE(m, "resv_lock r0 a0", ret(-EDEADLK), "WW-EALREADY");
    // -EALREADY changed nothing: one unlock frees it
    run_text(m, "resv_lock r0 a0 => -EALREADY\nresv_unlock r0\nresv_is_locked r0 => false");
}

TEST(ResvLock, YoungerHoldingALockDies) {
    auto m = scenario("contract", std::string(kTwoCtx) + "resv_lock r1 a1 => 0\nresv_lock r0 a0 => 0");
    EXPECT_EQ(peek(m, "resv_lock r0 a1"), "-EDEADLK");
    EXPECT_RULE(m, "resv_lock r0 a1", ret(0), "WW-WAIT-DIE-YOUNGER");
    EXPECT_RULE(m, "resv_lock_interruptible r0 a1", ret(-EINTR), "WW-WAIT-DIE-YOUNGER");
    // backoff then lock_slow
    run_text(m, "resv_lock r0 a1 => -EDEADLK\nresv_unlock r1\nresv_unlock r0\nresv_lock_slow r0 a1\nresv_locking_ctx r0 => a1");
}

TEST(ResvLock, SignalPendingBeatsWaitDie) {
    // younger that would die: -EINTR first (signal checked before the kill check)
    auto m = scenario("linux-6.12", std::string(kTwoCtx) + "resv_lock r0 a0 => 0\nresv_lock r1 a1 => 0");
    EXPECT_EQ(peek(m, "resv_lock_interruptible r0 a1 sigpending=1"), "-EINTR");
    EXPECT_RULE(m, "resv_lock_interruptible r0 a1 sigpending=1", ret(-EDEADLK), "WW-INTERRUPTIBLE-EINTR");
}

TEST(ResvLock, OlderWithSignalGetsEintrNotEdeadlk) {
    auto m = scenario("contract", std::string(kTwoCtx) + "resv_lock r0 a1 => 0\nresv_lock r1 a0 => 0");
    EXPECT_EQ(peek(m, "resv_lock_interruptible r0 a0 sigpending=1"), "-EINTR");
    EXPECT_RULE(m, "resv_lock_interruptible r0 a0 sigpending=1", ret(-EDEADLK), "WW-OLDER-NEVER-DIES");
    EXPECT_RULE(m, "resv_lock_interruptible r0 a0 sigpending=1", ret(0), "WW-INTERRUPTIBLE-EINTR");
    // and without contention the signal does not matter
    EXPECT_EQ(peek(m, "resv_lock_interruptible r2 a0 sigpending=1"), "0");
    EXPECT_RULE(m, "resv_lock_interruptible r2 a0 sigpending=1", ret(-EINTR), "WW-INTERRUPTIBLE-EINTR");
}

TEST(ResvLock, EmptyContextNeverDies) {
    auto m = scenario("contract", std::string(kTwoCtx) + "resv_lock r0 a0 => 0");
    EXPECT_EQ(peek(m, "resv_lock_interruptible r0 a1 sigpending=1"), "-EINTR");
    EXPECT_RULE(m, "resv_lock_interruptible r0 a1 sigpending=1", ret(-EDEADLK), "WW-OLDER-NEVER-DIES");
    // the waiting-forever case is a precondition, not an observation
    EXPECT_TRUE(m.precondition(op("resv_lock r0 a1")).has_value());
    // a holder without context never makes a contender die
    run_text(m, "resv_lock r1 => 0\nresv_lock r2 a1 => 0");
    EXPECT_RULE(m, "resv_lock_interruptible r1 a1 sigpending=1", ret(-EDEADLK), "WW-OLDER-NEVER-DIES");
}

TEST(ResvLock, LockSlowInterruptible) {
    // a1 dies on r0 (held by the older a0), backs off, then slow-locks r0
    auto m = scenario("contract", std::string(kTwoCtx) + "resv_lock r0 a0 => 0\nresv_lock r1 a1 => 0\n"
                                                         "resv_lock r0 a1 => -EDEADLK\nresv_unlock r1");
    EXPECT_EQ(peek(m, "resv_lock_slow_interruptible r0 a1 sigpending=1"), "-EINTR");
    EXPECT_RULE(m, "resv_lock_slow_interruptible r0 a1 sigpending=1", ret(-EDEADLK), "WW-OLDER-NEVER-DIES");  // holds nothing
    run_text(m, "resv_unlock r0");
    EXPECT_EQ(peek(m, "resv_lock_slow_interruptible r0 a1 sigpending=1"), "0");
    EXPECT_RULE(m, "resv_lock_slow_interruptible r0 a1", ret(-EINTR), "WW-LOCK-SLOW");
}

TEST(ResvLock, LockSlowOnlyAfterEdeadlk) {
    // ww_mutex_lock_slow is for the contending object only (debug kernels WARN otherwise)
    auto m = scenario("contract", kTwoCtx);
    EXPECT_TRUE(m.precondition(op("resv_lock_slow r0 a0")).has_value());
    run_text(m, "resv_lock r0 a0 => 0\nresv_lock r1 a1 => 0\nresv_lock r0 a1 => -EDEADLK\nresv_unlock r1\nresv_unlock r0");
    EXPECT_TRUE(m.precondition(op("resv_lock_slow r1 a1")).has_value());
    EXPECT_FALSE(m.precondition(op("resv_lock_slow r0 a1")).has_value());
    run_text(m, "resv_lock_slow r0 a1");
    EXPECT_EQ(peek(m, "resv_locking_ctx r0"), "a1");
}

TEST(ResvLock, TrylockRecordsNoContext) {
    auto m = scenario("contract", kTwoCtx);
    EXPECT_RULE(m, "resv_trylock r0", ret(0), "WW-TRYLOCK");
    run_text(m, "resv_trylock r0 => true");
    EXPECT_EQ(peek(m, "resv_locking_ctx r0"), "none");
    EXPECT_RULE(m, "resv_locking_ctx r0", ret(0), "WW-TRYLOCK");  // a0 would be wrong: no ctx recorded
    EXPECT_RULE(m, "resv_trylock r0", ret(1), "WW-TRYLOCK");
    EXPECT_RULE(m, "resv_is_locked r0", ret(0), "WW-TRYLOCK");
    run_text(m, "resv_unlock r0\nresv_lock r0 a1 => 0");
    EXPECT_RULE(m, "resv_locking_ctx r0", ret(-1), "WW-LOCKING-CTX");
    EXPECT_EQ(peek(m, "resv_locking_ctx r0"), "a1");
    run_text(m, "resv_unlock r0");
    EXPECT_RULE(m, "resv_is_locked r0", ret(1), "WW-UNLOCK");
    EXPECT_RULE(m, "resv_locking_ctx r0", ret(1), "WW-UNLOCK");
    run_text(m, "resv_is_locked r0 => false\nresv_lock r0 a0 => 0");
    EXPECT_RULE(m, "resv_is_locked r0", ret(0), "WW-LOCK-UNCONTENDED");
}

}  // namespace
}  // namespace resvcheck::test
