// Unit tests of the shim's wait-die ww_mutex (shim/kernel/mutex.c), single-threaded semantics
// and real blocking between threads. Built twice: plain and with CONFIG_DEBUG_MUTEXES.
#include <gtest/gtest.h>

#include <cstring>

#include "ww_mutex_helpers.h"

namespace {

constexpr int kEALREADY = -114, kEDEADLK = -35, kEINTR = -4;

struct WwMutex : ::testing::Test {
  void SetUp() override {
    wwt_new_boot();
    l0 = wwt_lock_new();
    l1 = wwt_lock_new();
    old_ctx = wwt_ctx_new();
    young_ctx = wwt_ctx_new();
  }
  void TearDown() override {
    for (void* p : {l0, l1, old_ctx, young_ctx}) wwt_lock_free(p);  // kfree
  }
  void* l0;
  void* l1;
  void* old_ctx;
  void* young_ctx;
};

TEST_F(WwMutex, StampsFollowInitOrder) { EXPECT_LT(wwt_ctx_stamp(old_ctx), wwt_ctx_stamp(young_ctx)); }

TEST_F(WwMutex, UncontendedLockRecordsContext) {
  EXPECT_EQ(wwt_lock(l0, old_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_holder_ctx(l0), old_ctx);
  EXPECT_EQ(wwt_ctx_acquired(old_ctx), 1u);
  wwt_unlock(l0);
  EXPECT_EQ(wwt_holder_ctx(l0), nullptr);
  EXPECT_EQ(wwt_ctx_acquired(old_ctx), 0u);
  EXPECT_FALSE(wwt_is_locked(l0));
}

TEST_F(WwMutex, SameContextTwiceIsEalready) {
  ASSERT_EQ(wwt_lock(l0, old_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_lock(l0, old_ctx, 0, 0), kEALREADY);
  EXPECT_EQ(wwt_lock(l0, old_ctx, 1, 1), kEALREADY);  // before any signal check
  EXPECT_EQ(wwt_ctx_acquired(old_ctx), 1u);
}

TEST_F(WwMutex, YoungerHoldingLocksDiesAgainstOlderHolder) {
  ASSERT_EQ(wwt_lock(l0, old_ctx, 0, 0), 0);
  ASSERT_EQ(wwt_lock(l1, young_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_lock(l0, young_ctx, 0, 0), kEDEADLK);
  EXPECT_EQ(wwt_lock(l0, young_ctx, 1, 0), kEDEADLK);
}

TEST_F(WwMutex, PendingSignalBeatsDie) {
  ASSERT_EQ(wwt_lock(l0, old_ctx, 0, 0), 0);
  ASSERT_EQ(wwt_lock(l1, young_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_lock(l0, young_ctx, 1, 1), kEINTR);
  EXPECT_EQ(wwt_lock(l0, young_ctx, 0, 1), kEDEADLK);  // uninterruptible ignores signals
}

TEST_F(WwMutex, UncontendedSucceedsWithSignalPending) {
  EXPECT_EQ(wwt_lock(l0, young_ctx, 1, 1), 0);
  EXPECT_EQ(wwt_lock_slow(l1, old_ctx, 1, 1), 0);
}

TEST_F(WwMutex, WaitsThatNothingCanEndAreBugsNotHangs) {
  ASSERT_EQ(wwt_lock(l0, young_ctx, 0, 0), 0);
  // older context would wait for the younger holder
  ASSERT_EQ(wwt_lock(l1, old_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_lock(l0, old_ctx, 0, 0), WWT_BUG);
  EXPECT_NE(std::strstr(wwt_last_bug(), "would sleep forever"), nullptr) << wwt_last_bug();
  // a context holding nothing never dies: it waits
  void* fresh = wwt_ctx_new();
  EXPECT_EQ(wwt_lock(l0, fresh, 0, 0), WWT_BUG);
  // no context at all: plain mutex wait
  EXPECT_EQ(wwt_lock(l0, nullptr, 0, 0), WWT_BUG);
  // interruptible with a signal: -EINTR instead of sleeping
  EXPECT_EQ(wwt_lock(l0, fresh, 1, 1), kEINTR);
  EXPECT_EQ(wwt_lock(l0, nullptr, 1, 1), kEINTR);
  wwt_lock_free(fresh);
}

TEST_F(WwMutex, BackoffThenLockSlow) {
  ASSERT_EQ(wwt_lock(l0, old_ctx, 0, 0), 0);
  ASSERT_EQ(wwt_lock(l1, young_ctx, 0, 0), 0);
  ASSERT_EQ(wwt_lock(l0, young_ctx, 0, 0), kEDEADLK);
  wwt_unlock(l1);  // back off
  wwt_unlock(l0);  // the older transaction finishes
  unsigned long warns = wwt_warns();
  EXPECT_EQ(wwt_lock_slow(l0, young_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_lock(l1, young_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_ctx_acquired(young_ctx), 2u);
  EXPECT_EQ(wwt_warns(), warns);  // the protocol was followed
}

TEST_F(WwMutex, Trylock) {
  EXPECT_EQ(wwt_trylock(l0, nullptr), 1);
  EXPECT_EQ(wwt_holder_ctx(l0), nullptr);
  EXPECT_EQ(wwt_trylock(l0, nullptr), 0);  // even for the holder: no recursion
  EXPECT_EQ(wwt_trylock(l0, old_ctx), 0);
  wwt_unlock(l0);
  EXPECT_EQ(wwt_trylock(l0, old_ctx), 1);
  EXPECT_EQ(wwt_holder_ctx(l0), old_ctx);
  EXPECT_EQ(wwt_ctx_acquired(old_ctx), 1u);
}

#ifdef SHIM_TEST_DEBUG_MUTEXES
TEST_F(WwMutex, DebugFiniWithLocksHeldWarnsOncePerBoot) {
  ASSERT_EQ(wwt_lock(l0, old_ctx, 0, 0), 0);
  unsigned long w = wwt_warns();
  wwt_ctx_fini(old_ctx);
  EXPECT_EQ(wwt_warns(), w + 1);
  // debug_locks is now off: further DEBUG_LOCKS_WARN_ON stay silent until the next boot
  wwt_ctx_done(young_ctx);
  EXPECT_EQ(wwt_lock(l1, young_ctx, 0, 0), 0);  // lock after done
  EXPECT_EQ(wwt_warns(), w + 1);
}

TEST_F(WwMutex, DebugLockAfterDoneWarns) {
  wwt_ctx_done(old_ctx);
  unsigned long w = wwt_warns();
  EXPECT_EQ(wwt_lock(l0, old_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_warns(), w + 1);
}

TEST_F(WwMutex, DebugLockSlowWithoutDeadlockWarns) {
  unsigned long w = wwt_warns();
  EXPECT_EQ(wwt_lock_slow(l0, old_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_warns(), w + 1);
}
#else
TEST_F(WwMutex, NoDebugChecksWithoutDebugMutexes) {
  ASSERT_EQ(wwt_lock(l0, old_ctx, 0, 0), 0);
  unsigned long w = wwt_warns();
  wwt_ctx_fini(old_ctx);
  wwt_ctx_done(young_ctx);
  EXPECT_EQ(wwt_lock_slow(l1, young_ctx, 0, 0), 0);
  EXPECT_EQ(wwt_warns(), w);
}
#endif

// Real threads: contended locks block and wake. The holder holds far longer than the 30 ms asked
// of a wait, so a loaded machine that starts the waiter late still sees it block.
TEST(WwMutexThreads, AcquiredZeroWaitsForOlderHolder) {
  long waited = 0;
  EXPECT_EQ(wwt_thread_contend(300, /*kthread_older=*/1, /*main_holds_other=*/0, &waited), 0);
  EXPECT_GE(waited, 30);
}

TEST(WwMutexThreads, OlderWaitsForYoungerHolder) {
  long waited = 0;
  EXPECT_EQ(wwt_thread_contend(300, 0, 1, &waited), 0);
  EXPECT_GE(waited, 30);
}

TEST(WwMutexThreads, YoungerWithLocksDiesWithoutWaiting) {
  long waited = 1000;
  EXPECT_EQ(wwt_thread_contend(200, 1, 1, &waited), kEDEADLK);
  EXPECT_LT(waited, 150);
}

}  // namespace
