// SPDX-License-Identifier: MIT
/*
 * linux_adapter.c - resvcheck plugin over the kernel's own drivers/dma-buf (compiled over the shim).
 *
 * A kernel-side translation unit: it sees the kernel API exactly as a driver does and maps every
 * op kind of resvcheck_plugin.h to the kernel call it is named after. Harness objects live in
 * per-kind handle tables of individually allocated entries (their addresses must stay put: fences
 * link callbacks and resv locks point at acquire contexts).
 *
 * The tree's features (features.def) were probed into rc_linux_features.h; fence_compat.h maps
 * the calls that differ between trees (64-bit seqnos by flag or by ops, signal's return).
 *
 * The adapter's own objects (handle entries, harness fences, tables) come from
 * shim_harness_kzalloc: the shim counts only what the kernel code allocates, which the op teardown
 * reports as RC_OBS_LEAKED when anything of it is left.
 *
 * Harness fences are dma_fences with adapter ops: 64-bit seqnos from the context,
 * .set_deadline records the fence into obs->deadlines (kernels >= 6.3), .release records it into
 * obs->released and frees it after an RCU grace period (dma_fence_free). Callbacks record their
 * handle into obs->callbacks.
 *
 * Signals: RESV_LOCK_INTERRUPTIBLE / RESV_LOCK_SLOW_INTERRUPTIBLE take `sigpending`; the wait ops
 * accept it as an optional last argument. It is the current task's signal_pending() for that op only.
 */
#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-resv.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <shim/host.h>
#include <shim/kernel.h>
#include <shim/lockdep.h>

#include "driver_ops.h"
#include "drm_exec.h"
#include "rc_linux_features.h"
#include "fence_compat.h"
#include "resvcheck_plugin.h"
#include "containers.h"

#ifdef RC_LINUX_HAVE_DEADLINE	/* dma_fence_set_deadline: 6.3 */
#define HAVE_DEADLINE 1
#else
#define HAVE_DEADLINE 0
#endif
#ifdef RC_LINUX_HAVE_DRM_EXEC	/* drivers/gpu/drm/drm_exec.c: 6.5 */
#define HAVE_DRM_EXEC 1
#else
#define HAVE_DRM_EXEC 0
#endif
#define MAX_HANDLE (1u << 20)

struct linux_adapter;

struct harness_fence {
	struct dma_fence base;		/* first: dma_fence_free() frees the whole object */
	spinlock_t lock;
	struct linux_adapter *ad;
	u32 handle;
};

struct fence_entry {
	struct harness_fence *hf;	/* NULL for a fence the kernel made (containers.c) */
	struct dma_fence *kf;		/* that fence; the trace holds harness_refs on it */
	int harness_refs;		/* references the trace holds, dropped at reset */
	bool released;
};

struct context_entry {
	u64 context;
	bool seqno64;
};

struct resv_entry {
	struct dma_resv obj;
	bool finished;
};

struct acquire_entry {
	struct ww_acquire_ctx ctx;
	u32 handle;
	bool finished;
};

struct iter_entry {
	struct dma_resv_iter it;
	bool ended;
};

struct cb_entry {
	struct dma_fence_cb cb;
	struct linux_adapter *ad;
	struct dma_fence *fence;	/* where it was added */
	u32 handle;
};

struct table {
	void **slot;
	u32 size;
	u32 used;	/* slots from here on are NULL: what reset has to look at */
};

struct linux_adapter {
	struct table fences, contexts, resvs, acquires, iters, cbs;
	bool tainted;			/* a BUG() unwound through kernel code in this trace */
	long op_index;			/* trace position of the next op, for lockdep reports (atomic: real threads) */
	bool reported;			/* the recorder's report was returned (it makes only one) */
	bool lockdep;			/* the recorder is on (option nolockdep: off, no driver-side ops) */
	bool real_threads;		/* option realthreads: blocks run free on the host (ThreadSanitizer), no virtual clock */
	void **grave;			/* entries of tainted traces, kept until destroy() */
	u32 nr_grave, grave_cap;
	char err[1024];
};

/*
 * The op being applied and its observation, per thread: a concurrent block (adapter_apply_block) applies
 * ops on several threads; a release, callback or deadline hook reports into the op of the
 * thread it runs on. NULL during reset.
 */
static __thread struct resvcheck_obs *cur_obs;
static __thread const struct resvcheck_op *cur_op;
/* fail_alloc: armed for the calling thread's next op, and for the op it runs now */
static __thread u32 fail_next, fail_at;

/* ---- handle tables ---- */
static void *table_get(struct table *t, s64 h)
{
	return h >= 0 && h < t->size ? t->slot[h] : NULL;
}

static void table_put(struct table *t, s64 h, void *p)
{
	if (h < 0 || h >= MAX_HANDLE)
		shim_bug(__FILE__, __LINE__, "adapter: handle %lld out of range", h);
	if (h >= t->size) {
		u32 n = max_t(u32, 16, t->size);
		void **s;

		while (n <= h)
			n *= 2;
		s = shim_harness_krealloc(t->slot, n * sizeof(void *));
		if (!s)
			shim_bug(__FILE__, __LINE__, "adapter: out of memory");
		memset(s + t->size, 0, (n - t->size) * sizeof(void *));
		t->slot = s;
		t->size = n;
	}
	if (t->slot[h])
		shim_bug(__FILE__, __LINE__, "adapter: handle %lld created twice", h);
	t->slot[h] = p;
	t->used = max_t(u32, t->used, h + 1);
}

/* Keep an entry of a tainted trace: leaked kernel objects may still link to it. */
static void bury(struct linux_adapter *ad, void *p)
{
	if (ad->nr_grave == ad->grave_cap) {
		u32 cap = max_t(u32, 64, ad->grave_cap * 2);
		void **g = shim_harness_krealloc(ad->grave, cap * sizeof(void *));

		if (!g)
			return;	/* truly leak it */
		ad->grave = g;
		ad->grave_cap = cap;
	}
	ad->grave[ad->nr_grave++] = p;
}

/* Empties a table for the next trace; the slot array stays (destroy frees it). */
static void table_clear(struct linux_adapter *ad, struct table *t, bool tainted)
{
	for (u32 i = 0; i < t->used; i++) {
		if (!t->slot[i])
			continue;
		if (tainted)
			bury(ad, t->slot[i]);
		else
			kfree(t->slot[i]);
		t->slot[i] = NULL;
	}
	t->used = 0;
}

static void *lookup(struct table *t, s64 h, const char *kind)
{
	void *p = table_get(t, h);

	if (!p)
		shim_bug(__FILE__, __LINE__, "adapter: %s%lld does not exist", kind, h);
	return p;
}

/* ---- observation ---- */
static void obs_push(u32 *arr, u32 *n, u32 v, const char *what)
{
	if (*n >= RC_OBS_MAX)
		shim_bug(__FILE__, __LINE__, "adapter: more than %d %s in one op", RC_OBS_MAX, what);
	arr[(*n)++] = v;
}

/* ---- harness fences ---- */
static const char *harness_driver_name(struct dma_fence *f) { return "resvcheck"; }
static const char *harness_timeline_name(struct dma_fence *f) { return "harness"; }

static void harness_release(struct dma_fence *f)
{
	struct harness_fence *hf = container_of(f, struct harness_fence, base);
	struct linux_adapter *ad = hf->ad;	/* NULL: orphaned by a reset (a kernel leak) */

	if (ad) {
		struct fence_entry *e = table_get(&ad->fences, hf->handle);

		if (cur_obs)
			obs_push(cur_obs->released, &cur_obs->n_released, hf->handle, "releases");
		if (e)
			e->released = true;
	}
	dma_fence_free(f);	/* RCU-deferred: unlocked readers may still look at it */
}

#if HAVE_DEADLINE
static void harness_set_deadline(struct dma_fence *f, ktime_t deadline)
{
	struct harness_fence *hf = container_of(f, struct harness_fence, base);

	if (hf->ad && cur_obs)
		obs_push(cur_obs->deadlines, &cur_obs->n_deadlines, hf->handle, "deadlines");
}
#define HARNESS_DEADLINE .set_deadline = harness_set_deadline,
#else
#define HARNESS_DEADLINE
#endif

static const struct dma_fence_ops harness_ops[RC_HARNESS_OPS_VARIANTS] = {
	{ RC_HARNESS_OPS_SEQNO64(false) .get_driver_name = harness_driver_name,
	  .get_timeline_name = harness_timeline_name, .release = harness_release, HARNESS_DEADLINE },
#if RC_HARNESS_OPS_VARIANTS == 2
	{ RC_HARNESS_OPS_SEQNO64(true) .get_driver_name = harness_driver_name,
	  .get_timeline_name = harness_timeline_name, .release = harness_release, HARNESS_DEADLINE },
#endif
};

static bool is_harness(struct dma_fence *f)
{
	const struct dma_fence_ops *ops = rcu_access_pointer(f->ops);

	return ops >= harness_ops && ops < harness_ops + RC_HARNESS_OPS_VARIANTS;
}

static u32 handle_of(struct linux_adapter *ad, struct dma_fence *f)
{
	/* newest first: a container freed by the kernel may have left its address to a newer one */
	for (u32 i = ad->fences.used; !is_harness(f) && i-- > 0;) {
		struct fence_entry *e = ad->fences.slot[i];

		if (e && e->kf == f && !e->released)
			return i;
	}
	if (!is_harness(f))
		/* by context and seqno: its ops may be detached (7.1+ clears them at signalling) */
		shim_bug(__FILE__, __LINE__, "adapter: kernel returned a fence the harness never made (context %llu seqno %llu)",
			 (unsigned long long)f->context, (unsigned long long)f->seqno);
	return container_of(f, struct harness_fence, base)->handle;
}

static void obs_fence(struct linux_adapter *ad, struct dma_fence *f, enum dma_resv_usage usage)
{
	struct resvcheck_obs *obs = cur_obs;

	if (obs->n_fences >= RC_OBS_MAX)
		shim_bug(__FILE__, __LINE__, "adapter: more than %d fences in one op", RC_OBS_MAX);
	obs->fences[obs->n_fences].fence = handle_of(ad, f);
	obs->fences[obs->n_fences].usage = usage;
	obs->n_fences++;
}

static struct fence_entry *fence_entry(struct linux_adapter *ad, s64 h)
{
	struct fence_entry *e = lookup(&ad->fences, h, "f");

	if (e->released)
		shim_bug(__FILE__, __LINE__, "adapter: f%lld used after its release", h);
	return e;
}

static struct dma_fence *fence(struct linux_adapter *ad, s64 h)
{
	struct fence_entry *e = fence_entry(ad, h);

	return e->hf ? &e->hf->base : e->kf;
}

/* ---- the interface of containers.c (containers.h) ---- */
struct dma_fence *la_fence(struct linux_adapter *ad, s64 h) { return fence(ad, h); }
struct dma_fence *la_fence_or_null(struct linux_adapter *ad, s64 h) { return h < 0 ? NULL : fence(ad, h); }
struct resvcheck_obs *la_obs(struct linux_adapter *ad) { (void)ad; return cur_obs; }
void la_fail_arm(struct linux_adapter *ad) { shim_fail_alloc_arm(fail_at); }
void la_fail_disarm(void) { shim_fail_alloc_arm(0); }
void la_obs_fence(struct linux_adapter *ad, struct dma_fence *f) { obs_fence(ad, f, DMA_RESV_USAGE_BOOKKEEP); }

void la_new_fence(struct linux_adapter *ad, s64 h, struct dma_fence *f)
{
	struct fence_entry *e = shim_harness_kzalloc(sizeof(*e));

	e->kf = f;
	e->harness_refs = 1;
	table_put(&ad->fences, h, e);
}

/* A kernel-made fence's release is not reported; the trace's entry stops naming it. */
static void put_entry_ref(struct fence_entry *e)
{
	e->harness_refs--;
	if (e->kf && kref_read(&e->kf->refcount) == 1)
		e->released = true;
	dma_fence_put(e->hf ? &e->hf->base : e->kf);
}

static void harness_cb(struct dma_fence *f, struct dma_fence_cb *cb)
{
	struct cb_entry *e = container_of(cb, struct cb_entry, cb);

	if (cur_obs)
		obs_push(cur_obs->callbacks, &cur_obs->n_callbacks, e->handle, "callbacks");
}

/* f, c, seqno: a harness fence, with its own spinlock or (7.1+) the fence's inline one */
static void init_harness_fence(struct linux_adapter *ad, const s64 *a, bool inline_lock)
{
	struct context_entry *c = lookup(&ad->contexts, a[1], "c");
	struct fence_entry *e = shim_harness_kzalloc(sizeof(*e));
	struct harness_fence *hf = shim_harness_kzalloc(sizeof(*hf));

	spin_lock_init(&hf->lock);
	hf->ad = ad;
	hf->handle = a[0];
	e->hf = hf;
	e->harness_refs = 1;
	table_put(&ad->fences, a[0], e);
	rc_fence_init(&hf->base, harness_ops, inline_lock ? NULL : &hf->lock, c->context, a[2], c->seqno64);
}

#include "fence_api7.h"

/* ---- ops ---- */
static struct dma_resv *resv(struct linux_adapter *ad, s64 h)
{
	return &((struct resv_entry *)lookup(&ad->resvs, h, "r"))->obj;
}

static struct ww_acquire_ctx *acquire_or_null(struct linux_adapter *ad, s64 h)
{
	return h < 0 ? NULL : &((struct acquire_entry *)lookup(&ad->acquires, h, "a"))->ctx;
}

static struct dma_resv_iter *iter(struct linux_adapter *ad, s64 h)
{
	return &((struct iter_entry *)lookup(&ad->iters, h, "i"))->it;
}

static void set_signal(const struct resvcheck_op *op, u32 idx)
{
	shim_set_signal_pending(current, op->nargs > idx && op->args[idx]);
}

/* Callbacks on f that are not the trace's own (the kernel's waiters, containers'), or 0 once f is
 * signalled: cb_list then shares its storage with the timestamp. Read unlocked: outside blocks only. */
static unsigned int foreign_callbacks(struct dma_fence *f)
{
	struct dma_fence_cb *cb;
	unsigned int n = 0;

	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &f->flags))
		return 0;
	list_for_each_entry(cb, &f->cb_list, node)
		n += cb->func != harness_cb;
	return n;
}

/* f0, f1|-1, f2|-1, f3|-1, timeout, flags: the kernel's wait on the array. The slot past the last
 * fence is NULL, so a walk past count faults or WARNs instead of reading a stale pointer. Out of a
 * block, a callback it leaves on a fence or memory it keeps is RC_OBS_LEAKED. */
static void wait_any(struct linux_adapter *ad, const s64 *a, struct resvcheck_obs *obs)
{
	struct dma_fence *fences[5] = {};
	unsigned int before[4], n = 0, i, idx = ~0u;
	bool seq = !rc_sched_in_any_block();

	for (i = 0; i < 4; i++)
		if (i == 0 || a[i] >= 0)
			fences[n++] = fence(ad, a[i]);
	for (i = 0; seq && i < n; i++)
		before[i] = foreign_callbacks(fences[i]);
	shim_set_signal_pending(current, a[5] & 2);
	shim_kmalloc_mark();
	obs->ret = dma_fence_wait_any_timeout(fences, n, a[5] & 1, a[4], &idx);
	if (shim_kmalloc_live_since_mark() != 0)
		obs->flags |= RC_OBS_LEAKED;
	for (i = 0; seq && i < n; i++)
		if (foreign_callbacks(fences[i]) > before[i])
			obs->flags |= RC_OBS_LEAKED;
	if (obs->ret > 0 && idx < n)
		obs_fence(ad, fences[idx], DMA_RESV_USAGE_KERNEL);
}

static enum dma_resv_usage usage_arg(s64 v)
{
	if (v < DMA_RESV_USAGE_KERNEL || v > DMA_RESV_USAGE_BOOKKEEP)
		shim_bug(__FILE__, __LINE__, "adapter: usage %lld out of range", v);
	return v;
}

/* one yielded fence of a step of the iterator API */
static void obs_iter_step(struct linux_adapter *ad, struct dma_resv_iter *it, struct dma_fence *f)
{
	/* is_restarted is meaningful after every step, also one that yields NULL */
	if (f)
		obs_fence(ad, f, dma_resv_iter_usage(it));
	if (dma_resv_iter_is_restarted(it))
		cur_obs->flags |= RC_OBS_RESTARTED;
}

/* a whole walk: keep only what follows the last restart, as the kernel's consumers do */
static void obs_walk_step(struct linux_adapter *ad, struct dma_resv_iter *it, struct dma_fence *f,
			  bool first)
{
	if (dma_resv_iter_is_restarted(it) && !first) {
		cur_obs->flags |= RC_OBS_RESTARTED;
		cur_obs->n_fences = 0;
	}
	obs_fence(ad, f, dma_resv_iter_usage(it));
}

static void finish_objects(struct linux_adapter *ad, bool teardown);

static int apply_op(void *arg)
{
	struct linux_adapter *ad = arg;
	const struct resvcheck_op *op = cur_op;
	struct resvcheck_obs *obs = cur_obs;
	const s64 *a = op->args;

	switch (op->kind) {
	case RC_OP_FAIL_ALLOC:
		fail_next = a[0];
		break;
	case RC_OP_SLEEP:
		schedule_timeout_uninterruptible(a[0]);
		break;
	case RC_OP_FENCE_CONTEXT_ALLOC: {
		struct context_entry *c = shim_harness_kzalloc(sizeof(*c));

		c->context = dma_fence_context_alloc(1);
		c->seqno64 = op->nargs > 1 && a[1];
		table_put(&ad->contexts, a[0], c);
		break;
	}
	case RC_OP_FENCE_INIT:
		init_harness_fence(ad, a, false);
		break;
	case RC_OP_FENCE_SIGNAL:
		obs->ret = rc_fence_signal(fence(ad, a[0]));
		break;
	case RC_OP_FENCE_SET_ERROR:
		dma_fence_set_error(fence(ad, a[0]), a[1]);
		break;
	case RC_OP_FENCE_GET_STATUS:
		obs->ret = dma_fence_get_status(fence(ad, a[0]));
		break;
	case RC_OP_FENCE_IS_SIGNALED:
		obs->ret = dma_fence_is_signaled(fence(ad, a[0]));
		break;
	case RC_OP_FENCE_IS_LATER:
		obs->ret = dma_fence_is_later(fence(ad, a[0]), fence(ad, a[1]));
		break;
	case RC_OP_FENCE_IS_LATER_OR_SAME:
		obs->ret = rc_fence_is_later_or_same(fence(ad, a[0]), fence(ad, a[1]));
		break;
	case RC_OP_FENCE_ADD_CALLBACK: {
		struct dma_fence *f = fence(ad, a[0]);
		struct cb_entry *e = table_get(&ad->cbs, a[1]);

		/* a dma_fence_cb may be added again once it ran or was removed (drivers reuse them) */
		if (e) {
			if (!list_empty(&e->cb.node))
				shim_bug(__FILE__, __LINE__, "adapter: cb%lld is still pending", a[1]);
		} else {
			e = shim_harness_kzalloc(sizeof(*e));
			e->ad = ad;
			e->handle = a[1];
			INIT_LIST_HEAD(&e->cb.node);
			table_put(&ad->cbs, a[1], e);
		}
		e->fence = f;
		obs->ret = dma_fence_add_callback(f, &e->cb, harness_cb);
		break;
	}
	case RC_OP_FENCE_REMOVE_CALLBACK: {
		struct cb_entry *e = lookup(&ad->cbs, a[1], "cb");

		obs->ret = dma_fence_remove_callback(fence(ad, a[0]), &e->cb);
		break;
	}
	case RC_OP_FENCE_GET: {
		struct fence_entry *e = fence_entry(ad, a[0]);

		dma_fence_get(fence(ad, a[0]));
		e->harness_refs++;
		break;
	}
	case RC_OP_FENCE_PUT: {
		put_entry_ref(fence_entry(ad, a[0]));
		break;
	}
	case RC_OP_FENCE_WAIT_TIMEOUT: {
		/* out of a block, a wait callback left on the fence is RC_OBS_LEAKED */
		struct dma_fence *f = fence(ad, a[0]);
		bool seq = !rc_sched_in_any_block();
		unsigned int before = seq ? foreign_callbacks(f) : 0;

		set_signal(op, 3);
		obs->ret = dma_fence_wait_timeout(f, a[1], a[2]);
		if (seq && foreign_callbacks(f) > before)
			obs->flags |= RC_OBS_LEAKED;
		break;
	}
	case RC_OP_FENCE_WAIT_ANY_TIMEOUT:
		wait_any(ad, a, obs);
		break;

	case RC_OP_WW_ACQUIRE_INIT: {
		struct acquire_entry *e = shim_harness_kzalloc(sizeof(*e));

		e->handle = a[0];
		table_put(&ad->acquires, a[0], e);
		ww_acquire_init(&e->ctx, &reservation_ww_class);
		break;
	}
	case RC_OP_WW_ACQUIRE_DONE:
		ww_acquire_done(acquire_or_null(ad, a[0]));
		break;
	case RC_OP_WW_ACQUIRE_FINI:
		ww_acquire_fini(acquire_or_null(ad, a[0]));
		container_of(acquire_or_null(ad, a[0]), struct acquire_entry, ctx)->finished = true;
		break;

	case RC_OP_RESV_INIT: {
		struct resv_entry *e = shim_harness_kzalloc(sizeof(*e));

		table_put(&ad->resvs, a[0], e);
		/* a driver's object is not zeroed: an init that forgets a field must show (mutate found it) */
		memset(&e->obj, 0x6b, sizeof(e->obj));
		dma_resv_init(&e->obj);
		break;
	}
	case RC_OP_RESV_FINI: {
		struct resv_entry *e = lookup(&ad->resvs, a[0], "r");

		dma_resv_fini(&e->obj);
		e->finished = true;
		break;
	}
	case RC_OP_RESV_LOCK:
		obs->ret = dma_resv_lock(resv(ad, a[0]), acquire_or_null(ad, a[1]));
		break;
	case RC_OP_RESV_LOCK_INTERRUPTIBLE:
		set_signal(op, 2);
		obs->ret = dma_resv_lock_interruptible(resv(ad, a[0]), acquire_or_null(ad, a[1]));
		break;
	case RC_OP_RESV_LOCK_SLOW:
		dma_resv_lock_slow(resv(ad, a[0]), acquire_or_null(ad, a[1]));
		break;
	case RC_OP_RESV_LOCK_SLOW_INTERRUPTIBLE:
		set_signal(op, 2);
		obs->ret = dma_resv_lock_slow_interruptible(resv(ad, a[0]), acquire_or_null(ad, a[1]));
		break;
	case RC_OP_RESV_TRYLOCK:
		obs->ret = dma_resv_trylock(resv(ad, a[0]));
		break;
	case RC_OP_RESV_UNLOCK:
		dma_resv_unlock(resv(ad, a[0]));
		break;
	case RC_OP_RESV_IS_LOCKED:
		obs->ret = dma_resv_is_locked(resv(ad, a[0]));
		break;
	case RC_OP_RESV_LOCKING_CTX: {
		struct ww_acquire_ctx *ctx = dma_resv_locking_ctx(resv(ad, a[0]));

		obs->ret = ctx ? (s64)container_of(ctx, struct acquire_entry, ctx)->handle : -1;
		break;
	}
	case RC_OP_RESV_RESERVE_FENCES:
		la_fail_arm(ad);
		obs->ret = dma_resv_reserve_fences(resv(ad, a[0]), a[1]);
		la_fail_disarm();
		break;
	case RC_OP_RESV_ADD_FENCE:
		dma_resv_add_fence(resv(ad, a[0]), fence(ad, a[1]), usage_arg(a[2]));
		break;
	case RC_OP_RESV_REPLACE_FENCES: {
		struct context_entry *c = lookup(&ad->contexts, a[1], "c");

		dma_resv_replace_fences(resv(ad, a[0]), c->context,
					a[2] < 0 ? NULL : fence(ad, a[2]), usage_arg(a[3]));
		break;
	}
	case RC_OP_RESV_COPY_FENCES:
		la_fail_arm(ad);
		obs->ret = dma_resv_copy_fences(resv(ad, a[0]), resv(ad, a[1]));
		la_fail_disarm();
		break;
	case RC_OP_RESV_GET_FENCES: {
		struct dma_fence **fences;
		unsigned int n, i;

		la_fail_arm(ad);
		obs->ret = dma_resv_get_fences(resv(ad, a[0]), usage_arg(a[1]), &n, &fences);
		la_fail_disarm();
		if (obs->ret)
			break;
		for (i = 0; i < n; i++)
			obs_fence(ad, fences[i], DMA_RESV_USAGE_BOOKKEEP);
		for (i = 0; i < n; i++)
			dma_fence_put(fences[i]);
		kfree(fences);
		break;
	}
	case RC_OP_RESV_GET_SINGLETON: {
		struct dma_fence *f = NULL;

		la_fail_arm(ad);
		obs->ret = dma_resv_get_singleton(resv(ad, a[0]), usage_arg(a[1]), &f);
		la_fail_disarm();
		if (obs->ret || !f)
			break;
		if (dma_fence_is_array(f)) {
			struct dma_fence_array *arr = to_dma_fence_array(f);

			obs->flags |= RC_OBS_CONTAINER;
			for (unsigned int i = 0; i < arr->num_fences; i++)
				obs_fence(ad, arr->fences[i], DMA_RESV_USAGE_BOOKKEEP);
		} else {
			obs_fence(ad, f, DMA_RESV_USAGE_BOOKKEEP);
		}
		dma_fence_put(f);
		break;
	}
	case RC_OP_RESV_TEST_SIGNALED:
		obs->ret = dma_resv_test_signaled(resv(ad, a[0]), usage_arg(a[1]));
		break;
	case RC_OP_RESV_WAIT_TIMEOUT:
		set_signal(op, 4);
		obs->ret = dma_resv_wait_timeout(resv(ad, a[0]), usage_arg(a[1]), a[2], a[3]);
		break;
	case RC_OP_RESV_SET_DEADLINE:
#if HAVE_DEADLINE
		dma_resv_set_deadline(resv(ad, a[0]), usage_arg(a[1]), ktime_get());
		break;
#else
		return RC_APPLY_UNSUPPORTED;
#endif
	case RC_OP_RESV_USAGE_RW:
		obs->ret = dma_resv_usage_rw(a[0]);
		break;
	case RC_OP_RESV_FOR_EACH_FENCE: {
		struct dma_resv_iter cursor;
		struct dma_fence *f;
		bool first = true;

		dma_resv_for_each_fence(&cursor, resv(ad, a[0]), usage_arg(a[1]), f) {
			obs_walk_step(ad, &cursor, f, first);
			first = false;
		}
		break;
	}
	case RC_OP_RESV_FOR_EACH_FENCE_UNLOCKED: {
		struct dma_resv_iter cursor;
		struct dma_fence *f;
		bool first = true;

		dma_resv_iter_begin(&cursor, resv(ad, a[0]), usage_arg(a[1]));
		dma_resv_for_each_fence_unlocked(&cursor, f) {
			obs_walk_step(ad, &cursor, f, first);
			first = false;
		}
		dma_resv_iter_end(&cursor);
		break;
	}
	case RC_OP_RESV_ITER_BEGIN: {
		struct iter_entry *e = shim_harness_kzalloc(sizeof(*e));
		struct dma_resv *obj = resv(ad, a[1]);

		table_put(&ad->iters, a[0], e);
		dma_resv_iter_begin(&e->it, obj, usage_arg(a[2]));
		break;
	}
	case RC_OP_RESV_ITER_FIRST: {
		struct dma_resv_iter *it = iter(ad, a[0]);

		obs_iter_step(ad, it, dma_resv_iter_first(it));
		break;
	}
	case RC_OP_RESV_ITER_NEXT: {
		struct dma_resv_iter *it = iter(ad, a[0]);

		obs_iter_step(ad, it, dma_resv_iter_next(it));
		break;
	}
	case RC_OP_RESV_ITER_FIRST_UNLOCKED: {
		struct dma_resv_iter *it = iter(ad, a[0]);

		obs_iter_step(ad, it, dma_resv_iter_first_unlocked(it));
		break;
	}
	case RC_OP_RESV_ITER_NEXT_UNLOCKED: {
		struct dma_resv_iter *it = iter(ad, a[0]);

		obs_iter_step(ad, it, dma_resv_iter_next_unlocked(it));
		break;
	}
	case RC_OP_TEARDOWN:	/* what is left allocated is judged in adapter_apply, after the irq work */
		finish_objects(ad, true);
		break;
	case RC_OP_RESV_ITER_END: {
		struct iter_entry *e = lookup(&ad->iters, a[0], "i");

		dma_resv_iter_end(&e->it);
		e->ended = true;
		break;
	}
	default:
		if (op->kind >= RC_OP_SIG_BEGIN && op->kind <= RC_OP_SCHED_RUN_JOB)  /* the driver-side ops: driver_ops.c */
			return linux_driver_apply(op, obs, op->kind == RC_OP_SHRINKER_SCAN || op->kind == RC_OP_SCHED_RUN_JOB ?
						  resv(ad, a[0]) : NULL);
		if ((op->kind >= RC_OP_FENCE_CHAIN_INIT && op->kind <= RC_OP_FENCE_IS_CONTAINER) || op->kind == RC_OP_FENCE_GET_STUB)  /* containers.c */
			return la_containers_apply(ad, op);
#if HAVE_DRM_EXEC
		if (op->kind >= RC_OP_DRM_EXEC_INIT && op->kind <= RC_OP_DRM_GEM_OBJECT_REFS)  /* drm_exec.c */
			return la_drm_exec_apply(op, obs, op->kind == RC_OP_DRM_EXEC_LOCK_OBJ || op->kind == RC_OP_DRM_EXEC_PREPARE_OBJ ||
							  op->kind == RC_OP_DRM_EXEC_UNLOCK_OBJ || op->kind == RC_OP_DRM_EXEC_LISTED ||
							  op->kind == RC_OP_DRM_GEM_OBJECT_REFS ? resv(ad, a[0]) : NULL);
#endif
		return apply_fence_api7(ad, op, obs);
	}
	return RC_APPLY_OK;
}

/*
 * End, finish and put what the trace left: iterators, queued callbacks, objects (and, for the op
 * teardown, acquire contexts), the trace's references. Releases go to cur_obs: the op teardown
 * reports them, reset (cur_obs NULL) does not.
 */
static void finish_objects(struct linux_adapter *ad, bool teardown)
{
	u32 i;

	for (i = 0; i < ad->iters.used; i++) {
		struct iter_entry *e = ad->iters.slot[i];
		if (e && !e->ended) {
			dma_resv_iter_end(&e->it);
			e->ended = true;
		}
	}
	/* detach callbacks still queued on live fences before those fences go away */
	for (i = 0; i < ad->cbs.used; i++) {
		struct cb_entry *e = ad->cbs.slot[i];
		/* still queued means its fence is alive: signalling or releasing it unlinks the node */
		if (e && !list_empty(&e->cb.node))
			dma_fence_remove_callback(e->fence, &e->cb);
	}
	for (i = 0; i < ad->resvs.used; i++) {
		struct resv_entry *e = ad->resvs.slot[i];
		if (!e || e->finished)
			continue;
		if (ww_mutex_is_locked(&e->obj.lock) && lockdep_is_held(&e->obj.lock.base))
			ww_mutex_unlock(&e->obj.lock);
		dma_resv_fini(&e->obj);
		e->finished = true;
	}
	for (i = 0; teardown && i < ad->acquires.used; i++) {
		struct acquire_entry *e = ad->acquires.slot[i];

		if (e && !e->finished) {
			ww_acquire_fini(&e->ctx);
			e->finished = true;
		}
	}
	for (i = 0; i < ad->fences.used; i++) {
		struct fence_entry *e = ad->fences.slot[i];
		while (e && !e->released && e->harness_refs > 0)
			put_entry_ref(e);
	}
	irq_work_run();
}

/* ---- reset: drop what the previous trace left, unreported ---- */
static int reset_objects(void *arg)
{
	finish_objects(arg, false);
	return 0;
}

static void adapter_reset(void *self)
{
	struct linux_adapter *ad = self;
	struct shim_checkpoint cp;
	int bugged;

	cur_obs = NULL;
	fail_next = 0;
	/*
	 * After a BUG() the kernel objects of the trace may be inconsistent (a BUG can strike between
	 * two list updates, or leave a waiter's on-stack callback queued on a fence), so, as after an
	 * oops, they are leaked rather than cleaned up: unreported, and the next trace starts afresh.
	 */
	if (!ad->tainted) {
		shim_checkpoint(&cp);
		shim_host_guarded_call(reset_objects, ad, &bugged);
		if (bugged) {
			shim_unwind(&cp);
			ad->tainted = true;
		}
	}
	shim_set_signal_pending(current, false);
	/* fences the kernel still references (leaked) keep their memory: it is not ours to free */
	for (u32 i = 0; i < ad->fences.used; i++) {
		struct fence_entry *e = ad->fences.slot[i];
		if (e && !e->released && e->hf)
			e->hf->ad = NULL, e->hf->handle = ~0u;
	}
	/*
	 * Pending RCU callbacks only free memory (kfree_rcu, SLAB_TYPESAFE_BY_RCU caches): releases are
	 * reported when the reference drops, not when memory goes. So they wait for a batch, and memory
	 * stays bounded without a grace period per trace; destroy drains them all.
	 */
	shim_host_rcu_reclaim();
	table_clear(ad, &ad->fences, ad->tainted);
	table_clear(ad, &ad->contexts, false);
	table_clear(ad, &ad->resvs, ad->tainted);
	table_clear(ad, &ad->acquires, ad->tainted);
	table_clear(ad, &ad->iters, ad->tainted);
	table_clear(ad, &ad->cbs, ad->tainted);
	ad->tainted = false;
	ad->op_index = 0;
	ad->reported = false;
	linux_driver_reset();
#if HAVE_DRM_EXEC
	la_drm_exec_reset();
#endif
	shim_reset_debug_state();
	shim_lockdep_reset();
	shim_kmalloc_trace_begin();
}

static int adapter_apply(void *self, const struct resvcheck_op *op, struct resvcheck_obs *obs)
{
	struct linux_adapter *ad = self;
	struct shim_checkpoint cp;
	unsigned long warns = shim_thread_warn_count();
	long long slept_ns = shim_thread_slept_ns();
	int bugged, status;

	/* the counters say which entries are written: clearing all 5 KB of them costs as much as an op */
	obs->ret = 0;
	obs->flags = obs->warnings = obs->n_fences = obs->n_callbacks = obs->n_released = obs->n_deadlines = 0;
	cur_obs = obs;
	cur_op = op;
	shim_lockdep_set_op(__atomic_fetch_add(&ad->op_index, 1, __ATOMIC_RELAXED));
	fail_at = fail_next;	/* an arming lasts one op */
	fail_next = 0;
	shim_checkpoint(&cp);
	shim_kmalloc_mark();
	status = shim_host_guarded_call(apply_op, ad, &bugged);
	shim_fail_alloc_arm(0);
	/* ALLOC-NO-LEAK: a call that failed for lack of memory leaves no object behind */
	if (fail_at && obs->ret < 0 && !bugged && shim_kmalloc_live_since_mark() != 0)
		obs->flags |= RC_OBS_LEAKED;
	if (bugged) {
		shim_unwind(&cp);
		strscpy(ad->err, shim_last_bug(), sizeof(ad->err));
		ad->tainted = true;
		status = RC_APPLY_BUG;
	}
	irq_work_run();	/* interrupts "fire" before the op returns */
	/* ALLOC-NO-LEAK-TEARDOWN: with everything finished and put, nothing the kernel allocated is left */
	if (op->kind == RC_OP_TEARDOWN && op->args[0] && !bugged && shim_kmalloc_trace_live() != 0)
		obs->flags |= RC_OBS_LEAKED;
	if (!bugged && !ad->reported) {
		const char *report;

		if (shim_lockdep_report(&report) != SHIM_LOCKDEP_NONE) {
			obs->flags |= RC_OBS_LOCKDEP;
			strscpy(ad->err, report, sizeof(ad->err));
			ad->reported = true;
		}
	}
	shim_set_signal_pending(current, false);
	obs->warnings = shim_thread_warn_count() - warns;
	/* rounded: a sleep the virtual clock skips is exact, one on the host's clock a little longer */
	slept_ns = shim_thread_slept_ns() - slept_ns;
	obs->slept = (slept_ns + NSEC_PER_SEC / HZ / 2) / (NSEC_PER_SEC / HZ);
	cur_obs = NULL;
	return status;
}

static int adapter_supports(void *self, u32 kind)
{
	struct linux_adapter *ad = self;

	return resvcheck_op_provided(kind, (HAVE_DEADLINE ? RC_FEATURE_DEADLINE : 0) | fence_api7_features() |
					   RC_FEATURE_CONTAINERS | RC_FEATURE_FAIL_ALLOC | RC_FEATURE_TEARDOWN | RC_FEATURE_GLOBAL_STUB |
					   (ad->real_threads ? 0 : RC_FEATURE_VIRTUAL_TIME) |
					   (ad->lockdep ? RC_FEATURE_LOCKDEP : 0) | (HAVE_DRM_EXEC ? RC_FEATURE_DRM_EXEC : 0));
}

static const char *adapter_last_error(void *self) { return ((struct linux_adapter *)self)->err; }

static void *adapter_create(const char *options, char *err, size_t errlen)
{
	struct linux_adapter *ad;
	char *opts = kstrdup(options ? options : "", GFP_KERNEL), *cur = opts, *tok;
	bool lockdep = true, real_threads = false;

	shim_console_loglevel = -1;	/* WARNs are counted in obs, BUGs go to last_error: print nothing unless "verbose" */
	while ((tok = strsep(&cur, ","))) {
		if (!*tok)
			continue;
		if (!strcmp(tok, "verbose")) {
			shim_console_loglevel = 7;
		} else if (!strcmp(tok, "nolockdep")) {
			lockdep = false;	/* measures the recorder's cost */
		} else if (!strcmp(tok, "realthreads")) {
			real_threads = true;
		} else if (!strcmp(tok, "debug_mutexes")) {
			snprintf(err, errlen, "option debug_mutexes: load the %s-debug plugin instead "
				 "(CONFIG_DEBUG_MUTEXES is a compile-time switch of dma-resv.c)",
				 RESVCHECK_LINUX_PROFILE);
			kfree(opts);
			return NULL;
		} else {
			snprintf(err, errlen, "unknown option '%s' (known: verbose, nolockdep, realthreads)", tok);
			kfree(opts);
			return NULL;
		}
	}
	kfree(opts);
	ad = kzalloc(sizeof(*ad), GFP_KERNEL);
	if (!ad) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ad->lockdep = lockdep;
	ad->real_threads = real_threads;
	shim_lockdep_enable(lockdep);
	return ad;
}

static void adapter_destroy(void *self)
{
	struct linux_adapter *ad = self;

	adapter_reset(ad);
	rcu_barrier();
	kfree(ad->fences.slot);
	kfree(ad->contexts.slot);
	kfree(ad->resvs.slot);
	kfree(ad->acquires.slot);
	kfree(ad->iters.slot);
	kfree(ad->cbs.slot);
	/* nothing runs kernel code any more: what tainted traces left can go */
	for (u32 i = 0; i < ad->nr_grave; i++)
		kfree(ad->grave[i]);
	kfree(ad->grave);
	kfree(ad);
}

static const struct resvcheck_plugin plugin = {
	.abi_version = RESVCHECK_PLUGIN_ABI_VERSION,
	.name = "linux",
	.profile = RESVCHECK_LINUX_PROFILE,
	.create = adapter_create,
	.destroy = adapter_destroy,
	.reset = adapter_reset,
	.supports = adapter_supports,
	.apply = adapter_apply,
	.last_error = adapter_last_error,
};

__attribute__((visibility("default"))) const struct resvcheck_plugin *resvcheck_plugin_entry(void);
const struct resvcheck_plugin *resvcheck_plugin_entry(void) { return &plugin; }

/* ---- concurrency: a block of ops on threads under the deterministic scheduler ---- */
struct block_run {
	struct linux_adapter *ad;
	struct resvcheck_block *b;
};

static void block_thread(void *arg, unsigned int tid)
{
	struct block_run *run = arg;
	struct resvcheck_block *b = run->b;

	for (u32 i = 0; i < b->n; i++) {
		if (b->threads[i] != tid)
			continue;
		rc_sched_point();	/* op boundaries interleave too */
		b->start[i] = rc_sched_now();
		b->status[i] = adapter_apply(run->ad, &b->ops[i], &b->obs[i]);
		b->end[i] = rc_sched_now();
		if (b->status[i] != RC_APPLY_OK)
			break;	/* its later ops are not run */
	}
}

static int adapter_apply_block(void *self, struct resvcheck_block *b)
{
	struct block_run run = { self, b };
	struct rc_sched_block sb = {};
	unsigned int nthreads = 0;

	for (u32 i = 0; i < b->n; i++) {
		b->status[i] = -1;
		nthreads = max_t(unsigned int, nthreads, b->threads[i] + 1u);
	}
	if (nthreads > RC_SCHED_MAX_THREADS) {
		snprintf(b->message, sizeof(b->message), "at most %d threads", RC_SCHED_MAX_THREADS);
		return -1;
	}
	sb.nthreads = nthreads;
	sb.schedule = b->schedule;
	sb.nsched = b->nsched;
	sb.body = block_thread;
	sb.arg = &run;
	sb.realised = b->realised;
	sb.runnable = b->runnable;
	sb.cap = b->cap;
	shim_host_block_begin();
	if (run.ad->real_threads)
		rc_sched_run_free(&sb);
	else
		rc_sched_run(&sb);
	shim_quarantine_drain();
	b->nrealised = sb.nrealised;
	b->ndefault = sb.ndefault;
	strscpy(b->message, sb.message, sizeof(b->message));
	return sb.deadlock ? -1 : 0;
}

static const struct resvcheck_plugin_threads plugin_threads = {
	.max_threads = RC_SCHED_MAX_THREADS,
	.apply_block = adapter_apply_block,
};

__attribute__((visibility("default"))) const struct resvcheck_plugin_threads *resvcheck_plugin_threads_entry(void);
const struct resvcheck_plugin_threads *resvcheck_plugin_threads_entry(void) { return &plugin_threads; }
