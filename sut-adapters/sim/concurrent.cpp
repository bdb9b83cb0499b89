// concurrent.cpp - the sim's concurrency: blocks of ops on threads, its own fence lock and an
// RCU-like reclamation of replaced fence lists.
//
// Each thread of a block runs its ops through the same apply() as a sequential trace; the
// deterministic scheduler (rc_sched.h) switches threads at the sim's sync() points. Reclamation:
// a list replaced while some thread is inside an unlocked walk step (an RCU read-side section) is
// freed when the last such reader leaves; otherwise at once. A freed list reads as empty, as a use
// after free would read garbage: the walks that trust it lose entries.

#include "detail/sim_state.h"
#include "sim.h"

namespace resvcheck::sim::detail {

thread_local resvcheck_obs *Sim::obs_ = nullptr;
thread_local bool Sim::whole_walk_ = false;
thread_local uint32_t Sim::walk_restarts_ = 0;
thread_local uint64_t Sim::entered_at_ = 0;

void Sim::list_free_now(uint32_t id)
{
	list(id).freed = true;
	list(id).freed_at = ++frees_;
	list(id).slots.clear();
}

// A stale cursor (the list went before this read-side section began) reads nothing, as the
// garbage of a use after free would be: the walks that trust it lose entries. A list freed while
// the reader was inside its section is what RCU exists to prevent: a BUG.
void Sim::check_list_read(uint32_t id) const
{
	if (lists_[id - 1].freed && lists_[id - 1].freed_at > entered_at_)
		throw Bug{"use after free: a fence list was freed while an unlocked reader was inside its RCU "
		          "read-side section (kfree instead of kfree_rcu)"};
}

void Sim::spin()
{
	if (rc_sched_spin() < 0)
		throw Bug{"deadlock: every thread of the block waits for another"};
}

void Sim::fence_lock(uint32_t f)
{
	while (fences_[f].locked)
		spin();
	fences_[f].locked = true;
}

void Sim::rcu_exit()
{
	if (--rcu_readers_ || retired_.empty())
		return;
	for (uint32_t id : retired_) // the grace period has elapsed
		list_free_now(id);
	retired_.clear();
}

void Sim::list_retire(uint32_t id)
{
	allocated_--; /* kfree_rcu counts as freed when called: the grace period only delays it */
	if (!rc_sched_in_block())
		return; // one thread: no reader can hold it; the pool keeps it readable for stale cursors
	if (rcu_readers_ && !is(Fault::ListFreeNoRcu)) {
		retired_.push_back(id);
		return;
	}
	list_free_now(id);
}

namespace {
struct Run {
	Sim *sim;
	resvcheck_block *b;
};

void thread_body(void *arg, unsigned tid)
{
	auto *run = static_cast<Run *>(arg);
	resvcheck_block &b = *run->b;
	for (uint32_t i = 0; i < b.n; ++i) {
		if (b.threads[i] != tid)
			continue;
		rc_sched_point(); // op boundaries interleave too
		b.start[i] = rc_sched_now();
		b.status[i] = run->sim->apply(b.ops[i], b.obs[i]);
		b.end[i] = rc_sched_now();
		if (b.status[i] != RC_APPLY_OK)
			break; // its later ops are not run
	}
}
} // namespace

int Sim::apply_block(resvcheck_block &b)
{
	unsigned nthreads = 0;
	for (uint32_t i = 0; i < b.n; ++i) {
		b.status[i] = -1;
		nthreads = std::max<unsigned>(nthreads, b.threads[i] + 1u);
	}
	if (nthreads > RC_SCHED_MAX_THREADS) {
		snprintf(b.message, sizeof b.message, "at most %d threads", RC_SCHED_MAX_THREADS);
		return -1;
	}
	Run run{this, &b};
	rc_sched_block sb{};
	sb.nthreads = nthreads;
	sb.schedule = b.schedule;
	sb.nsched = b.nsched;
	sb.body = thread_body;
	sb.arg = &run;
	sb.realised = b.realised;
	sb.runnable = b.runnable;
	sb.cap = b.cap;
	rc_sched_run(&sb);
	b.nrealised = sb.nrealised;
	b.ndefault = sb.ndefault;
	snprintf(b.message, sizeof b.message, "%s", sb.message);
	return sb.deadlock ? -1 : 0;
}

} // namespace resvcheck::sim::detail

namespace resvcheck::sim {
namespace {
int sim_apply_block(void *self, resvcheck_block *b) { return static_cast<detail::Sim *>(self)->apply_block(*b); }
constexpr resvcheck_plugin_threads kThreads = {RC_SCHED_MAX_THREADS, sim_apply_block};
} // namespace

const resvcheck_plugin_threads *threads_plugin() { return &kThreads; }

} // namespace resvcheck::sim
