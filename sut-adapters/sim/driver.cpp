// driver.cpp - the sim as a small GPU driver: the driver-side ops (resvcheck_plugin.h 120-129)
// with fault switches for the classic lock-order mistakes (faults.def). A clean run_job takes
// nothing inside its signalling section; the shrinker trylocks; the notifier callback waits under
// the notifier map.
#include "detail/sim_state.h"

namespace resvcheck::sim::detail {

namespace {
const char *const kDriverLock[] = {"driver_lock_0", "driver_lock_1", "driver_lock_2", "driver_lock_3"};
}

void Sim::driver_lock(int64_t k, bool take)
{
	if (k < 0 || k > 3)
		throw Bug{"driver lock class out of range"};
	const uint32_t bit = 1u << k;
	if (take) {
		if (driver_held_ & bit)
			throw Bug{"driver mutex taken twice: would sleep forever"};
		driver_held_ |= bit;
		locks_.acquire(kDriverLock[k], 0, false, -1, false);
	} else {
		driver_held_ &= ~bit;
		locks_.release(kDriverLock[k], 0);
	}
}

void Sim::driver_op(const resvcheck_op &op)
{
	const int64_t a0 = op.nargs ? op.args[0] : 0;
	switch (op.kind) {
	case RC_OP_SIG_BEGIN:
		if (is(Fault::BeginNoAnnotate)) { // the cookie says "entered", but nothing is acquired
			obs_->ret = 0;
			break;
		}
		obs_->ret = locks_.begin_signalling();
		break;
	case RC_OP_SIG_END:
		if (!is(Fault::BeginNoAnnotate))
			locks_.end_signalling(a0 != 0);
		break;
	case RC_OP_DRIVER_ALLOC:
		if (a0 < 0 || a0 > 4)
			throw Bug{"gfp class out of range"};
		locks_.reclaim_acquire(static_cast<unsigned>(a0));
		locks_.reclaim_release(static_cast<unsigned>(a0));
		break;
	case RC_OP_DRIVER_LOCK: driver_lock(a0, true); break;
	case RC_OP_DRIVER_UNLOCK: driver_lock(a0, false); break;
	case RC_OP_FENCE_MIGHT_WAIT: locks_.might_wait(); break;
	case RC_OP_SHRINKER_SCAN: {
		const uint32_t r = static_cast<uint32_t>(a0);
		resv(a0);
		locks_.reclaim_acquire(0);
		if (is(Fault::ShrinkerBlockingLock)) {
			// lockdep reports the attempt before it sleeps; the sim cannot sleep, so a held
			// object is then skipped as a failed trylock would be
			locks_.acquire(kLockResv, a0, false, -1, false);
			locks_.release(kLockResv, a0);
			obs_->ret = !resvs_[r].locked;
		} else {
			obs_->ret = trylock(r);
			if (obs_->ret) {
				locks_.acquire(kLockResv, a0, true, -1, false);
				unlock(r); // evicted
				locks_.release(kLockResv, a0);
			}
		}
		locks_.reclaim_release(0);
		break;
	}
	case RC_OP_MMU_INVALIDATE:
		locks_.acquire("mmu_notifier_invalidate_range_start", 0, false, -1, false);
		locks_.might_wait();
		locks_.release("mmu_notifier_invalidate_range_start", 0);
		break;
	case RC_OP_MIGHT_FAULT:
		locks_.acquire(kLockMmap, 0, false, -1, true);
		locks_.release(kLockMmap, 0);
		break;
	case RC_OP_SCHED_RUN_JOB: {
		resv(a0);
		const bool cookie = locks_.begin_signalling();
		if (is(Fault::RunJobResvLock)) { // links GPU VAs under the BO's reservation (seed 004)
			locks_.acquire(kLockResv, a0, false, -1, false);
			locks_.release(kLockResv, a0);
		}
		if (is(Fault::RunJobAllocKernel)) { // page tables allocated here instead of in the ioctl
			locks_.reclaim_acquire(0);
			locks_.reclaim_release(0);
		}
		if (is(Fault::RunJobDriverLock)) { // the lock the submit path holds while it waits
			locks_.acquire(kDriverLock[0], 0, false, -1, false);
			locks_.release(kDriverLock[0], 0);
		}
		if (is(Fault::RunJobPinUser)) { // pins the userptr pages of the job
			locks_.acquire(kLockMmap, 0, false, -1, true);
			locks_.release(kLockMmap, 0);
		}
		locks_.end_signalling(cookie);
		break;
	}
	default: throw Bug{"sim: a driver-side op kind it does not implement"};
	}
}

} // namespace resvcheck::sim::detail
