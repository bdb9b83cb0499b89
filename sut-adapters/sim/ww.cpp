// ww.cpp - the sim's dma_resv lock: a ww_mutex of the wait-die reservation_ww_class
// (rule catalogue section 2, non-debug, non-RT kernel). The harness is one task that never blocks
// on purpose, so any acquire that would have to sleep can never be woken: that is a BUG here.

#include "detail/sim_state.h"

namespace resvcheck::sim::detail {

void Sim::acquire_init(int64_t a)
{
	AcquireCtx &ctx = actx(a);
	ctx.stamp = next_stamp_++; // atomic_long_inc_return(&ww_class->stamp)
	ctx.acquired = 0;
	ctx.live = true;
}

// __ww_mutex_lock / __mutex_lock_common, single task, no other waiters queued.
int64_t Sim::ww_lock(uint32_t r, int32_t a, bool intr, bool sigpending)
{
	sync();
	Resv &rs = resvs_[r];
	if (a != kNone && rs.locked && rs.holder_ctx == a)
		return kEALREADY; // ww_ctx == ww->ctx
	if (!rs.locked) {         // fast path: trylock succeeded
		rs.locked = true;
		rs.holder_ctx = a;
		if (a != kNone)
			actxs_[a].acquired++;
		return 0;
	}

	// Contended: queued as a waiter; every round checks the signal, then (with a ctx) wait-die.
	auto dies = [&]() {
		if (a == kNone)
			return false;
		const AcquireCtx &ctx = actxs_[a];
		if (ctx.acquired == 0 || rs.holder_ctx == kNone)
			return false; // __ww_mutex_kill needs acquired > 0; a ctx-less holder kills nobody
		const int64_t diff = static_cast<int64_t>(ctx.stamp - actxs_[rs.holder_ctx].stamp);
		return is(Fault::DeadlkOlder) ? diff < 0 : diff > 0; // __ww_ctx_less(ctx, hold_ctx)
	};
	if (is(Fault::DeadlkBeforeEintr) && dies())
		return kEDEADLK;
	if (intr && sigpending)
		return kEINTR;
	if (dies())
		return kEDEADLK;
	if (rc_sched_in_block()) { // another thread holds it: wait for the unlock, wait-die each round
		while (rs.locked) {
			spin();
			if (dies())
				return kEDEADLK;
		}
		rs.locked = true;
		rs.holder_ctx = a;
		if (a != kNone)
			actxs_[a].acquired++;
		return 0;
	}
	throw Bug{"dma_resv lock would sleep forever: the lock is held and the single-threaded harness "
	          "cannot release it (self-deadlock or wait on a lock that is never unlocked)"};
}

int64_t Sim::trylock(uint32_t r)
{
	Resv &rs = resvs_[r];
	if (rs.locked)
		return 0;
	rs.locked = true;
	rs.holder_ctx = kNone; // ww_mutex_trylock(&obj->lock, NULL)
	return 1;
}

void Sim::unlock(uint32_t r)
{
	// dma_resv_reset_max_fences is a no-op without CONFIG_DEBUG_MUTEXES.
	sync();
	Resv &rs = resvs_[r];
	if (rs.holder_ctx != kNone && actxs_[rs.holder_ctx].acquired > 0)
		actxs_[rs.holder_ctx].acquired--;
	rs.holder_ctx = kNone;
	rs.locked = false;
}

} // namespace resvcheck::sim::detail
