// ww_mutex-style dma_resv locking (wait-die, reservation_ww_class).
#include "sim_harness.h"

namespace resvcheck::sim::test {
namespace {

TEST(SimLock, PlainLockTrylockIsLocked)
{
	Harness h;
	h.init(0);
	EXPECT_EQ(h.ret(RC_OP_RESV_IS_LOCKED, {0}), 0);
	EXPECT_EQ(h.lock(0), 0);
	EXPECT_EQ(h.ret(RC_OP_RESV_IS_LOCKED, {0}), 1);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCKING_CTX, {0}), -1);
	EXPECT_EQ(h.ret(RC_OP_RESV_TRYLOCK, {0}), 0);
	h.unlock(0);
	EXPECT_EQ(h.ret(RC_OP_RESV_TRYLOCK, {0}), 1);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCKING_CTX, {0}), -1);
	EXPECT_EQ(h.op(RC_OP_RESV_LOCK, {0, -1}), RC_APPLY_BUG); // self-deadlock
	EXPECT_NE(h.error().find("sleep forever"), std::string::npos);
}

TEST(SimLock, CtxRecordedAndEalready)
{
	Harness h;
	h.init(0);
	h.op(RC_OP_WW_ACQUIRE_INIT, {3});
	EXPECT_EQ(h.lock(0, 3), 0);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCKING_CTX, {0}), 3);
	EXPECT_EQ(h.lock(0, 3), -114);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCK_INTERRUPTIBLE, {0, 3, 1}), -114);
	h.unlock(0);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCKING_CTX, {0}), -1);
	EXPECT_EQ(h.ret(RC_OP_RESV_IS_LOCKED, {0}), 0);
}

TEST(SimLock, WaitDieYoungerWithLocksDies)
{
	Harness h;
	h.init(0);
	h.init(1);
	h.init(2);
	h.op(RC_OP_WW_ACQUIRE_INIT, {0}); // older
	h.op(RC_OP_WW_ACQUIRE_INIT, {1}); // younger
	EXPECT_EQ(h.lock(0, 0), 0);
	EXPECT_EQ(h.lock(1, 1), 0);
	EXPECT_EQ(h.lock(0, 1), -35);     // younger, acquired 1, older holder
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCKING_CTX, {0}), 0);
	// older contending with a younger holder waits: forever here
	EXPECT_EQ(h.op(RC_OP_RESV_LOCK, {1, 0}), RC_APPLY_BUG);
}

TEST(SimLock, AcquiredZeroNeverDies)
{
	Harness h;
	h.init(0);
	h.op(RC_OP_WW_ACQUIRE_INIT, {0});
	h.op(RC_OP_WW_ACQUIRE_INIT, {1});
	h.lock(0, 0);
	EXPECT_EQ(h.op(RC_OP_RESV_LOCK, {0, 1}), RC_APPLY_BUG);
}

TEST(SimLock, CtxlessHolderKillsNobody)
{
	Harness h;
	h.init(0);
	h.init(1);
	h.op(RC_OP_WW_ACQUIRE_INIT, {0});
	h.lock(1, 0);
	EXPECT_EQ(h.ret(RC_OP_RESV_TRYLOCK, {0}), 1);
	EXPECT_EQ(h.op(RC_OP_RESV_LOCK, {0, 0}), RC_APPLY_BUG);
}

TEST(SimLock, BackoffAndSlowPath)
{
	Harness h;
	h.init(0);
	h.init(1);
	h.op(RC_OP_WW_ACQUIRE_INIT, {0});
	h.op(RC_OP_WW_ACQUIRE_INIT, {1});
	h.lock(0, 0);
	h.lock(1, 1);
	EXPECT_EQ(h.lock(0, 1), -35);
	h.unlock(1); // back off: acquired back to 0
	h.unlock(0); // the older ctx finishes
	h.op(RC_OP_WW_ACQUIRE_FINI, {0});
	EXPECT_EQ(h.op(RC_OP_RESV_LOCK_SLOW, {0, 1}), RC_APPLY_OK);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCKING_CTX, {0}), 1);
	EXPECT_EQ(h.lock(1, 1), 0);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCK_SLOW_INTERRUPTIBLE, {1, 1, 1}), -114);
}

TEST(SimLock, InterruptibleSignalBeforeDie)
{
	Harness h;
	h.init(0);
	h.init(1);
	h.init(2);
	h.op(RC_OP_WW_ACQUIRE_INIT, {0});
	h.op(RC_OP_WW_ACQUIRE_INIT, {1});
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCK_INTERRUPTIBLE, {0, 0, 1}), 0); // uncontended: signal ignored
	h.lock(1, 1);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCK_INTERRUPTIBLE, {0, 1, 1}), -4);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCK_INTERRUPTIBLE, {0, 1, 0}), -35);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCK_SLOW_INTERRUPTIBLE, {0, 1, 1}), -4);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCK_INTERRUPTIBLE, {0, -1, 1}), -4);
	h.lock(2);
	EXPECT_EQ(h.ret(RC_OP_RESV_LOCK_INTERRUPTIBLE, {2, -1, 1}), -4);
}

// The sim's own lock-dependency recorder, primed by replaying the kernel's boot sequence.
TEST(SimLockOrder, SignallingSectionThenReservationLock)
{
	Harness h;
	h.init(0);                                 // op 0
	EXPECT_EQ(h.ret(RC_OP_SIG_BEGIN, {}), 0);  // op 1
	EXPECT_EQ(h.lock(0), 0);                   // op 2: only pseudo-locks close the cycle
	ASSERT_TRUE(h.lockdep());
	const std::string r = h.report();
	EXPECT_EQ(r.rfind("lockdep: cycle dma_fence_map -> reservation_ww_class_mutex\n", 0), 0u) << r;
	EXPECT_NE(r.find("taken at op 2 while holding dma_fence_map taken at op 1"), std::string::npos) << r;
	EXPECT_NE(r.find("reservation_ww_class_mutex -(boot)-> fs_reclaim -(boot)-> mmu_notifier_invalidate_range_start "
	                 "-(boot)-> dma_fence_map"),
	          std::string::npos) << r;
	// like lockdep, one report, then the recorder is off until the next trace
	h.unlock(0);
	EXPECT_EQ(h.lock(0), 0);
	EXPECT_FALSE(h.lockdep());
	h.reset();
	h.init(0);
	EXPECT_EQ(h.lock(0), 0);                   // outside a section: the primed order allows it
	EXPECT_EQ(h.ret(RC_OP_SIG_BEGIN, {}), 0);  // and a section under a reservation lock too
	EXPECT_FALSE(h.lockdep());
}

TEST(SimLockOrder, TrylockAndNowaitAreAllowedInsideASection)
{
	Harness h;
	h.init(0);
	EXPECT_EQ(h.ret(RC_OP_SIG_BEGIN, {}), 0);
	EXPECT_EQ(h.ret(RC_OP_RESV_TRYLOCK, {0}), 1);
	EXPECT_FALSE(h.lockdep());
	h.op(RC_OP_DRIVER_ALLOC, {3});  // GFP_NOWAIT
	EXPECT_FALSE(h.lockdep());
	h.op(RC_OP_DRIVER_ALLOC, {1});  // GFP_NOFS still enters direct reclaim
	EXPECT_TRUE(h.lockdep());
	EXPECT_EQ(h.report().rfind("lockdep: cycle dma_fence_map -> mmu_notifier_invalidate_range_start", 0), 0u) << h.report();
}

} // namespace
} // namespace resvcheck::sim::test
