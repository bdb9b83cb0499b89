// dma_resv: reservation, add/replace/copy, queries built on the unlocked iterator, fini.
#include "sim_harness.h"

namespace resvcheck::sim::test {
namespace {

// Capacity after a first reserve(n): adds fences of fresh contexts until add_fence BUGs.
int capacity_after(int64_t n)
{
	Harness h;
	h.ready(0, n);
	for (int i = 0; i < 1000; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
		h.add(0, i, W);
		if (h.bugged())
			return i;
	}
	return -1;
}

TEST(SimReserve, ZeroWarnsAndFails)
{
	Harness h;
	h.init(0);
	h.lock(0);
	EXPECT_EQ(h.reserve(0, 0), -22);
	EXPECT_EQ(h.warnings(), 1u);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.add(0, 0, W); // still no list
	EXPECT_TRUE(h.bugged());
	EXPECT_NE(h.error().find("NULL"), std::string::npos);
}

TEST(SimReserve, FirstReserveCapacityFromKmallocBuckets)
{
	EXPECT_EQ(capacity_after(1), 5);
	EXPECT_EQ(capacity_after(4), 5);
	EXPECT_EQ(capacity_after(5), 9);
	EXPECT_EQ(capacity_after(8), 9);
	EXPECT_EQ(capacity_after(9), 21);
	EXPECT_EQ(capacity_after(16), 21);
	EXPECT_EQ(capacity_after(17), 61);
	EXPECT_EQ(capacity_after(33), 125);
}

TEST(SimReserve, GrowthFromFullList)
{
	// c=5, n=1 -> max(6, 10) = 10 -> 104 bytes -> kmalloc-128 -> 13 slots
	Harness h;
	h.ready(0, 1);
	for (int i = 0; i < 5; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
		h.add(0, i, W);
	}
	EXPECT_EQ(h.reserve(0, 1), 0);
	int added = 5;
	for (int i = 5; i < 40; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
		h.add(0, i, W);
		if (h.bugged())
			break;
		++added;
	}
	EXPECT_EQ(added, 13);
}

TEST(SimReserve, FitsMeansNothingElse)
{
	Harness h;
	h.ready(0, 4);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.add(0, 0, W);
	h.signal(0);
	EXPECT_EQ(h.reserve(0, 4), 0); // 1 + 4 <= 5: no realloc, no pruning
	EXPECT_EQ(h.locked(0), (Entries{{0, W}}));
}

TEST(SimReserve, ReallocPrunesSignaledInReverseOrder)
{
	Harness h;
	h.ready(0, 1);
	for (int i = 0; i < 5; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
		h.add(0, i, i % 4);
	}
	h.put(1);
	h.put(3);
	h.signal(1);
	h.signal(3);
	EXPECT_EQ(h.reserve(0, 1), 0);
	EXPECT_EQ(h.released(), (Handles{3, 1}));
	EXPECT_EQ(h.locked(0), (Entries{{0, 0}, {2, 2}, {4, 0}}));
}

TEST(SimAdd, SameContextLaterReplacesAndDropsOld)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.fence(1, 0, 2);
	h.add(0, 0, W);
	h.put(0);
	h.add(0, 1, W);
	EXPECT_EQ(h.released(), Handles{0});
	EXPECT_EQ(h.locked(0), (Entries{{1, W}}));
}

TEST(SimAdd, OlderOrWeakerAppends)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.fence(1, 0, 2);
	h.fence(2, 0, 3);
	h.add(0, 1, W);
	h.add(0, 0, W);  // older: appended
	h.add(0, 2, R);  // later but weaker usage: appended
	EXPECT_EQ(h.locked(0), (Entries{{1, W}, {0, W}, {2, R}}));
	h.add(0, 2, R);  // the very same fence and usage: its own slot is the first that qualifies
	EXPECT_EQ(h.locked(0), (Entries{{1, W}, {0, W}, {2, R}}));
	h.add(0, 2, W);  // stronger: slot 0 (#1, WRITE) qualifies first -> duplicate of #3
	EXPECT_EQ(h.locked(0), (Entries{{2, W}, {0, W}, {2, R}}));
}

TEST(SimAdd, StrongerUsageReplacesInPlace)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.fence(1, 0, 2);
	h.add(0, 0, B);
	h.add(0, 1, K);
	EXPECT_EQ(h.locked(0), (Entries{{1, K}}));
}

TEST(SimAdd, SameSeqnoDifferentObjectAppends)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.fence(0, 0, 5);
	h.fence(1, 0, 5);
	h.add(0, 0, W);
	h.add(0, 1, W);
	EXPECT_EQ(h.locked(0), (Entries{{0, W}, {1, W}}));
}

TEST(SimAdd, FirstSignaledSlotIsReusedEvenForDuplicate)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.ctx(1);
	h.fence(0, 0, 1); // S
	h.fence(1, 1, 1); // A
	h.add(0, 0, B);
	h.add(0, 1, R);
	h.signal(0);
	h.put(0);
	h.add(0, 1, R);
	EXPECT_EQ(h.released(), Handles{0});
	EXPECT_EQ(h.locked(0), (Entries{{1, R}, {1, R}}));
}

TEST(SimAdd, SignaledSameFenceTakesWeakerUsage)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.add(0, 0, W);
	h.signal(0);
	h.add(0, 0, B);
	EXPECT_EQ(h.locked(0), (Entries{{0, B}}));
}

TEST(SimAdd, NoSlotLeftIsBug)
{
	Harness h;
	h.ready(0, 1); // 5 slots
	for (int i = 0; i < 5; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
		h.add(0, i, W);
	}
	EXPECT_FALSE(h.bugged());
	h.ctx(5);
	h.fence(5, 5, 1);
	EXPECT_EQ(h.op(RC_OP_RESV_ADD_FENCE, {0, 5, W}), RC_APPLY_BUG);
	EXPECT_NE(h.error().find("BUG_ON"), std::string::npos);
}

TEST(SimAdd, CapacitySurvivesUnlock)
{
	Harness h;
	h.ready(0, 2);
	h.unlock(0);
	h.lock(0);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.add(0, 0, W); // non-debug kernel: leftover capacity survives unlock
	EXPECT_FALSE(h.bugged());
}

TEST(SimReplace, AllOfContextDegradesUsageAndTakesRefs)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.ctx(1);
	h.ctx(2);
	h.fence(0, 0, 1);
	h.fence(1, 1, 1);
	h.fence(2, 0, 2);
	h.fence(3, 2, 1); // replacement
	h.add(0, 0, K);
	h.add(0, 1, W);
	h.add(0, 2, R);
	h.put(0);
	h.signal(2);
	h.op(RC_OP_RESV_REPLACE_FENCES, {0, 0, 3, B});
	EXPECT_EQ(h.released(), Handles{0});
	EXPECT_EQ(h.locked(0), (Entries{{3, B}, {1, W}, {3, B}}));
	h.op(RC_OP_RESV_FINI, {0});
	EXPECT_TRUE(h.released().empty()); // harness still holds 1, 2, 3
	EXPECT_EQ(h.put(3), Handles{3});
}

TEST(SimCopy, UnsignaledWithUsagesAndDstReplacedWholesale)
{
	Harness h;
	h.ready(0);
	h.ready(1);
	h.ctx(0);
	h.ctx(1);
	h.ctx(2);
	h.fence(0, 0, 1);
	h.fence(1, 1, 1);
	h.fence(2, 2, 1);
	h.add(0, 0, R);
	h.add(0, 1, K);
	h.signal(1);
	h.add(1, 2, W);
	h.put(2);
	EXPECT_EQ(h.ret(RC_OP_RESV_COPY_FENCES, {1, 0}), 0);
	EXPECT_EQ(h.released(), Handles{2});
	EXPECT_EQ(h.locked(1), (Entries{{0, R}}));
}

TEST(SimCopy, EmptySourceLeavesNoList)
{
	Harness h;
	h.ready(0);
	h.init(1);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.add(0, 0, W);
	EXPECT_EQ(h.ret(RC_OP_RESV_COPY_FENCES, {0, 1}), 0);
	EXPECT_TRUE(h.locked(0).empty());
	h.add(0, 0, W);
	EXPECT_TRUE(h.bugged());
}

TEST(SimQuery, GetFencesFiltersUsageAndSignaled)
{
	Harness h;
	h.ready(0, 8);
	for (int i = 0; i < 5; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
	}
	h.add(0, 0, B);
	h.add(0, 1, K);
	h.add(0, 2, R);
	h.add(0, 3, W);
	h.add(0, 4, W);
	h.signal(3);
	EXPECT_EQ(h.get_fences(0, W), (Handles{1, 4}));
	EXPECT_EQ(h.get_fences(0, B), (Handles{0, 1, 2, 4}));
	h.init(1);
	EXPECT_TRUE(h.get_fences(1, B).empty());
}

TEST(SimQuery, Singleton)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.ctx(1);
	h.fence(0, 0, 1);
	h.fence(1, 1, 1);
	h.op(RC_OP_RESV_GET_SINGLETON, {0, B});
	EXPECT_EQ(h.obs().n_fences, 0u);
	EXPECT_EQ(h.obs().flags, 0u);
	h.add(0, 0, W);
	h.op(RC_OP_RESV_GET_SINGLETON, {0, B});
	EXPECT_EQ(h.fence_handles(), Handles{0});
	EXPECT_EQ(h.obs().flags, 0u);
	h.add(0, 1, R);
	h.op(RC_OP_RESV_GET_SINGLETON, {0, B});
	EXPECT_EQ(h.fence_handles(), (Handles{0, 1}));
	EXPECT_EQ(h.obs().flags, uint32_t{RC_OBS_CONTAINER});
	h.op(RC_OP_RESV_GET_SINGLETON, {0, W});
	EXPECT_EQ(h.fence_handles(), Handles{0});
	EXPECT_EQ(h.obs().flags, 0u);
	EXPECT_TRUE(h.released().empty());
}

TEST(SimQuery, TestSignaled)
{
	Harness h;
	h.init(1);
	EXPECT_EQ(h.ret(RC_OP_RESV_TEST_SIGNALED, {1, B}), 1);
	h.ready(0);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.add(0, 0, B);
	EXPECT_EQ(h.ret(RC_OP_RESV_TEST_SIGNALED, {0, R}), 1);
	EXPECT_EQ(h.ret(RC_OP_RESV_TEST_SIGNALED, {0, B}), 0);
	h.signal(0);
	EXPECT_EQ(h.ret(RC_OP_RESV_TEST_SIGNALED, {0, B}), 1);
}

TEST(SimQuery, WaitTimeout)
{
	Harness h;
	h.ready(0);
	EXPECT_EQ(h.ret(RC_OP_RESV_WAIT_TIMEOUT, {0, B, 0, 0}), 1);
	EXPECT_EQ(h.ret(RC_OP_RESV_WAIT_TIMEOUT, {0, B, 1, 50}), 50);
	h.ctx(0);
	h.fence(0, 0, 1);
	h.add(0, 0, R);
	EXPECT_EQ(h.ret(RC_OP_RESV_WAIT_TIMEOUT, {0, W, 0, 0}), 1);
	EXPECT_EQ(h.ret(RC_OP_RESV_WAIT_TIMEOUT, {0, B, 0, 0}), 0);
	EXPECT_EQ(h.ret(RC_OP_RESV_WAIT_TIMEOUT, {0, B, 0, 50}), 0);
	h.signal(0);
	EXPECT_EQ(h.ret(RC_OP_RESV_WAIT_TIMEOUT, {0, B, 0, 0}), 1);
	EXPECT_EQ(h.ret(RC_OP_RESV_WAIT_TIMEOUT, {0, B, 0, 50}), 50);
}

TEST(SimQuery, SetDeadlineOnUnsignaledOfUsage)
{
	Harness h;
	h.ready(0);
	for (int i = 0; i < 4; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
	}
	h.add(0, 0, K);
	h.add(0, 1, B);
	h.add(0, 2, W);
	h.add(0, 3, R);
	h.signal(2);
	h.op(RC_OP_RESV_SET_DEADLINE, {0, R});
	EXPECT_EQ(h.deadlines(), (Handles{0, 3}));
}

TEST(SimQuery, UsageRw)
{
	Harness h;
	EXPECT_EQ(h.ret(RC_OP_RESV_USAGE_RW, {1}), R);
	EXPECT_EQ(h.ret(RC_OP_RESV_USAGE_RW, {0}), W);
}

TEST(SimLifetime, FiniDropsOneRefPerEntry)
{
	Harness h;
	h.ready(0);
	h.ctx(0);
	h.ctx(1);
	h.fence(0, 0, 1);
	h.fence(1, 1, 1);
	h.add(0, 0, R);
	h.add(0, 0, B); // weaker: a duplicate entry
	h.add(0, 1, W);
	h.signal(1);
	h.put(0);
	h.put(1);
	EXPECT_EQ(h.locked(0), (Entries{{0, R}, {0, B}, {1, W}}));
	h.op(RC_OP_RESV_FINI, {0});
	EXPECT_EQ(h.released(), (Handles{0, 1}));
}

} // namespace
} // namespace resvcheck::sim::test
