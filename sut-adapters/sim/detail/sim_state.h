/*
 * detail/sim_state.h - internals of the sim adapter (not a public header).
 *
 * One Sim object is one simulated kernel: fences, callbacks, ww acquire contexts, reservation
 * objects, their fence lists and iterators, each in a flat vector indexed by the harness handle.
 * Fence lists live in a pool (`lists_`) indexed by list identity - 1; identity 0 means "no list".
 * A replaced list stays in the pool (the kernel frees it after an RCU grace period, which never
 * elapses inside one trace), so a cursor that still points at it reads the stale contents, as a
 * non-KASAN kernel would. reset() empties every table but keeps their storage, so a long fuzzing
 * run allocates nothing per operation in the steady state.
 *
 * BUG()s and "would sleep forever" are thrown as Bug and turned into RC_APPLY_BUG by apply().
 */
#ifndef RESVCHECK_SIM_DETAIL_SIM_STATE_H
#define RESVCHECK_SIM_DETAIL_SIM_STATE_H

#include "resvcheck_plugin.h"
#include "detail/lock_recorder.h"
#include "rc_sched.h"

#include <cstdint>
#include <string>
#include <vector>

namespace resvcheck::sim::detail {

enum class Fault : int {
	None = 0,
#define SIM_FAULT(e, name, rules, desc) e,
#include "faults.def"
#undef SIM_FAULT
};

/* Thrown for BUG_ON / NULL dereference / a sleep that nothing can end. */
struct Bug {
	const char *what;
};

constexpr int64_t kEINTR = -4;
constexpr int64_t kENOMEM = -12;
constexpr int64_t kEINVAL = -22;
constexpr int64_t kERESTARTSYS = -512;
constexpr int64_t kENOENT = -2;
constexpr int64_t kEDEADLK = -35;
constexpr int64_t kEALREADY = -114;
constexpr int64_t kMaxErrno = 4095;
constexpr int64_t kMaxScheduleTimeout = INT64_MAX; /* LONG_MAX on x86-64 */
constexpr long long kNsPerJiffy = 4000000;          /* HZ=250 */

constexpr int32_t kNone = -1;

struct Context {
	uint64_t id = 0;       /* dma_fence_context_alloc() value */
	bool seqno64 = false;  /* ops->use_64bit_seqno of its fences */
	bool live = false;
};

/* What a fence is: a harness fence (the only kind whose release is reported) or one the
 * "kernel" built: a dma_fence_chain link, a dma_fence_array, a private stub (containers.cpp). */
enum class FenceType : uint8_t { Harness, Chain, Array, Stub };

struct Fence {
	FenceType type = FenceType::Harness;
	uint64_t context = 0;  /* context id (not handle) */
	uint64_t seqno = 0;
	int64_t error = 0;
	uint32_t refcount = 0;
	uint32_t harness_refs = 0; /* of refcount, those the trace holds (teardown drops them) */
	bool seqno64 = false;
	bool live = false;     /* initialised and not yet released */
	bool signaled = false;
	bool locked = false;   /* fence->lock, contended only between threads of a block */
	int32_t cb_head = kNone, cb_tail = kNone; /* pending callbacks, FIFO */
	/* dma_fence_chain: prev (owns a reference), the contained fence (owns one), prev_seqno */
	int32_t prev = kNone, contained = kNone;
	uint64_t prev_seqno = 0;
	/* dma_fence_array: members (one reference each), signal_on_any */
	std::vector<uint32_t> members;
	bool signal_on_any = false;
};

struct Callback {
	int32_t fence = kNone; /* fence whose cb_list holds the node, kNone = empty node */
	int32_t prev = kNone, next = kNone;
};

struct AcquireCtx {
	uint64_t stamp = 0;
	uint32_t acquired = 0;
	bool live = false;
};

struct Slot {
	uint32_t fence;
	uint32_t usage;
};

struct FenceList {
	std::vector<Slot> slots; /* slots.size() == num_fences */
	uint32_t max_fences = 0;
	bool freed = false; /* reclaimed (concurrent blocks only): reads see nothing */
	uint64_t freed_at = 0; /* Sim::frees_ when it was */
	uint32_t num() const { return static_cast<uint32_t>(slots.size()); }
};

struct Resv {
	uint32_t list = 0;       /* identity of the current list, 0 = NULL */
	bool live = false;
	bool locked = false;
	int32_t holder_ctx = kNone; /* ww->ctx of the holder; kNone for plain lock / trylock */
	bool exec_held = false;     /* held under the drm_exec ticket (drm_exec.cpp) */
	uint32_t gem_refs = 1;      /* its GEM object's references; the harness holds one */
};

/* struct drm_exec: the trace's one execution context (drm_exec.cpp) */
struct Exec {
	bool live = false;
	uint32_t flags = 0;
	bool entered = false;       /* the ticket was initialised by the loop's first pass */
	bool retry = false;         /* contention seen: the loop head backs off and runs again */
	uint64_t stamp = 0;
	uint32_t acquired = 0;
	std::vector<uint32_t> objects;
	int32_t contended = kNone;  /* referenced, to be locked first on the slow path */
	int32_t prelocked = kNone;  /* locked and referenced, not in objects */
};

/* struct dma_resv_iter */
struct Iter {
	int32_t resv = kNone;
	uint32_t usage = 0;
	int32_t fence = kNone;   /* unlocked: the fence the cursor holds a reference on */
	uint32_t fence_usage = 0;
	uint32_t list = 0;       /* cursor->fences (identity) */
	uint32_t index = 0;
	uint32_t num_fences = 0; /* unlocked snapshot count */
	bool is_restarted = false;
};

class Sim {
public:
	explicit Sim(Fault f) : fault_(f) {}
	void reset();
	int apply(const resvcheck_op &op, resvcheck_obs &obs);
	/* op teardown: end, finish and put what the trace left; `memory`: say whether memory remains */
	void teardown(bool memory);
	const char *last_error() const { return last_error_.c_str(); }

private:
	bool is(Fault f) const { return fault_ == f; }
	void dispatch(const resvcheck_op &op);

	/* fail_alloc: the op's fail_at_-th allocation fails (only the allocating ops of the ABI ask) */
	bool alloc_fails() { return fail_at_ != 0 && ++allocs_ == fail_at_; }

	/* observation helpers */
	void warn() { obs_->warnings++; }
	void note_fence(uint32_t f, uint32_t usage);
	void note_callback(uint32_t cb);
	void note_released(uint32_t f);
	void note_deadline(uint32_t f);

	/* handle lookup: grows the table for a new handle */
	Fence &fence(int64_t h);
	Context &context(int64_t h);
	Callback &callback(int64_t h);
	AcquireCtx &actx(int64_t h);
	Resv &resv(int64_t h);
	Iter &iter(int64_t h);

	/* fence.cpp */
	void context_alloc(int64_t c, bool seqno64);
	void fence_init(int64_t f, int64_t c, uint64_t seqno);
	int64_t fence_signal(uint32_t f);
	void fence_set_error(uint32_t f, int64_t err);
	int64_t fence_get_status(uint32_t f);
	bool fence_is_signaled(uint32_t f);
	bool fence_is_later(uint32_t f1, uint32_t f2);
	bool fence_is_later_or_same(uint32_t f1, uint32_t f2);
	bool seqno_is_later(uint64_t s1, uint64_t s2, bool seqno64) const;
	int64_t fence_add_callback(uint32_t f, uint32_t cb);
	bool fence_remove_callback(uint32_t f, uint32_t cb);
	void fence_get(uint32_t f);
	bool fence_get_unless_zero(uint32_t f);
	void fence_put(uint32_t f);
	void fence_release(uint32_t f);
	int64_t fence_wait_timeout(uint32_t f, bool intr, int64_t timeout, bool sigpending);
	// dma_fence_wait_any_timeout: *idx is written on a positive return only
	int64_t fence_wait_any_timeout(const uint32_t *f, uint32_t count, bool intr, int64_t timeout, bool sigpending, uint32_t *idx);
	/* time: a block's thread sleeps on the scheduler's virtual clock; alone, the sleep passes at
	   once and is only counted (slept_, what the op reports) */
	void sleep_for(int64_t jiffies);
	uint32_t slept_ = 0;
	void fence_set_deadline(uint32_t f);

	/* fence_api7.cpp: the dma_fence API newer kernels add */
	uint32_t fence_dedup_array(uint32_t (&f)[4]);
	void cb_unlink(uint32_t cb);

	/* containers.cpp */
	uint32_t new_fence(int64_t h, FenceType t);
	bool container_signaled(uint32_t f);
	void chain_init(int64_t f, uint32_t fence, int64_t prev, uint64_t seqno);
	int32_t chain_walk(uint32_t f);
	int64_t chain_find_seqno(int32_t &pfence, uint64_t seqno);
	void chain_for_each(uint32_t head);
	int64_t array_create(int64_t f, const int64_t *m, bool signal_on_any);
	void unwrap(uint32_t head, std::vector<uint32_t> &out);
	int64_t unwrap_merge(const int64_t *in);
	void container_release(uint32_t f);
	bool is_container(uint32_t f) const { return fences_[f].type == FenceType::Chain || fences_[f].type == FenceType::Array; }

	/* resv.cpp */
	FenceList &list(uint32_t id) { return lists_[id - 1]; }
	uint32_t list_alloc(uint32_t max_fences);
	void list_free(uint32_t id);
	void resv_init(int64_t r);
	void resv_fini(uint32_t r);
	int64_t reserve_fences(uint32_t r, uint32_t n);
	void add_fence(uint32_t r, uint32_t f, uint32_t usage);
	void replace_fences(uint32_t r, int64_t c, int64_t f, uint32_t usage);
	int64_t copy_fences(uint32_t dst, uint32_t src);
	int64_t get_fences(uint32_t r, uint32_t usage, std::vector<uint32_t> &out);
	int64_t get_singleton(uint32_t r, uint32_t usage);
	bool test_signaled(uint32_t r, uint32_t usage);
	int64_t resv_wait_timeout(uint32_t r, uint32_t usage, bool intr, int64_t timeout, bool sigpending);
	void set_deadline(uint32_t r, uint32_t usage);
	void for_each_locked(uint32_t r, uint32_t usage);
	void for_each_unlocked(uint32_t r, uint32_t usage);

	void iter_begin(Iter &it, int32_t r, uint32_t usage);
	void iter_end(Iter &it);
	int32_t iter_first(Iter &it);
	int32_t iter_next(Iter &it);
	int32_t iter_first_unlocked(Iter &it);
	int32_t iter_next_unlocked(Iter &it);
	void iter_restart_unlocked(Iter &it);
	void iter_walk_unlocked(Iter &it);
	void report_step(const Iter &it, int32_t fence);

	/* ww.cpp */
	void acquire_init(int64_t a);
	int64_t ww_lock(uint32_t r, int32_t a, bool intr, bool sigpending);
	int64_t trylock(uint32_t r);
	void unlock(uint32_t r);

	Fault fault_;
	LockRecorder locks_;	/* lock order of the trace's one task (lock_recorder.cpp) */
	long op_index_ = 0;
	/* drm_exec (drm_exec.cpp) */
	void exec_op(const resvcheck_op &op);
	int64_t exec_lock(uint32_t r);
	int64_t exec_lock_obj(uint32_t r);
	void exec_unlock(uint32_t r);
	void exec_unlock_all();
	void exec_drop_prelocked();
	Exec exec_;
	/* the driver-side ops (driver.cpp) */
	void driver_op(const resvcheck_op &op);
	void driver_lock(int64_t k, bool take);
	uint32_t driver_held_ = 0;	/* bit k: driver lock k is held */
	uint32_t fail_next_ = 0, fail_at_ = 0, allocs_ = 0; /* fail_alloc arming, for the next op only */
	/* of the op the calling thread runs: blocks run ops of one Sim on several threads */
	static thread_local resvcheck_obs *obs_;
	static thread_local bool whole_walk_; /* inside resv_for_each_fence_unlocked */
	std::string last_error_;

	uint64_t next_context_ = 1; /* dma_fence_context_alloc counter; 0 is the stub context */
	uint64_t next_stamp_ = 1;   /* reservation_ww_class stamp counter */
	static thread_local uint32_t walk_restarts_;
	/* concurrency (concurrent.cpp): switch points, the fence lock, RCU-like list reclamation */
public:
	int apply_block(resvcheck_block &b);
private:
	static void sync() { if (rc_sched_on) rc_sched_point(); }
	void spin();             /* a spin-wait round; a deadlocked block unwinds (Bug) */
	void fence_lock(uint32_t f);
	void fence_unlock(uint32_t f) { fences_[f].locked = false; }
	void rcu_enter() { rcu_readers_++; entered_at_ = frees_; }
	void list_free_now(uint32_t id);
	void check_list_read(uint32_t id) const; /* a list freed inside the reader's section: a BUG */
	void rcu_exit();
	void list_retire(uint32_t id); /* kfree_rcu of a replaced list */
	uint32_t rcu_readers_ = 0;
	uint64_t frees_ = 0;
	static thread_local uint64_t entered_at_; /* frees_ when the thread entered its RCU section */
	std::vector<uint32_t> retired_;

	std::vector<Context> contexts_;
	std::vector<Fence> fences_;
	std::vector<Callback> callbacks_;
	std::vector<AcquireCtx> actxs_;
	std::vector<Resv> resvs_;
	std::vector<Iter> iters_;
	std::vector<FenceList> lists_;
	uint32_t lists_used_ = 0;
	/* objects allocated and not freed: fence lists (freed when list_free or kfree_rcu is called)
	   and containers (freed by their release); teardown reports any that remain */
	long allocated_ = 0;
	std::vector<uint32_t> scratch_; /* get_fences / get_singleton result */
	std::vector<uint32_t> scratch2_;
};

} // namespace resvcheck::sim::detail

#endif
