// Every fault switch is live: for each one a scenario whose observations differ between the clean
// sim and the faulty one. The clean outcome of each scenario is also pinned.
#include "sim_harness.h"

#include <gtest/gtest-spi.h>

#include <functional>
#include <map>
#include <string>

namespace resvcheck::sim::test {
namespace {

using Scenario = std::function<void(Harness &)>;

// r0 locked with 5 slots holding f0..f(n-1) of contexts 0..n-1, usage WRITE.
void filled(Harness &h, int n)
{
	h.ready(0, 1);
	for (int i = 0; i < n; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
		h.add(0, i, W);
	}
}

// f0..f2 of context 0 (seqnos 1..3) in a chain: f3 (f0, seqno 1) <- f4 (f1, 2) <- f5 (f2, 3).
void chain3(Harness &h)
{
	h.ctx(0);
	for (int i = 0; i < 3; ++i)
		h.fence(i, 0, i + 1);
	h.op(RC_OP_FENCE_CHAIN_INIT, {3, 0, -1, 1});
	h.op(RC_OP_FENCE_CHAIN_INIT, {4, 1, 3, 2});
	h.op(RC_OP_FENCE_CHAIN_INIT, {5, 2, 4, 3});
}

// Concurrency faults: the block runs under every schedule of 8 binary choices (each thread runs
// until the next choice hands over); the clean sim keeps its promise under all of them.
void every_schedule(Harness &h, const std::function<void(Harness &, const std::vector<uint8_t> &)> &one)
{
	for (unsigned bits = 0; bits < 256; ++bits) {
		std::vector<uint8_t> s;
		for (int i = 0; i < 8; ++i)
			s.push_back(static_cast<uint8_t>(bits >> i & 1));
		h.restart();
		one(h, s);
	}
}

// r0 lists f0 (c0) and f1 (c1) for KERNEL; a walk races a reallocating reserve.
void walk_against_realloc(Harness &h, const std::vector<uint8_t> &s)
{
	h.ready(0, 2);
	for (int i = 0; i < 2; ++i) {
		h.ctx(i);
		h.fence(i, i, 1);
		h.add(0, i, K);
	}
	h.unlock(0);
	auto o = h.block({{0, RC_OP_RESV_FOR_EACH_FENCE_UNLOCKED, {0, K}},
	                  {1, RC_OP_RESV_LOCK, {0, -1}},
	                  {1, RC_OP_RESV_RESERVE_FENCES, {0, 8}},
	                  {1, RC_OP_RESV_UNLOCK, {0}}},
	                 s);
	EXPECT_FALSE(h.bugged()) << h.error();
	EXPECT_EQ(o[0].n_fences, 2u) << "both were listed and unsignalled for the whole walk";
}

// drm_exec up to the -EDEADLK on r1 (held by the older a0) after r0 was locked; a0 then lets go
void exec_contended(Harness &h)
{
	h.init(0);
	h.init(1);
	h.op(RC_OP_WW_ACQUIRE_INIT, {0});
	h.op(RC_OP_DRM_EXEC_INIT, {0});
	h.op(RC_OP_DRM_EXEC_CLEANUP, {});
	h.lock(1, 0);
	EXPECT_EQ(h.ret(RC_OP_DRM_EXEC_LOCK_OBJ, {0}), 0);
	EXPECT_EQ(h.ret(RC_OP_DRM_EXEC_LOCK_OBJ, {1}), -35);
	h.unlock(1);
}

const std::map<std::string, Scenario> &scenarios()
{
	static const std::map<std::string, Scenario> s = {
		{"add-usage-inverted", [](Harness &h) {
			 h.ready(0);
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.fence(1, 0, 2);
			 h.add(0, 0, R);
			 h.add(0, 1, B); // weaker usage must not evict READ
			 EXPECT_EQ(h.locked(0), (Entries{{0, R}, {1, B}}));
		 }},
		{"add-no-seqno-check", [](Harness &h) {
			 h.ready(0);
			 h.ctx(0);
			 h.fence(0, 0, 2);
			 h.fence(1, 0, 1);
			 h.add(0, 0, W);
			 h.add(0, 1, W); // older must not evict newer
			 EXPECT_EQ(h.locked(0), (Entries{{0, W}, {1, W}}));
		 }},
		{"seqno32-no-wrap", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.fence(1, 0, 0xffffffff);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER, {0, 1}), 1);
		 }},
		{"same-by-seqno", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 5);
			 h.fence(1, 0, 5);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_IS_LATER_OR_SAME, {0, 1}), 0);
		 }},
		{"reserve-off-by-one", [](Harness &h) {
			 filled(h, 4);
			 EXPECT_EQ(h.reserve(0, 2), 0); // 4 + 2 > 5: must grow
			 for (int i = 4; i < 6; ++i) {
				 h.ctx(i);
				 h.fence(i, i, 1);
				 h.add(0, i, W);
			 }
			 EXPECT_FALSE(h.bugged());
		 }},
		{"append-off-by-one", [](Harness &h) {
			 filled(h, 2); // two contexts: the second append must not overwrite the first
			 EXPECT_EQ(h.locked(0), (Entries{{0, W}, {1, W}}));
		 }},
		{"no-signaled-reuse", [](Harness &h) {
			 h.ready(0);
			 h.ctx(0);
			 h.ctx(1);
			 h.fence(0, 0, 1);
			 h.fence(1, 1, 1);
			 h.add(0, 0, W);
			 h.signal(0);
			 h.add(0, 1, R);
			 EXPECT_EQ(h.locked(0), (Entries{{1, R}}));
		 }},
		{"reserve-no-prune", [](Harness &h) {
			 filled(h, 5);
			 h.signal(0);
			 h.reserve(0, 1);
			 EXPECT_EQ(h.locked(0), (Entries{{1, W}, {2, W}, {3, W}, {4, W}}));
		 }},
		{"iter-unlocked-yields-signaled", [](Harness &h) {
			 filled(h, 2);
			 h.signal(0);
			 EXPECT_EQ(h.unlocked(0), (Entries{{1, W}}));
			 EXPECT_EQ(h.ret(RC_OP_RESV_TEST_SIGNALED, {0, B}), 0);
		 }},
		{"iter-unlocked-no-restart", [](Harness &h) {
			 filled(h, 5);
			 h.unlock(0);
			 h.op(RC_OP_RESV_ITER_BEGIN, {0, 0, B});
			 h.op(RC_OP_RESV_ITER_FIRST_UNLOCKED, {0});
			 h.op(RC_OP_RESV_ITER_NEXT_UNLOCKED, {0});
			 h.signal(0);
			 h.lock(0);
			 h.reserve(0, 1);
			 h.unlock(0);
			 h.op(RC_OP_RESV_ITER_NEXT_UNLOCKED, {0});
			 EXPECT_EQ(h.fence_handles(), Handles{1});
			 EXPECT_EQ(h.obs().flags, uint32_t{RC_OBS_RESTARTED});
		 }},
		{"iter-locked-usage-inverted", [](Harness &h) {
			 h.ready(0);
			 const int64_t usage[] = {K, B, W, R};
			 for (int i = 0; i < 4; ++i) {
				 h.ctx(i);
				 h.fence(i, i, 1);
				 h.add(0, i, usage[i]);
			 }
			 EXPECT_EQ(h.locked(0, W), (Entries{{0, K}, {2, W}}));
		 }},
		{"copy-usage-lost", [](Harness &h) {
			 h.ready(0);
			 h.ready(1);
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.add(0, 0, K);
			 h.op(RC_OP_RESV_COPY_FENCES, {1, 0});
			 EXPECT_EQ(h.locked(1), (Entries{{0, K}}));
		 }},
		{"signal-twice-ok", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.signal(0);
			 EXPECT_EQ(h.signal(0), -22);
		 }},
		{"set-error-no-warn", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.signal(0);
			 h.op(RC_OP_FENCE_SET_ERROR, {0, -5});
			 EXPECT_EQ(h.warnings(), 1u);
		 }},
		{"callback-on-signaled", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.signal(0);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_ADD_CALLBACK, {0, 0}), -2);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_REMOVE_CALLBACK, {0, 0}), 0);
		 }},
		{"callback-run-twice", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.op(RC_OP_FENCE_ADD_CALLBACK, {0, 0});
			 h.signal(0);
			 EXPECT_EQ(h.callbacks(), Handles{0});
			 h.put(0);
			 EXPECT_TRUE(h.callbacks().empty());
		 }},
		{"ref-leak-replace", [](Harness &h) {
			 h.ready(0);
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.fence(1, 0, 2);
			 h.add(0, 0, W);
			 h.put(0);
			 h.add(0, 1, W);
			 EXPECT_EQ(h.released(), Handles{0});
		 }},
		{"ref-double-put-replace", [](Harness &h) {
			 h.ready(0);
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.fence(1, 0, 2);
			 h.add(0, 0, W);
			 h.add(0, 1, W);
			 EXPECT_TRUE(h.released().empty());
			 EXPECT_EQ(h.put(0), Handles{0});
		 }},
		{"edeadlk-older", [](Harness &h) {
			 h.init(0);
			 h.init(1);
			 h.op(RC_OP_WW_ACQUIRE_INIT, {0});
			 h.op(RC_OP_WW_ACQUIRE_INIT, {1});
			 h.lock(0, 0);
			 h.lock(1, 1);
			 EXPECT_EQ(h.lock(0, 1), -35);
		 }},
		{"edeadlk-before-eintr", [](Harness &h) {
			 h.init(0);
			 h.init(1);
			 h.op(RC_OP_WW_ACQUIRE_INIT, {0});
			 h.op(RC_OP_WW_ACQUIRE_INIT, {1});
			 h.lock(0, 0);
			 h.lock(1, 1);
			 EXPECT_EQ(h.ret(RC_OP_RESV_LOCK_INTERRUPTIBLE, {0, 1, 1}), -4);
		 }},
		{"reserve-zero-ok", [](Harness &h) {
			 h.init(0);
			 h.lock(0);
			 EXPECT_EQ(h.reserve(0, 0), -22);
			 EXPECT_EQ(h.warnings(), 1u);
		 }},
		{"wait-poll-nothing-zero", [](Harness &h) {
			 h.init(0);
			 EXPECT_EQ(h.ret(RC_OP_RESV_WAIT_TIMEOUT, {0, B, 0, 0}), 1);
		 }},
		/* fence containers: f0..f2 on c0 (seqno 1..3), chain links f3 -> f4 -> f5 */
		{"chain-seqno-backwards", [](Harness &h) {
			 chain3(h);
			 h.fence(6, 0, 4);
			 h.op(RC_OP_FENCE_CHAIN_INIT, {7, 6, 5, 2}); // not later than 3: new context, seqno 3
			 EXPECT_EQ(h.ret(RC_OP_FENCE_CHAIN_FIND_SEQNO, {7, 3}), 0);
			 EXPECT_EQ(h.fence_handles(), (Handles{7}));
		 }},
		{"chain-walk-no-unlink", [](Harness &h) {
			 chain3(h);
			 h.put(4);
			 h.put(1);
			 h.signal(1);
			 h.op(RC_OP_FENCE_CHAIN_WALK, {5});
			 EXPECT_EQ(h.fence_handles(), (Handles{5, 3}));
			 EXPECT_EQ(h.released(), (Handles{1})); // the collected link drops f1
		 }},
		{"chain-walk-leak", [](Harness &h) {
			 chain3(h);
			 h.put(4);
			 h.put(1);
			 h.signal(1);
			 h.op(RC_OP_FENCE_CHAIN_WALK, {5});
			 EXPECT_EQ(h.released(), (Handles{1}));
		 }},
		{"find-seqno-off-by-one", [](Harness &h) {
			 chain3(h);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_CHAIN_FIND_SEQNO, {5, 2}), 0);
			 EXPECT_EQ(h.fence_handles(), (Handles{4}));
		 }},
		{"find-seqno-future-head", [](Harness &h) {
			 chain3(h);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_CHAIN_FIND_SEQNO, {5, 4}), -22);
			 EXPECT_EQ(h.fence_handles(), (Handles{5}));
		 }},
		{"array-any-as-all", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.fence(1, 0, 2);
			 h.op(RC_OP_FENCE_ARRAY_CREATE, {2, 0, 1, -1, -1, 1});
			 h.signal(0);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_IS_SIGNALED, {2}), 1);
		 }},
		{"array-status-pending-marker", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.op(RC_OP_FENCE_ARRAY_CREATE, {1, 0, -1, -1, -1, 0});
			 EXPECT_EQ(h.ret(RC_OP_FENCE_GET_STATUS, {1}), 0);
		 }},
		{"array-release-leaks-member", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.op(RC_OP_FENCE_ARRAY_CREATE, {1, 0, -1, -1, -1, 0});
			 h.put(0);
			 EXPECT_EQ(h.put(1), (Handles{0}));
		 }},
		{"chain-release-leaks-prev", [](Harness &h) {
			 chain3(h);
			 for (int i = 0; i < 5; ++i)
				 h.put(i);
			 EXPECT_EQ(h.put(5), (Handles{0, 1, 2}));
		 }},
		{"merge-keeps-earlier", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.fence(1, 0, 2);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_UNWRAP_MERGE, {0, 1, -1, -1}), 0);
			 EXPECT_EQ(h.fence_handles(), (Handles{1}));
		 }},
		{"merge-keeps-signaled", [](Harness &h) {
			 h.ctx(0);
			 h.ctx(1);
			 h.fence(0, 0, 1);
			 h.fence(1, 1, 1);
			 h.signal(1);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_UNWRAP_MERGE, {0, 1, -1, -1}), 0);
			 EXPECT_EQ(h.fence_handles(), (Handles{0}));
		 }},
		{"merge-null-when-empty", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.signal(0);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_UNWRAP_MERGE, {0, -1, -1, -1}), 2); // a new stub
		 }},
		{"merge-single-as-array", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_UNWRAP_MERGE, {0, -1, -1, -1}), 0);
		 }},
		{"stub-is-container", [](Harness &h) {
			 h.op(RC_OP_FENCE_ALLOCATE_PRIVATE_STUB, {0});
			 EXPECT_EQ(h.ret(RC_OP_FENCE_IS_CONTAINER, {0}), 0);
		 }},
		/* driver side: a clean run_job, shrinker and section leave nothing to report */
		{"run-job-resv-lock", [](Harness &h) {
			 h.init(0);
			 h.op(RC_OP_SCHED_RUN_JOB, {0});
			 EXPECT_FALSE(h.lockdep());
		 }},
		{"run-job-gfp-kernel", [](Harness &h) {
			 h.init(0);
			 h.op(RC_OP_SCHED_RUN_JOB, {0});
			 EXPECT_FALSE(h.lockdep());
		 }},
		{"shrinker-blocking-lock", [](Harness &h) {
			 h.init(0);
			 EXPECT_EQ(h.ret(RC_OP_SHRINKER_SCAN, {0}), 1);
			 EXPECT_FALSE(h.lockdep());
		 }},
		{"run-job-driver-lock", [](Harness &h) {
			 h.init(0);
			 h.op(RC_OP_DRIVER_LOCK, {0}); // the submit path waits holding driver lock 0
			 h.op(RC_OP_FENCE_MIGHT_WAIT, {});
			 h.op(RC_OP_DRIVER_UNLOCK, {0});
			 h.op(RC_OP_SCHED_RUN_JOB, {0});
			 EXPECT_FALSE(h.lockdep());
		 }},
		{"run-job-pin-user", [](Harness &h) {
			 h.init(0);
			 h.op(RC_OP_SCHED_RUN_JOB, {0});
			 EXPECT_FALSE(h.lockdep());
		 }},
		{"begin-no-annotate", [](Harness &h) {
			 h.init(0);
			 EXPECT_EQ(h.ret(RC_OP_SIG_BEGIN, {}), 0);
			 EXPECT_EQ(h.lock(0), 0); // a reservation lock inside the section: reported
			 EXPECT_TRUE(h.lockdep());
		 }},
		/* allocation failure */
		{"get-fences-enomem-ok", [](Harness &h) {
			 h.ready(0);
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.add(0, 0, W);
			 h.op(RC_OP_FAIL_ALLOC, {1});
			 EXPECT_EQ(h.ret(RC_OP_RESV_GET_FENCES, {0, B}), -12);
		 }},
		{"merge-enomem-leaks-refs", [](Harness &h) {
			 h.ctx(0);
			 h.ctx(1);
			 h.fence(0, 0, 1);
			 h.fence(1, 1, 1);
			 h.op(RC_OP_FAIL_ALLOC, {2});
			 EXPECT_EQ(h.ret(RC_OP_FENCE_UNWRAP_MERGE, {0, 1, -1, -1}), -12);
			 EXPECT_EQ(h.put(0), (Handles{0})); // merge kept no reference
		 }},
		{"stub-enomem-err-ptr", [](Harness &h) {
			 h.op(RC_OP_FAIL_ALLOC, {1});
			 EXPECT_EQ(h.ret(RC_OP_FENCE_ALLOCATE_PRIVATE_STUB, {0}), -12);
		 }},
		// ---- teardown: the end of a case finishes and puts everything ----
		{"list-free-keeps-list", [](Harness &h) {
			 h.ready(0);
			 h.op(RC_OP_TEARDOWN, {1});
			 EXPECT_FALSE(h.obs().flags & RC_OBS_LEAKED) << "fini freed the list";
		 }},
		{"test-signaled-keeps-ref", [](Harness &h) {
			 h.ready(0);
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.add(0, 0, K);
			 EXPECT_EQ(h.ret(RC_OP_RESV_TEST_SIGNALED, {0, K}), 0);
			 h.op(RC_OP_TEARDOWN, {1});
			 EXPECT_EQ(h.released(), Handles{0}) << "test_signaled's cursor dropped its reference";
		 }},
		{"poll-sleeps", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 EXPECT_EQ(h.ret(RC_OP_FENCE_WAIT_TIMEOUT, {0, 0, 0, 0}), 0);
			 EXPECT_EQ(h.obs().slept, 0u) << "a poll does not sleep";
		 }},
		// ---- drm_exec: a0 (older than the ticket) holds r1; the body locks r0, dies on r1 ----
		{"exec-no-backoff", [](Harness &h) {
			 exec_contended(h);
			 EXPECT_EQ(h.ret(RC_OP_DRM_EXEC_CLEANUP, {}), 1);
			 EXPECT_EQ(h.ret(RC_OP_RESV_IS_LOCKED, {0}), 0) << "the retry unlocks r0";
			 EXPECT_EQ(h.ret(RC_OP_DRM_GEM_OBJECT_REFS, {0}), 1);
		 }},
		{"exec-contended-not-first", [](Harness &h) {
			 exec_contended(h);
			 h.op(RC_OP_DRM_EXEC_CLEANUP, {});
			 EXPECT_EQ(h.ret(RC_OP_DRM_EXEC_LOCK_OBJ, {0}), 0);
			 EXPECT_EQ(h.ret(RC_OP_RESV_IS_LOCKED, {1}), 1) << "the contended r1 is locked first";
		 }},
		{"exec-dup-not-ignored", [](Harness &h) {
			 h.init(0);
			 h.op(RC_OP_DRM_EXEC_INIT, {2}); // DRM_EXEC_IGNORE_DUPLICATES
			 h.op(RC_OP_DRM_EXEC_CLEANUP, {});
			 EXPECT_EQ(h.ret(RC_OP_DRM_EXEC_LOCK_OBJ, {0}), 0);
			 EXPECT_EQ(h.ret(RC_OP_DRM_EXEC_LOCK_OBJ, {0}), 0);
		 }},
		{"exec-unlock-keeps-ref", [](Harness &h) {
			 h.init(0);
			 h.op(RC_OP_DRM_EXEC_INIT, {0});
			 h.op(RC_OP_DRM_EXEC_CLEANUP, {});
			 h.op(RC_OP_DRM_EXEC_LOCK_OBJ, {0});
			 h.op(RC_OP_DRM_EXEC_UNLOCK_OBJ, {0});
			 EXPECT_EQ(h.ret(RC_OP_DRM_GEM_OBJECT_REFS, {0}), 1);
		 }},
		/* misuse */
		{"add-no-slot-bug", [](Harness &h) {
			 h.ready(0, 1); // a list of 5 slots
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.fence(1, 0, 1);
			 for (int64_t u : {K, W, R, B})
				 h.add(0, 0, u);
			 h.add(0, 1, K);
			 EXPECT_EQ(h.op(RC_OP_RESV_ADD_FENCE, {0, 1, W}), RC_APPLY_BUG); // the sixth
			 h.restart(); // the BUG is the clean behaviour here
		 }},
		{"add-container-no-warn", [](Harness &h) {
			 h.ctx(0);
			 h.fence(0, 0, 1);
			 h.op(RC_OP_FENCE_CHAIN_INIT, {1, 0, -1, 1});
			 h.ready(0, 1);
			 h.add(0, 1, W);
			 EXPECT_EQ(h.warnings(), 1u);
		 }},
		// ---- concurrency ----
		{"walk-no-restart-check", [](Harness &h) { every_schedule(h, walk_against_realloc); }},
		{"publish-before-copy", [](Harness &h) { every_schedule(h, walk_against_realloc); }},
		{"list-free-no-rcu", [](Harness &h) { every_schedule(h, walk_against_realloc); }},
		{"ref-after-rcu-unlock", [](Harness &h) {
			 every_schedule(h, [](Harness &h, const std::vector<uint8_t> &s) {
				 h.ready(0, 1);
				 h.ctx(0);
				 h.fence(0, 0, 1);
				 h.add(0, 0, K);
				 h.unlock(0);
				 h.put(0); // r0 holds the only reference
				 h.fence(1, 0, 2);
				 auto o = h.block({{0, RC_OP_RESV_LOCK, {0, -1}},
				                   {0, RC_OP_RESV_ADD_FENCE, {0, 1, K}}, // replaces f0: its last reference goes
				                   {0, RC_OP_RESV_UNLOCK, {0}},
				                   {1, RC_OP_RESV_FOR_EACH_FENCE_UNLOCKED, {0, K}}},
				                  s);
				 uint32_t releases = 0, warns = 0;
				 for (const auto &x : o)
					 releases += x.n_released, warns += x.warnings;
				 EXPECT_EQ(releases, 1u);
				 EXPECT_EQ(warns, 0u);
			 });
		 }},
		{"wait-lost-wakeup", [](Harness &h) {
			 every_schedule(h, [](Harness &h, const std::vector<uint8_t> &s) {
				 h.ctx(0);
				 h.fence(0, 0, 1);
				 bool dead = false;
				 auto o = h.block({{0, RC_OP_FENCE_SIGNAL, {0}}, {1, RC_OP_FENCE_WAIT_TIMEOUT, {0, 0, 100, 0}}}, s, &dead);
				 EXPECT_FALSE(dead);
				 EXPECT_EQ(o[1].ret, 100) << "signalled with no time passing: the whole timeout is left";
			 });
		 }},
		{"wait-timeout-per-fence", [](Harness &h) {
			 every_schedule(h, [](Harness &h, const std::vector<uint8_t> &s) {
				 h.ready(0, 2);
				 for (int i = 0; i < 2; ++i) {
					 h.ctx(i);
					 h.fence(i, i, 1);
					 h.add(0, i, K);
				 }
				 h.unlock(0);
				 auto o = h.block({{0, RC_OP_RESV_WAIT_TIMEOUT, {0, B, 0, 100, 0}},
				                   {1, RC_OP_SLEEP, {10}},
				                   {1, RC_OP_FENCE_SIGNAL, {0}},
				                   {1, RC_OP_SLEEP, {20}},
				                   {1, RC_OP_FENCE_SIGNAL, {1}}},
				                  s);
				 EXPECT_EQ(o[1].slept + o[3].slept, 30u);
				 EXPECT_EQ(o[0].ret, 100 - static_cast<int64_t>(o[0].slept)) << "one timeout for both fences";
				 EXPECT_GT(o[0].ret, 0);
			 });
		 }},
		{"cb-add-unlocked", [](Harness &h) {
			 every_schedule(h, [](Harness &h, const std::vector<uint8_t> &s) {
				 h.ctx(0);
				 h.fence(0, 0, 1);
				 auto o = h.block({{0, RC_OP_FENCE_SIGNAL, {0}}, {1, RC_OP_FENCE_ADD_CALLBACK, {0, 0}}}, s);
				 EXPECT_EQ(o[0].n_callbacks, o[1].ret == 0 ? 1u : 0u) << "added (0) means it runs at the signal";
			 });
		 }},
	};
	return s;
}

TEST(SimFaults, EveryFaultHasAScenario)
{
	for (const FaultInfo &f : faults())
		EXPECT_TRUE(scenarios().count(f.name)) << "no scenario for fault " << f.name;
	EXPECT_EQ(scenarios().size(), faults().size());
}

class SimFault : public ::testing::TestWithParam<FaultInfo> {};

TEST_P(SimFault, IsLive)
{
	const FaultInfo &f = GetParam();
	auto it = scenarios().find(f.name);
	ASSERT_NE(it, scenarios().end());

	Harness clean;
	it->second(clean); // the EXPECTs inside pin the clean behaviour
	EXPECT_FALSE(clean.bugged()) << clean.error();

	const std::string opt = std::string("fault=") + f.name;
	std::string faulty_log;
	{
		// the scenario's EXPECTs describe the clean sim; under the fault they must fail
		::testing::TestPartResultArray failures;
		{
			::testing::ScopedFakeTestPartResultReporter rep(
			    ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
			Harness faulty(opt.c_str());
			it->second(faulty);
			faulty_log = faulty.log();
		}
		EXPECT_GT(failures.size(), 0) << "fault " << f.name << " changed nothing the scenario checks";
	}
	EXPECT_NE(clean.log(), faulty_log) << "fault " << f.name << " is not live";
}

INSTANTIATE_TEST_SUITE_P(All, SimFault, ::testing::ValuesIn(faults().begin(), faults().end()),
                         [](const ::testing::TestParamInfo<FaultInfo> &i) {
	                         std::string n = i.param.name;
	                         for (char &c : n)
		                         if (c == '-')
			                         c = '_';
	                         return n;
                         });

} // namespace
} // namespace resvcheck::sim::test
