// dma_fence core: seqno order, signalling, errors, callbacks, references, waiting.
#include "sim_harness.h"

namespace resvcheck::sim::test {
namespace {

TEST(SimFence, Seqno32WrapAround)
{
	Harness h;
	h.ctx(0);
	h.fence(0, 0, 1);
	h.fence(1, 0, 0xffffffff);
	h.fence(2, 0, 0x80000001);
	h.fence(3, 0, 0x100000005);
	h.fence(4, 0, 0x200000003);
	h.fence(5, 0, 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER, {0, 1}), 1); // 1 after 0xffffffff
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER, {1, 0}), 0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER, {2, 0}), 0); // difference INT_MIN is not > 0
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER, {3, 4}), 1); // upper 32 bits ignored
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER, {0, 5}), 0); // equal seqnos: strict
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER_OR_SAME, {0, 5}), 0); // identity, not seqno
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER_OR_SAME, {0, 0}), 1);
	EXPECT_EQ(h.warnings(), 0u);
}

TEST(SimFence, Seqno64)
{
	Harness h;
	h.ctx(0, true);
	h.fence(0, 0, 0x80000001);
	h.fence(1, 0, 1);
	h.fence(2, 0, 0x100000005);
	h.fence(3, 0, 0x200000003);
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER, {0, 1}), 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER, {2, 3}), 0);
}

TEST(SimFence, IsLaterAcrossContextsWarns)
{
	Harness h;
	h.ctx(0);
	h.ctx(1);
	h.fence(0, 0, 5);
	h.fence(1, 1, 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER, {0, 1}), 0);
	EXPECT_EQ(h.warnings(), 1u);
}

TEST(SimFence, SignalOnceThenEinval)
{
	Harness h;
	h.ctx(0);
	h.fence(0, 0, 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_SIGNALED, {0}), 0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_GET_STATUS, {0}), 0);
	EXPECT_EQ(h.signal(0), 0);
	EXPECT_EQ(h.signal(0), -22);
	EXPECT_EQ(h.ret(RC_OP_FENCE_IS_SIGNALED, {0}), 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_GET_STATUS, {0}), 1);
}

TEST(SimFence, SetError)
{
	Harness h;
	h.ctx(0);
	h.fence(0, 0, 1);
	h.fence(1, 0, 2);
	h.op(RC_OP_FENCE_SET_ERROR, {0, -5});
	EXPECT_EQ(h.warnings(), 0u);
	EXPECT_EQ(h.ret(RC_OP_FENCE_GET_STATUS, {0}), 0); // unsignalled: 0 whatever the error
	h.signal(0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_GET_STATUS, {0}), -5);
	h.op(RC_OP_FENCE_SET_ERROR, {0, -7}); // late: WARN, stored anyway
	EXPECT_EQ(h.warnings(), 1u);
	EXPECT_EQ(h.ret(RC_OP_FENCE_GET_STATUS, {0}), -7);
	h.op(RC_OP_FENCE_SET_ERROR, {1, 3}); // not an errno: WARN, stored anyway
	EXPECT_EQ(h.warnings(), 1u);
	h.signal(1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_GET_STATUS, {1}), 3);
}

TEST(SimFence, CallbacksFifoOnceAndRemove)
{
	Harness h;
	h.ctx(0);
	h.fence(0, 0, 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_ADD_CALLBACK, {0, 2}), 0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_ADD_CALLBACK, {0, 0}), 0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_ADD_CALLBACK, {0, 1}), 0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_REMOVE_CALLBACK, {0, 0}), 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_REMOVE_CALLBACK, {0, 0}), 0);
	h.signal(0);
	EXPECT_EQ(h.callbacks(), (Handles{2, 1}));
	EXPECT_EQ(h.ret(RC_OP_FENCE_REMOVE_CALLBACK, {0, 2}), 0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_ADD_CALLBACK, {0, 3}), -2);
	EXPECT_EQ(h.ret(RC_OP_FENCE_REMOVE_CALLBACK, {0, 3}), 0);
	EXPECT_EQ(h.signal(0), -22);
	EXPECT_TRUE(h.callbacks().empty());
}

TEST(SimFence, ReleaseExactlyOnce)
{
	Harness h;
	h.ctx(0);
	h.fence(7, 0, 1);
	h.get(7);
	EXPECT_TRUE(h.put(7).empty());
	EXPECT_EQ(h.put(7), Handles{7});
}

TEST(SimFence, ReleaseWithPendingCallbackSignalsWithEdeadlk)
{
	Harness h;
	h.ctx(0);
	h.fence(0, 0, 1);
	h.op(RC_OP_FENCE_ADD_CALLBACK, {0, 4});
	h.put(0);
	EXPECT_EQ(h.warnings(), 1u);
	EXPECT_EQ(h.callbacks(), Handles{4});
	EXPECT_EQ(h.released(), Handles{0});
}

TEST(SimFence, WaitTimeout)
{
	Harness h;
	h.ctx(0);
	h.fence(0, 0, 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_TIMEOUT, {0, 0, 0}), 0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_TIMEOUT, {0, 1, 10}), 0); // times out
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_TIMEOUT, {0, 0, -1}), -22);
	EXPECT_EQ(h.warnings(), 1u);
	h.signal(0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_TIMEOUT, {0, 0, 0}), 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_TIMEOUT, {0, 0, 10}), 10);
}

TEST(SimFence, WaitAnyTimeout)
{
	Harness h;
	h.ctx(0);
	h.ctx(1);
	h.fence(0, 0, 1);
	h.fence(1, 1, 1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_ANY_TIMEOUT, {0, 1, -1, -1, 0, 3}), 0); // a poll ignores the signal
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_ANY_TIMEOUT, {0, 1, -1, -1, 5, 3}), -512);
	EXPECT_EQ(h.obs().slept, 0u);
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_ANY_TIMEOUT, {0, 1, -1, -1, 5, 2}), 0); // times out
	EXPECT_EQ(h.obs().slept, 5u);
	EXPECT_EQ(h.fence_handles(), Handles{});
	h.signal(1);
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_ANY_TIMEOUT, {0, 1, -1, -1, 0, 0}), 1);
	EXPECT_EQ(h.fence_handles(), Handles{1});
	h.signal(0);
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_ANY_TIMEOUT, {1, 0, -1, -1, 9, 3}), 9);
	EXPECT_EQ(h.fence_handles(), Handles{1}); // the first in array order
	EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_ANY_TIMEOUT, {0, -1, -1, -1, -1, 0}), -22);
	EXPECT_EQ(h.warnings(), 1u);
}

TEST(SimFence, WaitForeverIsBug)
{
	Harness h;
	h.ctx(0);
	h.fence(0, 0, 1);
	EXPECT_EQ(h.op(RC_OP_FENCE_WAIT_TIMEOUT, {0, 0, INT64_MAX}), RC_APPLY_BUG);
	EXPECT_NE(h.error().find("sleep forever"), std::string::npos);
}

} // namespace
} // namespace resvcheck::sim::test
