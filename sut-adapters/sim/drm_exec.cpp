// drm_exec.cpp - the sim's drm_exec: one execution context that locks several reservation objects
// under its own wait-die ticket, backs off on -EDEADLK and relocks the contended object first
// (resvcheck_plugin.h 180-187; fault switches in faults.def). Each reservation object is a GEM
// object whose references are counted in Resv::gem_refs.
#include "detail/sim_state.h"

namespace resvcheck::sim::detail {

namespace {
constexpr uint32_t kInterruptible = 1u << 0; // no signal is ever pending here: no difference
constexpr uint32_t kIgnoreDuplicates = 1u << 1;
constexpr int64_t kTicket = 0x10000; // the recorder's instance of the context's ticket
} // namespace

// dma_resv_lock(obj, ticket) of the context: -EALREADY, 0, or wait-die against the holder.
int64_t Sim::exec_lock(uint32_t r)
{
	Resv &rs = resvs_[r];
	if (rs.locked && rs.exec_held)
		return kEALREADY;
	if (rs.locked) {
		if (rs.holder_ctx == kNone || exec_.acquired == 0 || exec_.stamp < actxs_[rs.holder_ctx].stamp)
			throw Bug{"drm_exec: the lock is held and the context would wait forever"};
		return kEDEADLK;
	}
	rs.locked = true;
	rs.exec_held = true;
	rs.holder_ctx = kNone;
	exec_.acquired++;
	locks_.acquire(kLockResv, r, false, kTicket, false);
	return 0;
}

void Sim::exec_unlock(uint32_t r)
{
	Resv &rs = resvs_[r];
	rs.locked = false;
	rs.exec_held = false;
	exec_.acquired--;
	locks_.release(kLockResv, r);
}

void Sim::exec_drop_prelocked()
{
	if (exec_.prelocked == kNone)
		return;
	const uint32_t p = static_cast<uint32_t>(exec_.prelocked);
	exec_unlock(p);
	resvs_[p].gem_refs--;
	exec_.prelocked = kNone;
}

void Sim::exec_unlock_all()
{
	for (size_t i = exec_.objects.size(); i-- > 0;) {
		exec_unlock(exec_.objects[i]);
		resvs_[exec_.objects[i]].gem_refs--;
	}
	exec_.objects.clear();
	exec_drop_prelocked();
}

int64_t Sim::exec_lock_obj(uint32_t r)
{
	if (exec_.contended != kNone) { // the contended object first, on the slow path
		const uint32_t c = static_cast<uint32_t>(exec_.contended);
		exec_.contended = kNone;
		if (is(Fault::ExecContendedNotFirst)) {
			resvs_[c].gem_refs--;
		} else {
			if (resvs_[c].locked)
				throw Bug{"drm_exec: the contended object is still held: the slow-path lock would sleep forever"};
			exec_lock(c);
			exec_drop_prelocked();
			exec_.prelocked = static_cast<int32_t>(c);
		}
	}
	Resv &rs = resvs_[r];
	if (exec_.prelocked == static_cast<int32_t>(r)) {
		exec_.prelocked = kNone; // its reference moves to the set
	} else {
		const int64_t ret = exec_lock(r);
		if (ret == kEDEADLK) {
			rs.gem_refs++;
			exec_.contended = static_cast<int32_t>(r);
			exec_.retry = true;
			return ret;
		}
		if (ret == kEALREADY)
			return (exec_.flags & kIgnoreDuplicates) && !is(Fault::ExecDupNotIgnored) ? 0 : ret;
		rs.gem_refs++;
	}
	exec_.objects.push_back(r);
	return 0;
}

void Sim::exec_op(const resvcheck_op &op)
{
	const uint32_t r = op.nargs ? static_cast<uint32_t>(op.args[0]) : 0;
	if (op.kind != RC_OP_DRM_EXEC_INIT && op.kind != RC_OP_DRM_GEM_OBJECT_REFS && !exec_.live)
		throw Bug{"drm_exec op without drm_exec_init"};
	switch (op.kind) {
	case RC_OP_DRM_EXEC_INIT:
		exec_.objects.clear();
		exec_.live = true;
		exec_.flags = static_cast<uint32_t>(op.args[0]) & (kInterruptible | kIgnoreDuplicates);
		exec_.entered = exec_.retry = false;
		exec_.acquired = 0;
		exec_.contended = exec_.prelocked = kNone;
		break;
	case RC_OP_DRM_EXEC_CLEANUP:
		if (!exec_.entered) { // first pass: the ticket
			exec_.entered = true;
			exec_.stamp = next_stamp_++;
			locks_.acquire(kLockAcquire, kTicket, false, -1, false);
			obs_->ret = 1;
		} else if (exec_.retry || exec_.contended != kNone) {
			if (is(Fault::ExecNoBackoff)) {
				exec_.objects.clear();
			} else {
				exec_unlock_all();
			}
			exec_.retry = false;
			obs_->ret = 1;
		} else {
			exec_drop_prelocked();
			obs_->ret = 0;
		}
		break;
	case RC_OP_DRM_EXEC_LOCK_OBJ: obs_->ret = exec_lock_obj(r); break;
	case RC_OP_DRM_EXEC_PREPARE_OBJ: {
		int64_t ret = exec_lock_obj(r);
		if (ret == 0)
			ret = reserve_fences(r, static_cast<uint32_t>(op.args[1]));
		obs_->ret = ret;
		break;
	}
	case RC_OP_DRM_EXEC_UNLOCK_OBJ:
		for (size_t i = exec_.objects.size(); i-- > 0;) {
			if (exec_.objects[i] != r)
				continue;
			exec_.objects.erase(exec_.objects.begin() + static_cast<ptrdiff_t>(i));
			exec_unlock(r);
			if (!is(Fault::ExecUnlockKeepsRef))
				resvs_[r].gem_refs--;
			break;
		}
		break;
	case RC_OP_DRM_EXEC_FINI:
		exec_unlock_all();
		if (exec_.contended != kNone)
			resvs_[exec_.contended].gem_refs--;
		if (exec_.entered)
			locks_.release(kLockAcquire, kTicket);
		exec_.live = false;
		break;
	case RC_OP_DRM_EXEC_LISTED: {
		int64_t n = 0;
		for (uint32_t o : exec_.objects)
			n += o == r;
		obs_->ret = n;
		break;
	}
	case RC_OP_DRM_GEM_OBJECT_REFS: obs_->ret = resvs_[r].gem_refs; break;
	}
}

} // namespace resvcheck::sim::detail
