// fence.cpp - the sim's dma_fence core: contexts, seqno order, signalling, errors, callbacks,
// reference counting and waiting (rule catalogue section 16, Linux 6.12 non-debug x86-64).
// Harness fences have no ops->signaled, no ops->wait and no enable_signaling hook, but do have a
// set_deadline hook, so a fence is signalled exactly when someone signals it.

#include "detail/sim_state.h"

#include <algorithm>

namespace resvcheck::sim::detail {

void Sim::context_alloc(int64_t c, bool seqno64)
{
	Context &ctx = context(c);
	ctx.id = next_context_++;
	ctx.seqno64 = seqno64;
	ctx.live = true;
}

void Sim::fence_init(int64_t f, int64_t c, uint64_t seqno)
{
	const Context &ctx = context(c);
	Fence &fe = fence(f);
	fe = Fence{};
	fe.context = ctx.id;
	fe.seqno64 = ctx.seqno64;
	fe.seqno = seqno;
	fe.refcount = 1; // the harness's reference
	fe.harness_refs = 1;
	fe.live = true;
}

// __dma_fence_is_later: 64-bit compare, or the low 32 bits with wrap-around.
bool Sim::seqno_is_later(uint64_t s1, uint64_t s2, bool seqno64) const
{
	if (seqno64)
		return s1 > s2;
	const uint32_t a = static_cast<uint32_t>(s1), b = static_cast<uint32_t>(s2);
	if (is(Fault::Seqno32NoWrap))
		return a > b;
	return static_cast<int32_t>(a - b) > 0;
}

bool Sim::fence_is_later(uint32_t f1, uint32_t f2)
{
	const Fence &a = fences_[f1], &b = fences_[f2];
	if (a.context != b.context) { // WARN_ON(f1->context != f2->context)
		warn();
		return false;
	}
	return seqno_is_later(a.seqno, b.seqno, a.seqno64); // f1's ops decide the width
}

bool Sim::fence_is_later_or_same(uint32_t f1, uint32_t f2)
{
	if (is(Fault::SameBySeqno)) {
		if (fences_[f1].seqno == fences_[f2].seqno)
			return true;
	} else if (f1 == f2) {
		return true;
	}
	return fence_is_later(f1, f2);
}

int64_t Sim::fence_signal(uint32_t f)
{
	fence_lock(f);
	sync();
	Fence &fe = fences_[f];
	if (fe.signaled) { // test_and_set_bit(SIGNALED) was already set
		fence_unlock(f);
		return is(Fault::SignalTwiceOk) ? 0 : kEINVAL;
	}
	fe.signaled = true;
	sync();
	// list_replace(&fence->cb_list, &cb_list), then each node is re-initialised and called, FIFO.
	int32_t cb = fe.cb_head;
	if (!is(Fault::CallbackRunTwice))
		fe.cb_head = fe.cb_tail = kNone;
	while (cb != kNone) {
		Callback &c = callbacks_[cb];
		const int32_t next = c.next;
		if (!is(Fault::CallbackRunTwice))
			c = Callback{}; // INIT_LIST_HEAD(&cur->node)
		note_callback(static_cast<uint32_t>(cb));
		cb = next;
	}
	fence_unlock(f);
	rc_sched_wake_all(); // wake_up_state of the waiters
	return 0;
}

void Sim::fence_set_error(uint32_t f, int64_t err)
{
	Fence &fe = fences_[f];
	if (fe.signaled && !is(Fault::SetErrorNoWarn))
		warn(); // WARN_ON(test_bit(SIGNALED))
	if (err >= 0 || err < -kMaxErrno)
		warn(); // WARN_ON(error >= 0 || error < -MAX_ERRNO)
	fe.error = err; // stored anyway
}

int64_t Sim::fence_get_status(uint32_t f)
{
	if (is(Fault::ArrayStatusPendingMarker) && fences_[f].error > 0) // the array's marker read as a status
		return fences_[f].error;
	if (!fence_is_signaled(f)) // containers are polled here
		return 0;
	const Fence &fe = fences_[f];
	return fe.error ? fe.error : 1;
}

void Sim::cb_unlink(uint32_t cb)
{
	Callback &c = callbacks_[cb];
	Fence &fe = fences_[c.fence];
	if (c.prev != kNone)
		callbacks_[c.prev].next = c.next;
	else
		fe.cb_head = c.next;
	if (c.next != kNone)
		callbacks_[c.next].prev = c.prev;
	else
		fe.cb_tail = c.prev;
	c = Callback{};
}

int64_t Sim::fence_add_callback(uint32_t f, uint32_t cb)
{
	const bool locked = !is(Fault::CbAddUnlocked);
	if (locked)
		fence_lock(f);
	const bool signaled = fences_[f].signaled;
	sync();
	Fence &fe = fences_[f];
	Callback &c = callbacks_[cb];
	if (signaled && !is(Fault::CallbackOnSignaled)) {
		c = Callback{}; // INIT_LIST_HEAD(&cb->node)
		if (locked)
			fence_unlock(f);
		return kENOENT;
	}
	if (c.fence != kNone) // FENCE-CB-03: list_add_tail of a queued node corrupts both lists
		throw Bug{"dma_fence_add_callback: the callback node is already queued on a fence"};
	// __dma_fence_enable_signaling: harness fences have no enable_signaling hook -> true.
	c.fence = static_cast<int32_t>(f);
	c.prev = fe.cb_tail;
	c.next = kNone;
	if (fe.cb_tail != kNone)
		callbacks_[fe.cb_tail].next = static_cast<int32_t>(cb);
	else
		fe.cb_head = static_cast<int32_t>(cb);
	fe.cb_tail = static_cast<int32_t>(cb);
	if (locked)
		fence_unlock(f);
	return 0;
}

// Like the kernel, the node itself says whether it is pending; the fence argument only names the
// lock taken.
bool Sim::fence_remove_callback(uint32_t, uint32_t cb)
{
	if (callbacks_[cb].fence == kNone)
		return false;
	cb_unlink(cb);
	return true;
}

void Sim::fence_get(uint32_t f)
{
	Fence &fe = fences_[f];
	if (fe.refcount == 0) { // refcount_t: "addition on 0; use-after-free", saturates
		warn();
		return;
	}
	fe.refcount++;
}

bool Sim::fence_get_unless_zero(uint32_t f)
{
	Fence &fe = fences_[f];
	if (fe.refcount == 0)
		return false;
	fe.refcount++;
	return true;
}

void Sim::fence_put(uint32_t f)
{
	Fence &fe = fences_[f];
	if (fe.refcount == 0) { // refcount_t: "underflow; use-after-free"
		warn();
		return;
	}
	if (--fe.refcount == 0)
		fence_release(f);
}

void Sim::fence_release(uint32_t f)
{
	Fence &fe = fences_[f];
	if (fe.cb_head != kNone && !fe.signaled) {
		// WARN "released with pending signals": error = -EDEADLK, signal (callbacks run).
		warn();
		fe.error = kEDEADLK;
		fence_signal(f);
	} else if (fe.cb_head != kNone && is(Fault::CallbackRunTwice)) {
		// The faulty signal path left the nodes linked; release "flushes" them again.
		for (int32_t cb = fe.cb_head; cb != kNone;) {
			const int32_t next = callbacks_[cb].next;
			callbacks_[cb] = Callback{};
			note_callback(static_cast<uint32_t>(cb));
			cb = next;
		}
		fe.cb_head = fe.cb_tail = kNone;
	}
	fe.live = false;
	if (fe.type == FenceType::Harness) {
		note_released(f);
	} else {
		container_release(f);
		allocated_--; /* dma_fence_free */
	}
}

// What a wait woken before its deadline (-1: none) returns: the jiffies left, at least 1.
static int64_t time_left(long long deadline, int64_t timeout)
{
	return deadline < 0 ? timeout : std::max<int64_t>(1, (deadline - rc_sched_clock_ns() + kNsPerJiffy - 1) / kNsPerJiffy);
}

int64_t Sim::fence_wait_timeout(uint32_t f, bool intr, int64_t timeout, bool sigpending)
{
	if (timeout < 0) { // WARN_ON(timeout < 0)
		warn();
		return kEINVAL;
	}
	locks_.might_wait(); // __dma_fence_might_wait
	// dma_fence_enable_sw_signaling: no observable effect on harness fences.
	if (fences_[f].signaled)
		return timeout ? timeout : 1;
	if (intr && sigpending) // an interruptible sleeper sees the signal before it sleeps
		return kERESTARTSYS;
	if (timeout == 0) {
		if (is(Fault::PollSleeps))
			sleep_for(1);
		return 0;
	}
	if (rc_sched_in_block()) { // another thread may signal it: sleep on the virtual clock
		const long long deadline = timeout == kMaxScheduleTimeout ? -1 : rc_sched_clock_ns() + timeout * kNsPerJiffy;
		for (;;) {
			if (is(Fault::WaitLostWakeup))
				sync(); // the window between the check and the sleep
			const int r = rc_sched_wait(deadline);
			if (r < 0)
				throw Bug{"deadlock: dma_fence_wait sleeps and no thread can wake it"};
			if (fences_[f].signaled)
				return time_left(deadline, timeout);
			if (r == 1)
				return 0;
		}
	}
	if (timeout == kMaxScheduleTimeout)
		throw Bug{"dma_fence_wait_timeout(MAX_SCHEDULE_TIMEOUT) on an unsignalled fence would sleep forever "
		          "(single-threaded harness: nobody can signal it)"};
	slept_ += static_cast<uint32_t>(timeout); // slept for the whole timeout; nobody signalled it
	return 0;
}

// Registers a waiter on every fence in turn; the first one found signalled (in array order) ends
// the wait before it sleeps. A poll only looks.
int64_t Sim::fence_wait_any_timeout(const uint32_t *f, uint32_t count, bool intr, int64_t timeout, bool sigpending, uint32_t *idx)
{
	if (!count || timeout < 0) { // WARN_ON(!fences || !count || timeout < 0)
		warn();
		return kEINVAL;
	}
	auto scan = [&] {
		for (uint32_t i = 0; i < count; i++)
			if (fences_[f[i]].signaled) {
				*idx = i;
				return true;
			}
		return false;
	};
	if (timeout == 0)
		return scan() ? 1 : 0;
	if (scan())
		return timeout;
	if (intr && sigpending)
		return kERESTARTSYS;
	if (rc_sched_in_block()) {
		const long long deadline = timeout == kMaxScheduleTimeout ? -1 : rc_sched_clock_ns() + timeout * kNsPerJiffy;
		for (;;) {
			const int r = rc_sched_wait(deadline);
			if (r < 0)
				throw Bug{"deadlock: dma_fence_wait_any_timeout sleeps and no thread can wake it"};
			if (scan())
				return time_left(deadline, timeout);
			if (r == 1)
				return 0;
		}
	}
	if (timeout == kMaxScheduleTimeout)
		throw Bug{"dma_fence_wait_any_timeout(MAX_SCHEDULE_TIMEOUT) with no fence signalled would sleep forever"};
	slept_ += static_cast<uint32_t>(timeout);
	return 0;
}

void Sim::sleep_for(int64_t jiffies)
{
	if (!rc_sched_in_block()) {
		slept_ += static_cast<uint32_t>(jiffies);
		return;
	}
	const long long until = rc_sched_clock_ns() + jiffies * kNsPerJiffy;
	while (rc_sched_clock_ns() < until)
		if (rc_sched_wait(until) < 0)
			throw Bug{"deadlock: a timed sleep never ended"};
}

void Sim::fence_set_deadline(uint32_t f)
{
	// dma_fence_set_deadline: ops->set_deadline exists and the fence is not signalled.
	if (!fences_[f].signaled)
		note_deadline(f);
}

} // namespace resvcheck::sim::detail
