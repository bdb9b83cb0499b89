// Locked and unlocked iteration, step by step and as whole walks.
#include "sim_harness.h"

namespace resvcheck::sim::test {
namespace {

struct Step {
	Handles fences;
	bool restarted;
	bool operator==(const Step &) const = default;
};

Step step(Harness &h, uint32_t kind, int64_t i)
{
	h.op(kind, {i});
	return Step{h.fence_handles(), (h.obs().flags & RC_OBS_RESTARTED) != 0};
}

// r0 holds f0..f3 of contexts 0..3 with usages K, B, W, R.
void four(Harness &h)
{
	h.ready(0, 8);
	const int64_t usage[] = {K, B, W, R};
	for (int i = 0; i < 4; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
		h.add(0, i, usage[i]);
	}
}

TEST(SimIterLocked, IndexOrderUsageFilterSignaledIncluded)
{
	Harness h;
	four(h);
	h.signal(0);
	h.op(RC_OP_RESV_ITER_BEGIN, {0, 0, W});
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_FIRST, 0), (Step{{0}, true}));
	EXPECT_EQ(h.entries(), (Entries{{0, K}}));
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT, 0), (Step{{2}, false}));
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT, 0), (Step{{}, false}));
	h.op(RC_OP_RESV_ITER_END, {0});
	EXPECT_EQ(h.locked(0, R), (Entries{{0, K}, {2, W}, {3, R}}));
}

TEST(SimIterLocked, FirstOnEmptyIsRestarted)
{
	Harness h;
	h.init(0);
	h.lock(0);
	h.op(RC_OP_RESV_ITER_BEGIN, {0, 0, B});
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_FIRST, 0), (Step{{}, true}));
}

TEST(SimIterLocked, SeesAppendsDuringIteration)
{
	Harness h;
	four(h);
	h.op(RC_OP_RESV_ITER_BEGIN, {0, 0, B});
	for (int i = 0; i < 4; ++i)
		step(h, i ? RC_OP_RESV_ITER_NEXT : RC_OP_RESV_ITER_FIRST, 0);
	h.ctx(9);
	h.fence(9, 9, 1);
	h.add(0, 9, W);
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT, 0), (Step{{9}, false}));
}

TEST(SimIterUnlocked, SkipsSignaledAndFiltersUsage)
{
	Harness h;
	four(h);
	h.signal(2);
	EXPECT_EQ(h.unlocked(0, R), (Entries{{0, K}, {3, R}}));
	EXPECT_EQ(h.unlocked(0, B), (Entries{{0, K}, {1, B}, {3, R}}));
	EXPECT_EQ(h.obs().flags, 0u);
}

TEST(SimIterUnlocked, SnapshotExcludesAppendsButSeesInPlaceReplacement)
{
	Harness h;
	four(h);
	h.op(RC_OP_RESV_ITER_BEGIN, {0, 0, B});
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_FIRST_UNLOCKED, 0), (Step{{0}, true}));
	h.fence(5, 3, 2); // later fence of f3's context replaces slot 3 in place
	h.add(0, 5, R);
	h.ctx(6);
	h.fence(6, 6, 1);
	h.add(0, 6, W); // appended after the snapshot
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{1}, false}));
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{2}, false}));
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{5}, false}));
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{}, false}));
	h.op(RC_OP_RESV_ITER_END, {0});
}

TEST(SimIterUnlocked, HoldsReferenceOnCurrentFence)
{
	Harness h;
	four(h);
	h.put(0); // only the resv holds f0 now
	h.op(RC_OP_RESV_ITER_BEGIN, {0, 0, B});
	step(h, RC_OP_RESV_ITER_FIRST_UNLOCKED, 0);
	h.fence(7, 0, 2);
	h.add(0, 7, K); // evicts f0 from the resv: the cursor's reference keeps it alive
	EXPECT_TRUE(h.released().empty());
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{1}, false}));
	EXPECT_EQ(h.released(), Handles{0});
	h.op(RC_OP_RESV_ITER_END, {0});
	EXPECT_TRUE(h.released().empty());
}

TEST(SimIterUnlocked, EndDropsReference)
{
	Harness h;
	four(h);
	h.put(1);
	h.op(RC_OP_RESV_ITER_BEGIN, {0, 0, B});
	step(h, RC_OP_RESV_ITER_FIRST_UNLOCKED, 0);
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{1}, false}));
	h.op(RC_OP_RESV_REPLACE_FENCES, {0, 1, 0, B});
	EXPECT_TRUE(h.released().empty());
	h.op(RC_OP_RESV_ITER_END, {0});
	EXPECT_EQ(h.released(), Handles{1});
}

TEST(SimIterUnlocked, RestartsWhenListReplaced)
{
	Harness h;
	h.ready(0, 1); // 5 slots
	for (int i = 0; i < 5; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
		h.add(0, i, W);
	}
	h.unlock(0);
	h.op(RC_OP_RESV_ITER_BEGIN, {0, 0, B});
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_FIRST_UNLOCKED, 0), (Step{{0}, true}));
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{1}, false}));
	h.signal(0);
	h.lock(0);
	EXPECT_EQ(h.reserve(0, 1), 0); // realloc: new identity, f0 pruned
	h.unlock(0);
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{1}, true}));
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{2}, false}));
	h.op(RC_OP_RESV_ITER_END, {0});
}

TEST(SimIterUnlocked, NoListYieldsNothing)
{
	Harness h;
	h.init(0);
	h.op(RC_OP_RESV_ITER_BEGIN, {0, 0, B});
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_FIRST_UNLOCKED, 0), (Step{{}, true}));
	EXPECT_EQ(step(h, RC_OP_RESV_ITER_NEXT_UNLOCKED, 0), (Step{{}, false}));
	h.op(RC_OP_RESV_ITER_END, {0});
}

TEST(SimIterUnlocked, WalksLeaveRefcountsUnchanged)
{
	Harness h;
	four(h);
	h.unlocked(0);
	h.get_fences(0);
	h.op(RC_OP_RESV_GET_SINGLETON, {0, B});
	h.op(RC_OP_RESV_TEST_SIGNALED, {0, B});
	h.op(RC_OP_RESV_FINI, {0});
	EXPECT_TRUE(h.released().empty());
	for (int i = 0; i < 4; ++i)
		EXPECT_EQ(h.put(i), Handles{static_cast<uint32_t>(i)});
}

} // namespace
} // namespace resvcheck::sim::test
