// SPDX-License-Identifier: GPL-2.0
/*
 * resvcheck.ko - the op vocabulary of abi/resvcheck_plugin.h executed by the running kernel's
 * dma_resv / dma_fence, behind /dev/resvcheck (protocol: ../wire.h).
 *
 * Harness fences use this module's dma_fence_ops: 64-bit seqnos by context, .release reports the
 * fence into the op's observation (and frees it after a grace period), .set_deadline (6.3+)
 * reports the hook. WARNs are counted from the printk ring buffer ("WARNING: CPU:" records stored
 * during the op), so an expected WARN is an observation like any other; an oops ends the VM and
 * the host makes it a finding. Containers (chains, arrays, merges, stubs) are made by the kernel and
 * named by handle like harness fences; their releases are not reported. Time is the real clock:
 * an op that gave up the CPU to wait reports the jiffies that passed (obs.slept).
 *
 * Ops are functions in op_table[], indexed by ABI number: a kind of RESVCHECK_OP_LIST without an
 * entry answers RC_APPLY_UNSUPPORTED, and HELLO reports the table, so ops added to the ABI later
 * show up as unsupported until implemented here. strict=1 refuses (KW_REFUSED) ops whose
 * preconditions this module can check; otherwise they run, and whatever the kernel does is seen.
 */
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/kmsg_dump.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/panic_notifier.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/version.h>
#include <linux/vmalloc.h>

#include "resvcheck_plugin.h"
#include "wire.h"

#define HAVE_DEADLINE (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0))
#define MAX_HANDLE (1u << 20)
#define MAX_WRITE (64u << 10)

static bool strict;
module_param(strict, bool, 0644);
MODULE_PARM_DESC(strict, "refuse ops that break the contract's preconditions instead of running them");

struct kmod;

struct harness_fence {
	struct dma_fence base;	/* first: dma_fence_free() frees the whole object */
	spinlock_t lock;
	struct kmod *km;	/* NULL once orphaned by a reset (the kernel leaked a reference) */
	u32 handle;
};

struct fence_entry {
	struct dma_fence *f;
	struct harness_fence *hf;	/* NULL for a fence the kernel made (a container or stub) */
	int harness_refs;	/* references the trace holds, dropped at reset */
	bool released;		/* a kernel-made one: the trace dropped the last reference */
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
	struct kmod *km;
	struct dma_fence *fence;	/* where it was last added */
	u32 handle;
};

struct table {
	void **slot;
	u32 size, used;	/* slots from `used` on are NULL */
};

struct kmod {
	struct table fences, contexts, resvs, acquires, iters, cbs;
	struct resvcheck_obs *obs;	/* of the op being applied; NULL during reset */
	/* >= 0: the op slept a whole timeout of this many jiffies (the real clock, ticking on, may
	 * show a jiffy more by the time the op returns: that is not the wait's) */
	long slept_timeout;
	struct kmsg_dump_iter log;	/* printk records not yet looked at */
	char line[256];
	char err[160];
	struct resvcheck_obs *scratch;	/* the op's observation (large: not on the stack) */
	u8 *out;			/* replies not yet read */
	size_t out_len, out_pos;
	u8 *in;
	u64 handled;			/* frames answered since the device was opened */
};

static DEFINE_MUTEX(kmod_lock);	/* one agent at a time */

/* ---- handle tables ---- */
static void *table_get(struct table *t, s64 h)
{
	return h >= 0 && h < t->size ? t->slot[h] : NULL;
}

static int table_put(struct table *t, s64 h, void *p)
{
	if (h < 0 || h >= MAX_HANDLE || (h < t->size && t->slot[h]))
		return -EINVAL;
	if (h >= t->size) {
		u32 n = max_t(u32, 16, t->size);
		void **s;

		while (n <= h)
			n *= 2;
		s = krealloc(t->slot, n * sizeof(void *), GFP_KERNEL);
		if (!s)
			return -ENOMEM;
		memset(s + t->size, 0, (n - t->size) * sizeof(void *));
		t->slot = s;
		t->size = n;
	}
	t->slot[h] = p;
	t->used = max_t(u32, t->used, h + 1);
	return 0;
}

static void table_clear(struct table *t)
{
	for (u32 i = 0; i < t->used; i++) {
		kfree(t->slot[i]);
		t->slot[i] = NULL;
	}
	t->used = 0;
}

/* An op the module cannot run as asked (a handle that does not exist): RC_APPLY_BUG with why. */
static __printf(3, 4) int fail(struct kmod *km, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(km->err, sizeof(km->err), fmt, ap);
	va_end(ap);
	return status;
}

#define BAD(km, ...) fail(km, RC_APPLY_BUG, __VA_ARGS__)
#define REFUSE(km, ...) fail(km, KW_REFUSED, __VA_ARGS__)

/* ---- observation ---- */
static void obs_push(u32 *arr, u32 *n, u32 v)
{
	if (*n < RC_OBS_MAX)	/* more than fits is a test of its own: the host sees a short list */
		arr[(*n)++] = v;
}

static const char *harness_driver_name(struct dma_fence *f) { return "resvcheck"; }
static const char *harness_timeline_name(struct dma_fence *f) { return "harness"; }

static void harness_release(struct dma_fence *f)
{
	struct harness_fence *hf = container_of(f, struct harness_fence, base);
	struct kmod *km = hf->km;

	if (km) {
		struct fence_entry *e = table_get(&km->fences, hf->handle);

		if (km->obs)
			obs_push(km->obs->released, &km->obs->n_released, hf->handle);
		if (e)
			e->released = true;
	}
	dma_fence_free(f);	/* RCU-deferred: unlocked readers may still look at it */
}

#if HAVE_DEADLINE
static void harness_set_deadline(struct dma_fence *f, ktime_t deadline)
{
	struct harness_fence *hf = container_of(f, struct harness_fence, base);

	if (hf->km && hf->km->obs)
		obs_push(hf->km->obs->deadlines, &hf->km->obs->n_deadlines, hf->handle);
}
#define HARNESS_DEADLINE .set_deadline = harness_set_deadline,
#else
#define HARNESS_DEADLINE
#endif

static const struct dma_fence_ops harness_ops[2] = {
	{ .use_64bit_seqno = false, .get_driver_name = harness_driver_name,
	  .get_timeline_name = harness_timeline_name, .release = harness_release, HARNESS_DEADLINE },
	{ .use_64bit_seqno = true, .get_driver_name = harness_driver_name,
	  .get_timeline_name = harness_timeline_name, .release = harness_release, HARNESS_DEADLINE },
};

static bool is_harness(struct dma_fence *f)
{
	return f->ops == &harness_ops[0] || f->ops == &harness_ops[1];
}

static int obs_fence(struct kmod *km, struct dma_fence *f, enum dma_resv_usage usage)
{
	struct resvcheck_obs *obs = km->obs;
	u32 handle = 0;
	bool found = is_harness(f);

	if (found)
		handle = container_of(f, struct harness_fence, base)->handle;
	/* a kernel-made fence by address, newest first: a freed container may have left its
	 * address to a newer one */
	for (u32 i = km->fences.used; !found && i-- > 0;) {
		struct fence_entry *e = km->fences.slot[i];

		if (e && !e->hf && e->f == f && !e->released) {
			handle = i;
			found = true;
		}
	}
	if (!found)
		return BAD(km, "the kernel returned a fence the harness never made (%s, context %llu seqno %llu)",
			   f->ops->get_driver_name(f), (unsigned long long)f->context, (unsigned long long)f->seqno);
	if (obs->n_fences < RC_OBS_MAX) {
		obs->fences[obs->n_fences].fence = handle;
		obs->fences[obs->n_fences].usage = usage;
		obs->n_fences++;
	}
	return RC_APPLY_OK;
}

static void harness_cb(struct dma_fence *f, struct dma_fence_cb *cb)
{
	struct cb_entry *e = container_of(cb, struct cb_entry, cb);

	if (e->km->obs)
		obs_push(e->km->obs->callbacks, &e->km->obs->n_callbacks, e->handle);
}

/* ---- argument lookups: each op's handles, checked ---- */
#define LOOKUP(var, tbl, h, kind)                                             \
	do {                                                                  \
		var = table_get(&km->tbl, h);                                 \
		if (!var)                                                     \
			return BAD(km, kind "%lld does not exist", (long long)(h)); \
	} while (0)

static int get_fence(struct kmod *km, s64 h, struct fence_entry **out)
{
	struct fence_entry *e;

	LOOKUP(e, fences, h, "f");
	if (e->released)
		return BAD(km, "f%lld used after its release", (long long)h);
	*out = e;
	return RC_APPLY_OK;
}

#define FENCE(var, h)                                        \
	struct fence_entry *var##_e;                         \
	struct dma_fence *var;                               \
	do {                                                 \
		int st_ = get_fence(km, h, &var##_e);        \
		if (st_)                                     \
			return st_;                          \
		var = var##_e->f;                            \
	} while (0)

#define RESV(var, h)                                         \
	struct resv_entry *var##_e;                          \
	struct dma_resv *var;                                \
	do {                                                 \
		LOOKUP(var##_e, resvs, h, "r");              \
		if (var##_e->finished)                       \
			return BAD(km, "r%lld used after dma_resv_fini", (long long)(h)); \
		var = &var##_e->obj;                         \
	} while (0)

#define USAGE(var, v)                                        \
	enum dma_resv_usage var = (v);                       \
	do {                                                 \
		if ((v) < DMA_RESV_USAGE_KERNEL || (v) > DMA_RESV_USAGE_BOOKKEEP) \
			return BAD(km, "usage %lld out of range", (long long)(v)); \
	} while (0)

/* strict: the op needs the object locked (by us: the agent is the only task using it) */
#define NEED_LOCKED(r, h)                                                     \
	do {                                                                  \
		if (strict && !dma_resv_is_locked(r))                         \
			return REFUSE(km, "r%lld is not locked", (long long)(h)); \
	} while (0)

static struct ww_acquire_ctx *acquire_or_null(struct kmod *km, s64 h, int *st)
{
	struct acquire_entry *e;

	if (h < 0)
		return NULL;
	e = table_get(&km->acquires, h);
	if (!e)
		*st = BAD(km, "a%lld does not exist", (long long)h);
	else if (strict && e->finished)
		*st = REFUSE(km, "a%lld used after ww_acquire_fini", (long long)h);
	return e ? &e->ctx : NULL;
}

#define ACQUIRE(var, h)                                      \
	struct ww_acquire_ctx *var;                          \
	do {                                                 \
		int st_ = 0;                                 \
		var = acquire_or_null(km, h, &st_);          \
		if (st_)                                     \
			return st_;                          \
	} while (0)

/* the op's "sigpending" argument: signal_pending() of this task, for this op only */
static void set_sigpending(const s64 *a, u32 nargs, u32 idx)
{
	if (nargs > idx && a[idx])
		set_tsk_thread_flag(current, TIF_SIGPENDING);
}

/*
 * A lock attempt on an object this task holds, with a signal pending: the mutex spins on its
 * owner (us) until need_resched(), then sees the signal. On an idle guest that waits for some
 * other task to wake (hundreds of ms under TCG); the tick that ends the spin arrives at once.
 */
static void end_owner_spin(struct dma_resv *r)
{
	if (dma_resv_is_locked(r) && signal_pending(current))
		set_tsk_need_resched(current);
}

typedef int (*op_fn)(struct kmod *km, const s64 *a, u32 nargs);

/* ---- fences ---- */
static int op_fence_context_alloc(struct kmod *km, const s64 *a, u32 nargs)
{
	struct context_entry *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return BAD(km, "out of memory");
	c->context = dma_fence_context_alloc(1);
	c->seqno64 = a[1];
	if (table_put(&km->contexts, a[0], c)) {
		kfree(c);
		return BAD(km, "c%lld: bad or duplicate handle", (long long)a[0]);
	}
	return RC_APPLY_OK;
}

static int op_fence_init(struct kmod *km, const s64 *a, u32 nargs)
{
	struct context_entry *c;
	struct fence_entry *e;
	struct harness_fence *hf;

	LOOKUP(c, contexts, a[1], "c");
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	hf = kzalloc(sizeof(*hf), GFP_KERNEL);
	if (!e || !hf || table_put(&km->fences, a[0], e)) {
		kfree(e);
		kfree(hf);
		return BAD(km, "f%lld: bad or duplicate handle", (long long)a[0]);
	}
	spin_lock_init(&hf->lock);
	hf->km = km;
	hf->handle = a[0];
	e->hf = hf;
	e->f = &hf->base;
	e->harness_refs = 1;
	dma_fence_init(&hf->base, &harness_ops[c->seqno64], &hf->lock, c->context, a[2]);
	return RC_APPLY_OK;
}

static int op_fence_signal(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f, a[0]);
	km->obs->ret = dma_fence_signal(f);
	return RC_APPLY_OK;
}

static int op_fence_set_error(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f, a[0]);
	if (strict && (a[1] >= 0 || a[1] < -MAX_ERRNO))
		return REFUSE(km, "error %lld is not a negative errno", (long long)a[1]);
	dma_fence_set_error(f, a[1]);
	return RC_APPLY_OK;
}

static int op_fence_get_status(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f, a[0]);
	km->obs->ret = dma_fence_get_status(f);
	return RC_APPLY_OK;
}

static int op_fence_is_signaled(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f, a[0]);
	km->obs->ret = dma_fence_is_signaled(f);
	return RC_APPLY_OK;
}

static int op_fence_is_later(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f1, a[0]);
	FENCE(f2, a[1]);
	if (strict && f1->context != f2->context)
		return REFUSE(km, "f%lld and f%lld are of different contexts", (long long)a[0], (long long)a[1]);
	km->obs->ret = dma_fence_is_later(f1, f2);
	return RC_APPLY_OK;
}

static int op_fence_is_later_or_same(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f1, a[0]);
	FENCE(f2, a[1]);
	if (strict && f1->context != f2->context)
		return REFUSE(km, "f%lld and f%lld are of different contexts", (long long)a[0], (long long)a[1]);
	km->obs->ret = dma_fence_is_later_or_same(f1, f2);
	return RC_APPLY_OK;
}

static int op_fence_add_callback(struct kmod *km, const s64 *a, u32 nargs)
{
	struct cb_entry *e;

	FENCE(f, a[0]);
	e = table_get(&km->cbs, a[1]);
	/* a dma_fence_cb may be added again once it ran or was removed (drivers reuse them) */
	if (e) {
		if (!list_empty(&e->cb.node))
			return strict ? REFUSE(km, "cb%lld is still pending", (long long)a[1])
				      : BAD(km, "cb%lld is still pending", (long long)a[1]);
	} else {
		e = kzalloc(sizeof(*e), GFP_KERNEL);
		if (!e || table_put(&km->cbs, a[1], e)) {
			kfree(e);
			return BAD(km, "cb%lld: bad handle", (long long)a[1]);
		}
		e->km = km;
		e->handle = a[1];
		INIT_LIST_HEAD(&e->cb.node);
	}
	e->fence = f;
	km->obs->ret = dma_fence_add_callback(f, &e->cb, harness_cb);
	return RC_APPLY_OK;
}

static int op_fence_remove_callback(struct kmod *km, const s64 *a, u32 nargs)
{
	struct cb_entry *e;

	FENCE(f, a[0]);
	LOOKUP(e, cbs, a[1], "cb");
	if (strict && !list_empty(&e->cb.node) && e->fence != f)
		return REFUSE(km, "cb%lld is pending on another fence", (long long)a[1]);
	km->obs->ret = dma_fence_remove_callback(f, &e->cb);
	return RC_APPLY_OK;
}

static int op_fence_get(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f, a[0]);
	dma_fence_get(f);
	f_e->harness_refs++;
	return RC_APPLY_OK;
}

/* A kernel-made fence's release is not reported; the trace's entry stops naming it. */
static void put_entry_ref(struct fence_entry *e)
{
	e->harness_refs--;
	if (!e->hf && kref_read(&e->f->refcount) == 1)
		e->released = true;
	dma_fence_put(e->f);
}

static int op_fence_put(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f, a[0]);
	if (strict && f_e->harness_refs <= 0)
		return REFUSE(km, "the trace holds no reference to f%lld", (long long)a[0]);
	put_entry_ref(f_e);
	return RC_APPLY_OK;
}

static int op_fence_wait_timeout(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f, a[0]);
	if (strict && a[2] < 0)
		return REFUSE(km, "negative timeout");
	set_sigpending(a, nargs, 3);
	km->obs->ret = dma_fence_wait_timeout(f, a[1], a[2]);
	if (km->obs->ret == 0 && a[2] > 0)
		km->slept_timeout = a[2];
	return RC_APPLY_OK;
}

/* f0, f1|-1, f2|-1, f3|-1, timeout, flags (bit 0 intr, bit 1 sigpending): the kernel's wait on the
 * array; the fence at *idx is reported on a positive return */
static int op_fence_wait_any_timeout(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence *fences[4];
	u32 n = 0, i, idx = ~0u;

	for (i = 0; i < 4; i++) {
		if (i == 0 || a[i] >= 0) {
			FENCE(f, a[i]);
			fences[n++] = f;
		}
	}
	/* a negative timeout is not refused: the kernel WARNs and returns -EINVAL, as the contract says */
	if (a[5] & 2)
		set_tsk_thread_flag(current, TIF_SIGPENDING);
	km->obs->ret = dma_fence_wait_any_timeout(fences, n, a[5] & 1, a[4], &idx);
	if (km->obs->ret == 0 && a[4] > 0)
		km->slept_timeout = a[4];
	if (km->obs->ret > 0 && idx < n)
		return obs_fence(km, fences[idx], DMA_RESV_USAGE_KERNEL);
	return RC_APPLY_OK;
}

/* ---- fence containers: chains, arrays, unwrapping, the private stub, made by the kernel ---- */
/* a fence the kernel made: the trace holds the one reference its creator returned */
static int new_kernel_fence(struct kmod *km, s64 h, struct dma_fence *f)
{
	struct fence_entry *e = kzalloc(sizeof(*e), GFP_KERNEL);

	if (!e || table_put(&km->fences, h, e)) {
		kfree(e);
		dma_fence_put(f);
		return BAD(km, "f%lld: bad or duplicate handle", (long long)h);
	}
	e->f = f;
	e->harness_refs = 1;
	return RC_APPLY_OK;
}

static int op_fence_chain_init(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence_chain *chain;
	struct dma_fence *prev = NULL;

	FENCE(f, a[1]);
	if (a[2] >= 0) {
		FENCE(p, a[2]);
		prev = p;
	}
	chain = dma_fence_chain_alloc();
	if (!chain)
		return BAD(km, "out of memory");
	dma_fence_chain_init(chain, dma_fence_get(prev), dma_fence_get(f), a[3]);
	return new_kernel_fence(km, a[0], &chain->base);
}

static int op_fence_chain_find_seqno(struct kmod *km, const s64 *a, u32 nargs)
{
	int st = RC_APPLY_OK;

	FENCE(f, a[0]);
	dma_fence_get(f);
	km->obs->ret = dma_fence_chain_find_seqno(&f, a[1]);
	if (f) {
		st = obs_fence(km, f, DMA_RESV_USAGE_BOOKKEEP);
		dma_fence_put(f);
	}
	return st;
}

static int op_fence_chain_walk(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence *it;
	int st = RC_APPLY_OK;

	FENCE(head, a[0]);
	dma_fence_chain_for_each(it, head)
		if (!st)
			st = obs_fence(km, it, DMA_RESV_USAGE_BOOKKEEP);
	return st;	/* the loop drops its reference on the last link it visited */
}

static int op_fence_array_create(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence **fences = kmalloc_array(4, sizeof(*fences), GFP_KERNEL);
	struct dma_fence_array *array;
	int n = 0;

	if (!fences)
		return BAD(km, "out of memory");
	for (int i = 1; i <= 4; i++) {
		struct fence_entry *e;
		int st = a[i] >= 0 ? get_fence(km, a[i], &e) : RC_APPLY_OK;

		if (st) {
			while (n)
				dma_fence_put(fences[--n]);
			kfree(fences);
			return st;
		}
		if (a[i] >= 0)
			fences[n++] = dma_fence_get(e->f);
	}
	array = dma_fence_array_create(n, fences, dma_fence_context_alloc(1), 1, a[5] != 0);
	if (IS_ERR_OR_NULL(array)) {	/* the references and the fence table stay the caller's */
		while (n)
			dma_fence_put(fences[--n]);
		kfree(fences);
		km->obs->ret = array ? 1 : -ENOMEM;	/* 1: an error pointer, where callers test for NULL */
		return RC_APPLY_OK;
	}
	return new_kernel_fence(km, a[0], &array->base);
}

static int op_fence_unwrap(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence_unwrap c;
	struct dma_fence *it;
	int st = RC_APPLY_OK;

	FENCE(head, a[0]);
	dma_fence_unwrap_for_each(it, &c, head)
		if (!st)
			st = obs_fence(km, it, DMA_RESV_USAGE_BOOKKEEP);
	return st;
}

/* The leaves of a merge's result, reported as they are (ret says what it is); then it is dropped. */
static int op_fence_unwrap_merge(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence *in[4], *res, *it;
	struct dma_fence_unwrap cursors[4];
	unsigned int n = 0, i;
	int st = RC_APPLY_OK;
	bool leaf = false;

	for (i = 0; i < 4; i++) {
		if (a[i] >= 0) {
			FENCE(f, a[i]);
			in[n++] = f;
		}
	}
	res = __dma_fence_unwrap_merge(n, in, cursors);
	if (!res) {
		km->obs->ret = -ENOMEM;
		return RC_APPLY_OK;
	}
	if (dma_fence_is_array(res)) {
		struct dma_fence_array *arr = to_dma_fence_array(res);

		km->obs->ret = 1;
		for (i = 0; i < arr->num_fences && !st; i++)
			st = obs_fence(km, arr->fences[i], DMA_RESV_USAGE_BOOKKEEP);
	} else {
		struct dma_fence_unwrap c;

		for (i = 0; i < n && !leaf; i++)
			dma_fence_unwrap_for_each(it, &c, in[i])
				leaf |= it == res;
		/* one of the leaves itself (0), or a new stub (2: it has no handle) */
		km->obs->ret = leaf ? 0 : 2;
		if (leaf)
			st = obs_fence(km, res, DMA_RESV_USAGE_BOOKKEEP);
	}
	dma_fence_put(res);
	return st;
}

static int op_fence_allocate_private_stub(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence *f = dma_fence_allocate_private_stub(ktime_get());

	if (IS_ERR_OR_NULL(f)) {
		km->obs->ret = f ? 1 : -ENOMEM;	/* 1: an error pointer, where callers test for NULL */
		return RC_APPLY_OK;
	}
	return new_kernel_fence(km, a[0], f);
}

static int op_fence_get_stub(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence *f = dma_fence_get_stub();

	km->obs->ret = dma_fence_get_status(f);
	dma_fence_put(f);
	return RC_APPLY_OK;
}

static int op_fence_is_container(struct kmod *km, const s64 *a, u32 nargs)
{
	FENCE(f, a[0]);
	km->obs->ret = dma_fence_is_container(f);
	return RC_APPLY_OK;
}

/* ---- time: the real clock (there is no virtual one); handle() reports what passed ---- */
static int op_sleep(struct kmod *km, const s64 *a, u32 nargs)
{
	if (strict && (a[0] < 1 || a[0] > 100))
		return REFUSE(km, "sleep of %lld jiffies out of range", (long long)a[0]);
	schedule_timeout_uninterruptible(a[0]);
	km->slept_timeout = a[0];
	return RC_APPLY_OK;
}

/* ---- ww acquire contexts ---- */
static int op_ww_acquire_init(struct kmod *km, const s64 *a, u32 nargs)
{
	struct acquire_entry *e = kzalloc(sizeof(*e), GFP_KERNEL);

	if (!e || table_put(&km->acquires, a[0], e)) {
		kfree(e);
		return BAD(km, "a%lld: bad or duplicate handle", (long long)a[0]);
	}
	e->handle = a[0];
	ww_acquire_init(&e->ctx, &reservation_ww_class);
	return RC_APPLY_OK;
}

static int op_ww_acquire_done(struct kmod *km, const s64 *a, u32 nargs)
{
	ACQUIRE(ctx, a[0]);
	if (!ctx)
		return BAD(km, "ww_acquire_done needs a context");
	ww_acquire_done(ctx);
	return RC_APPLY_OK;
}

static int op_ww_acquire_fini(struct kmod *km, const s64 *a, u32 nargs)
{
	ACQUIRE(ctx, a[0]);
	if (!ctx)
		return BAD(km, "ww_acquire_fini needs a context");
	ww_acquire_fini(ctx);
	container_of(ctx, struct acquire_entry, ctx)->finished = true;
	return RC_APPLY_OK;
}

/* ---- reservation objects: lifetime and locking ---- */
static int op_resv_init(struct kmod *km, const s64 *a, u32 nargs)
{
	struct resv_entry *e = kzalloc(sizeof(*e), GFP_KERNEL);

	if (!e || table_put(&km->resvs, a[0], e)) {
		kfree(e);
		return BAD(km, "r%lld: bad or duplicate handle", (long long)a[0]);
	}
	dma_resv_init(&e->obj);
	return RC_APPLY_OK;
}

static int op_resv_fini(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	if (strict && dma_resv_is_locked(r))
		return REFUSE(km, "r%lld is still locked", (long long)a[0]);
	dma_resv_fini(r);
	r_e->finished = true;
	return RC_APPLY_OK;
}

/* strict: a lock attempt on an object this task holds would deadlock (without a context) */
#define NEED_UNLOCKED_OR_CTX(r, h, ctx)                                               \
	do {                                                                          \
		if (strict && !(ctx) && dma_resv_is_locked(r))                        \
			return REFUSE(km, "r%lld is locked: the attempt would sleep forever", (long long)(h)); \
	} while (0)

static int op_resv_lock(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	ACQUIRE(ctx, a[1]);
	NEED_UNLOCKED_OR_CTX(r, a[0], ctx);
	km->obs->ret = dma_resv_lock(r, ctx);
	return RC_APPLY_OK;
}

static int op_resv_lock_interruptible(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	ACQUIRE(ctx, a[1]);
	if (!a[2])	/* with a signal pending it returns -EINTR instead of sleeping */
		NEED_UNLOCKED_OR_CTX(r, a[0], ctx);
	set_sigpending(a, nargs, 2);
	end_owner_spin(r);
	km->obs->ret = dma_resv_lock_interruptible(r, ctx);
	return RC_APPLY_OK;
}

static int op_resv_lock_slow(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	ACQUIRE(ctx, a[1]);
	if (strict && (!ctx || dma_resv_is_locked(r)))
		return REFUSE(km, "dma_resv_lock_slow needs a context and an unlocked r%lld", (long long)a[0]);
	dma_resv_lock_slow(r, ctx);
	return RC_APPLY_OK;
}

static int op_resv_lock_slow_interruptible(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	ACQUIRE(ctx, a[1]);
	/* held and no signal pending: it would sleep forever */
	if (strict && (!ctx || (dma_resv_is_locked(r) && !a[2])))
		return REFUSE(km, "dma_resv_lock_slow_interruptible needs a context, and an unlocked r%lld or a signal pending", (long long)a[0]);
	set_sigpending(a, nargs, 2);
	end_owner_spin(r);
	km->obs->ret = dma_resv_lock_slow_interruptible(r, ctx);
	return RC_APPLY_OK;
}

static int op_resv_trylock(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	km->obs->ret = dma_resv_trylock(r);
	return RC_APPLY_OK;
}

static int op_resv_unlock(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	NEED_LOCKED(r, a[0]);
	dma_resv_unlock(r);
	return RC_APPLY_OK;
}

static int op_resv_is_locked(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	km->obs->ret = dma_resv_is_locked(r);
	return RC_APPLY_OK;
}

static int op_resv_locking_ctx(struct kmod *km, const s64 *a, u32 nargs)
{
	struct ww_acquire_ctx *ctx;

	RESV(r, a[0]);
	ctx = dma_resv_locking_ctx(r);
	km->obs->ret = ctx ? (s64)container_of(ctx, struct acquire_entry, ctx)->handle : -1;
	return RC_APPLY_OK;
}

/* ---- fences of a reservation object ---- */
static int op_resv_reserve_fences(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	NEED_LOCKED(r, a[0]);
	if (strict && (a[1] < 0 || a[1] > 4096))
		return REFUSE(km, "num_fences %lld out of range", (long long)a[1]);
	km->obs->ret = dma_resv_reserve_fences(r, a[1]);
	return RC_APPLY_OK;
}

static int op_resv_add_fence(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	FENCE(f, a[1]);
	USAGE(usage, a[2]);
	NEED_LOCKED(r, a[0]);
#ifdef RESVCHECK_KMOD_BREAK_USAGE
	/* test variant (tests/kmod): WRITE fences are added as READ */
	if (usage == DMA_RESV_USAGE_WRITE)
		usage = DMA_RESV_USAGE_READ;
#endif
	dma_resv_add_fence(r, f, usage);
	return RC_APPLY_OK;
}

static int op_resv_replace_fences(struct kmod *km, const s64 *a, u32 nargs)
{
	struct context_entry *c;
	struct dma_fence *f = NULL;

	RESV(r, a[0]);
	LOOKUP(c, contexts, a[1], "c");
	USAGE(usage, a[3]);
	if (a[2] >= 0) {
		FENCE(g, a[2]);
		f = g;
	}
	NEED_LOCKED(r, a[0]);
	dma_resv_replace_fences(r, c->context, f, usage);
	return RC_APPLY_OK;
}

static int op_resv_copy_fences(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(dst, a[0]);
	RESV(src, a[1]);
	NEED_LOCKED(dst, a[0]);
	km->obs->ret = dma_resv_copy_fences(dst, src);
	return RC_APPLY_OK;
}

static int op_resv_get_fences(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence **fences;
	unsigned int n, i;
	int st = RC_APPLY_OK;

	RESV(r, a[0]);
	USAGE(usage, a[1]);
	km->obs->ret = dma_resv_get_fences(r, usage, &n, &fences);
	if (km->obs->ret)
		return RC_APPLY_OK;
	for (i = 0; i < n && !st; i++)
		st = obs_fence(km, fences[i], DMA_RESV_USAGE_BOOKKEEP);
	for (i = 0; i < n; i++)
		dma_fence_put(fences[i]);
	kfree(fences);
	return st;
}

static int op_resv_get_singleton(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_fence *f = NULL;
	int st = RC_APPLY_OK;

	RESV(r, a[0]);
	USAGE(usage, a[1]);
	km->obs->ret = dma_resv_get_singleton(r, usage, &f);
	if (km->obs->ret || !f)
		return RC_APPLY_OK;
	if (dma_fence_is_array(f)) {
		struct dma_fence_array *arr = to_dma_fence_array(f);

		km->obs->flags |= RC_OBS_CONTAINER;
		for (unsigned int i = 0; i < arr->num_fences && !st; i++)
			st = obs_fence(km, arr->fences[i], DMA_RESV_USAGE_BOOKKEEP);
	} else {
		st = obs_fence(km, f, DMA_RESV_USAGE_BOOKKEEP);
	}
	dma_fence_put(f);
	return st;
}

static int op_resv_test_signaled(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	USAGE(usage, a[1]);
	km->obs->ret = dma_resv_test_signaled(r, usage);
	return RC_APPLY_OK;
}

static int op_resv_wait_timeout(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	USAGE(usage, a[1]);
	if (strict && a[3] < 0)
		return REFUSE(km, "negative timeout");
	set_sigpending(a, nargs, 4);
	km->obs->ret = dma_resv_wait_timeout(r, usage, a[2], a[3]);
	if (km->obs->ret == 0 && a[3] > 0)
		km->slept_timeout = a[3];
	return RC_APPLY_OK;
}

#if HAVE_DEADLINE
static int op_resv_set_deadline(struct kmod *km, const s64 *a, u32 nargs)
{
	RESV(r, a[0]);
	USAGE(usage, a[1]);
	dma_resv_set_deadline(r, usage, ktime_get());
	return RC_APPLY_OK;
}
#endif

static int op_resv_usage_rw(struct kmod *km, const s64 *a, u32 nargs)
{
#ifdef RESVCHECK_KMOD_HANG_USAGE_RW
	/* test variant: dma_resv_usage_rw(true) never returns, with interrupts off (no oops, no tick) */
	if (a[0]) {
		local_irq_disable();
		for (;;)
			cpu_relax();
	}
#endif
	km->obs->ret = dma_resv_usage_rw(a[0]);
	return RC_APPLY_OK;
}

/* ---- walks ---- */
/* a whole walk: keep only what follows the last restart, as the kernel's consumers do */
static int obs_walk_step(struct kmod *km, struct dma_resv_iter *it, struct dma_fence *f, bool first)
{
	if (dma_resv_iter_is_restarted(it) && !first) {
		km->obs->flags |= RC_OBS_RESTARTED;
		km->obs->n_fences = 0;
	}
	return obs_fence(km, f, dma_resv_iter_usage(it));
}

static int op_resv_for_each_fence(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_resv_iter cursor;
	struct dma_fence *f;
	bool first = true;
	int st = RC_APPLY_OK;

	RESV(r, a[0]);
	USAGE(usage, a[1]);
	NEED_LOCKED(r, a[0]);
	dma_resv_for_each_fence(&cursor, r, usage, f) {
		if (!st)
			st = obs_walk_step(km, &cursor, f, first);
		first = false;
	}
#ifdef RESVCHECK_KMOD_OOPS_WALK
	/* test variant (tests/kmod): a locked walk that yields two or more fences oopses */
	if (km->obs->n_fences >= 2)
		*(volatile int *)NULL = 0;
#endif
	return st;
}

static int op_resv_for_each_fence_unlocked(struct kmod *km, const s64 *a, u32 nargs)
{
	struct dma_resv_iter cursor;
	struct dma_fence *f;
	bool first = true;
	int st = RC_APPLY_OK;

	RESV(r, a[0]);
	USAGE(usage, a[1]);
	dma_resv_iter_begin(&cursor, r, usage);
	dma_resv_for_each_fence_unlocked(&cursor, f) {
		if (!st)
			st = obs_walk_step(km, &cursor, f, first);
		first = false;
	}
	dma_resv_iter_end(&cursor);
	return st;
}

/* ---- the stepwise iterator API ---- */
static int op_resv_iter_begin(struct kmod *km, const s64 *a, u32 nargs)
{
	struct iter_entry *e;

	RESV(r, a[1]);
	USAGE(usage, a[2]);
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e || table_put(&km->iters, a[0], e)) {
		kfree(e);
		return BAD(km, "i%lld: bad or duplicate handle", (long long)a[0]);
	}
	dma_resv_iter_begin(&e->it, r, usage);
	return RC_APPLY_OK;
}

static int iter_step(struct kmod *km, s64 h, bool locked, bool first)
{
	struct iter_entry *e;
	struct dma_fence *f;
	int st = RC_APPLY_OK;

	LOOKUP(e, iters, h, "i");
	if (strict && e->ended)
		return REFUSE(km, "i%lld used after dma_resv_iter_end", (long long)h);
	if (strict && locked && !dma_resv_is_locked(e->it.obj))
		return REFUSE(km, "the object of i%lld is not locked", (long long)h);
	if (locked)
		f = first ? dma_resv_iter_first(&e->it) : dma_resv_iter_next(&e->it);
	else
		f = first ? dma_resv_iter_first_unlocked(&e->it) : dma_resv_iter_next_unlocked(&e->it);
	/* is_restarted is meaningful after every step, also one that yields NULL */
	if (f)
		st = obs_fence(km, f, dma_resv_iter_usage(&e->it));
	if (dma_resv_iter_is_restarted(&e->it))
		km->obs->flags |= RC_OBS_RESTARTED;
	return st;
}

static int op_resv_iter_first(struct kmod *km, const s64 *a, u32 nargs) { return iter_step(km, a[0], true, true); }
static int op_resv_iter_next(struct kmod *km, const s64 *a, u32 nargs) { return iter_step(km, a[0], true, false); }
static int op_resv_iter_first_unlocked(struct kmod *km, const s64 *a, u32 nargs) { return iter_step(km, a[0], false, true); }
static int op_resv_iter_next_unlocked(struct kmod *km, const s64 *a, u32 nargs) { return iter_step(km, a[0], false, false); }

static int op_resv_iter_end(struct kmod *km, const s64 *a, u32 nargs)
{
	struct iter_entry *e;

	LOOKUP(e, iters, a[0], "i");
	if (strict && e->ended)
		return REFUSE(km, "i%lld ended twice", (long long)a[0]);
	dma_resv_iter_end(&e->it);
	e->ended = true;
	return RC_APPLY_OK;
}

/*
 * End, finish and put everything the trace left: iterators, queued callbacks, objects, acquire
 * contexts, the trace's references. The op teardown reports the releases this makes (km->obs);
 * reset runs it unreported. Memory cannot be counted here: no RC_OBS_LEAKED (ALLOC-NO-LEAK-TEARDOWN
 * is not applicable to this adapter).
 */
static void finish_objects(struct kmod *km)
{
	u32 i;

	for (i = 0; i < km->iters.used; i++) {
		struct iter_entry *e = km->iters.slot[i];

		if (e && !e->ended) {
			dma_resv_iter_end(&e->it);
			e->ended = true;
		}
	}
	/* still queued means its fence is alive: signalling or releasing it unlinks the node */
	for (i = 0; i < km->cbs.used; i++) {
		struct cb_entry *e = km->cbs.slot[i];

		if (e && !list_empty(&e->cb.node))
			dma_fence_remove_callback(e->fence, &e->cb);
	}
	for (i = 0; i < km->resvs.used; i++) {
		struct resv_entry *e = km->resvs.slot[i];

		if (!e || e->finished)
			continue;
		if (dma_resv_is_locked(&e->obj))	/* only this task ever locks them */
			dma_resv_unlock(&e->obj);
		dma_resv_fini(&e->obj);
		e->finished = true;
	}
	for (i = 0; i < km->acquires.used; i++) {
		struct acquire_entry *e = km->acquires.slot[i];

		if (e && !e->finished) {
			ww_acquire_fini(&e->ctx);
			e->finished = true;
		}
	}
	/* newest first: a container goes before the fences it holds, so they are released here */
	for (i = km->fences.used; i-- > 0;) {
		struct fence_entry *e = km->fences.slot[i];

		while (e && !e->released && e->harness_refs > 0)
			put_entry_ref(e);
	}
}

static int op_teardown(struct kmod *km, const s64 *a, u32 nargs)
{
	finish_objects(km);
	return RC_APPLY_OK;
}

/* What this module implements, by ABI number; every other kind is unsupported. */
static const op_fn op_table[KW_KINDS] = {
	[RC_OP_FENCE_CONTEXT_ALLOC] = op_fence_context_alloc,
	[RC_OP_FENCE_INIT] = op_fence_init,
	[RC_OP_FENCE_SIGNAL] = op_fence_signal,
	[RC_OP_FENCE_SET_ERROR] = op_fence_set_error,
	[RC_OP_FENCE_GET_STATUS] = op_fence_get_status,
	[RC_OP_FENCE_IS_SIGNALED] = op_fence_is_signaled,
	[RC_OP_FENCE_IS_LATER] = op_fence_is_later,
	[RC_OP_FENCE_IS_LATER_OR_SAME] = op_fence_is_later_or_same,
	[RC_OP_FENCE_ADD_CALLBACK] = op_fence_add_callback,
	[RC_OP_FENCE_REMOVE_CALLBACK] = op_fence_remove_callback,
	[RC_OP_FENCE_GET] = op_fence_get,
	[RC_OP_FENCE_PUT] = op_fence_put,
	[RC_OP_FENCE_WAIT_TIMEOUT] = op_fence_wait_timeout,
	[RC_OP_FENCE_WAIT_ANY_TIMEOUT] = op_fence_wait_any_timeout,
	[RC_OP_WW_ACQUIRE_INIT] = op_ww_acquire_init,
	[RC_OP_WW_ACQUIRE_DONE] = op_ww_acquire_done,
	[RC_OP_WW_ACQUIRE_FINI] = op_ww_acquire_fini,
	[RC_OP_RESV_INIT] = op_resv_init,
	[RC_OP_RESV_FINI] = op_resv_fini,
	[RC_OP_RESV_LOCK] = op_resv_lock,
	[RC_OP_RESV_LOCK_INTERRUPTIBLE] = op_resv_lock_interruptible,
	[RC_OP_RESV_LOCK_SLOW] = op_resv_lock_slow,
	[RC_OP_RESV_LOCK_SLOW_INTERRUPTIBLE] = op_resv_lock_slow_interruptible,
	[RC_OP_RESV_TRYLOCK] = op_resv_trylock,
	[RC_OP_RESV_UNLOCK] = op_resv_unlock,
	[RC_OP_RESV_IS_LOCKED] = op_resv_is_locked,
	[RC_OP_RESV_LOCKING_CTX] = op_resv_locking_ctx,
	[RC_OP_RESV_RESERVE_FENCES] = op_resv_reserve_fences,
	[RC_OP_RESV_ADD_FENCE] = op_resv_add_fence,
	[RC_OP_RESV_REPLACE_FENCES] = op_resv_replace_fences,
	[RC_OP_RESV_COPY_FENCES] = op_resv_copy_fences,
	[RC_OP_RESV_GET_FENCES] = op_resv_get_fences,
	[RC_OP_RESV_GET_SINGLETON] = op_resv_get_singleton,
	[RC_OP_RESV_TEST_SIGNALED] = op_resv_test_signaled,
	[RC_OP_RESV_WAIT_TIMEOUT] = op_resv_wait_timeout,
#if HAVE_DEADLINE
	[RC_OP_RESV_SET_DEADLINE] = op_resv_set_deadline,
#endif
	[RC_OP_RESV_USAGE_RW] = op_resv_usage_rw,
	[RC_OP_RESV_FOR_EACH_FENCE] = op_resv_for_each_fence,
	[RC_OP_RESV_FOR_EACH_FENCE_UNLOCKED] = op_resv_for_each_fence_unlocked,
	[RC_OP_RESV_ITER_BEGIN] = op_resv_iter_begin,
	[RC_OP_RESV_ITER_FIRST] = op_resv_iter_first,
	[RC_OP_RESV_ITER_NEXT] = op_resv_iter_next,
	[RC_OP_RESV_ITER_FIRST_UNLOCKED] = op_resv_iter_first_unlocked,
	[RC_OP_RESV_ITER_NEXT_UNLOCKED] = op_resv_iter_next_unlocked,
	[RC_OP_RESV_ITER_END] = op_resv_iter_end,
	[RC_OP_FENCE_CHAIN_INIT] = op_fence_chain_init,
	[RC_OP_FENCE_CHAIN_FIND_SEQNO] = op_fence_chain_find_seqno,
	[RC_OP_FENCE_CHAIN_WALK] = op_fence_chain_walk,
	[RC_OP_FENCE_ARRAY_CREATE] = op_fence_array_create,
	[RC_OP_FENCE_UNWRAP] = op_fence_unwrap,
	[RC_OP_FENCE_UNWRAP_MERGE] = op_fence_unwrap_merge,
	[RC_OP_FENCE_ALLOCATE_PRIVATE_STUB] = op_fence_allocate_private_stub,
	[RC_OP_FENCE_GET_STUB] = op_fence_get_stub,
	[RC_OP_FENCE_IS_CONTAINER] = op_fence_is_container,
	[RC_OP_SLEEP] = op_sleep,
	[RC_OP_TEARDOWN] = op_teardown,
};

/*
 * The API features this module has for the booted kernel (what HELLO reports). Time is the real
 * clock, not a virtual one: an op reports as slept the jiffies that passed while it slept.
 */
#define FEATURES ((HAVE_DEADLINE ? RC_FEATURE_DEADLINE : 0) | RC_FEATURE_CONTAINERS | RC_FEATURE_VIRTUAL_TIME | RC_FEATURE_TEARDOWN | RC_FEATURE_GLOBAL_STUB)

static bool implemented(u32 kind)
{
	return kind < KW_KINDS && op_table[kind] && resvcheck_op_nargs(kind) >= 0 &&
	       resvcheck_op_provided(kind, FEATURES);
}

/* ---- WARN counting: printk records stored since the last look ---- */
static u32 new_warnings(struct kmod *km)
{
	size_t len;
	u32 n = 0;

	while (kmsg_dump_get_line(&km->log, false, km->line, sizeof(km->line) - 1, &len)) {
		km->line[len] = 0;
		if (strstr(km->line, "WARNING: CPU:"))
			n++;
	}
	return n;
}

/* ---- reset: drop what the previous trace left, unreported ---- */
static void reset_objects(struct kmod *km)
{
	u32 i;

	km->obs = NULL;
	finish_objects(km);
	/* a harness fence still referenced by the kernel (a leak): its memory is not ours to free */
	for (i = 0; i < km->fences.used; i++) {
		struct fence_entry *e = km->fences.slot[i];

		if (e && e->hf && !e->released)
			e->hf->km = NULL;
	}
	table_clear(&km->fences);
	table_clear(&km->contexts);
	table_clear(&km->resvs);
	table_clear(&km->acquires);
	table_clear(&km->iters);
	table_clear(&km->cbs);
	new_warnings(km);
}

/* ---- framing ---- */
static void put_bytes(struct kw_buf *b, const char *s)
{
	size_t n = strlen(s);

	kw_put_u(b, n);
	while (n-- && !b->bad)
		kw_put_byte(b, *s++);
}

static void put_list(struct kw_buf *b, const u32 *v, u32 n)
{
	kw_put_u(b, n);
	for (u32 i = 0; i < n; i++)
		kw_put_u(b, v[i]);
}

/* Runs one request body and appends its reply frame to km->out (which has room for one). */
static int handle(struct kmod *km, struct kw_buf *req)
{
	struct kw_buf rep = { .p = km->out + km->out_len + 2, .len = KW_MAX_FRAME };
	struct resvcheck_obs *obs = km->scratch;
	u32 kind = kw_get_byte(req), nargs = kw_get_byte(req), i;
	s64 args[RC_OP_MAX_ARGS] = { 0 };	/* absent optional arguments (sigpending) are 0 */
	unsigned long j0, nvcsw;
	int st;

	for (i = 0; i < nargs && i < RC_OP_MAX_ARGS; i++)
		args[i] = kw_get_s(req);
	if (req->bad || nargs > RC_OP_MAX_ARGS || req->pos != req->len)
		return -EINVAL;
	if (kind == KW_HELLO) {
		u8 bits[KW_KINDS / 8] = { 0 };

		for (i = 0; i < KW_KINDS; i++)
			if (implemented(i))
				bits[i / 8] |= 1u << (i % 8);
		kw_put_byte(&rep, RC_APPLY_OK);
		put_bytes(&rep, utsname()->release);
		kw_put_u(&rep, FEATURES);
		for (i = 0; i < sizeof(bits); i++)
			kw_put_byte(&rep, bits[i]);
	} else if (kind == KW_RESET) {
		reset_objects(km);
		kw_put_byte(&rep, RC_APPLY_OK);
	} else if (!implemented(kind)) {
		kw_put_byte(&rep, RC_APPLY_UNSUPPORTED);
	} else {
		obs->ret = 0;
		obs->flags = obs->warnings = obs->n_fences = obs->n_callbacks = obs->n_released = obs->n_deadlines = 0;
		new_warnings(km);
		km->obs = obs;
		j0 = jiffies;
		nvcsw = current->nvcsw;
		km->slept_timeout = -1;
		st = op_table[kind](km, args, nargs);
		/* slept: it gave up the CPU to wait (a voluntary switch), for the jiffies that passed */
		obs->slept = current->nvcsw != nvcsw ? jiffies - j0 : 0;
		if (km->slept_timeout >= 0 && obs->slept > km->slept_timeout)
			obs->slept = km->slept_timeout;
		clear_tsk_thread_flag(current, TIF_SIGPENDING);
		km->obs = NULL;
		obs->warnings = new_warnings(km);
		kw_put_byte(&rep, st);
		if (st != RC_APPLY_OK) {
			put_bytes(&rep, km->err);
		} else {
			kw_put_s(&rep, obs->ret);
			kw_put_u(&rep, obs->flags);
			kw_put_u(&rep, obs->warnings);
			kw_put_u(&rep, obs->n_fences);
			for (i = 0; i < obs->n_fences; i++) {
				kw_put_u(&rep, obs->fences[i].fence);
				kw_put_byte(&rep, obs->fences[i].usage);
			}
			put_list(&rep, obs->callbacks, obs->n_callbacks);
			put_list(&rep, obs->released, obs->n_released);
			put_list(&rep, obs->deadlines, obs->n_deadlines);
			kw_put_u(&rep, obs->slept);
		}
	}
	if (rep.bad)
		return -EOVERFLOW;
	kw_set_frame_len(km->out + km->out_len, rep.pos);
	km->out_len += 2 + rep.pos;
	return 0;
}

#define OUT_CAP (64u << 10)

/*
 * When the kernel dies answering a write (an oops, a BUG or a WARN made a panic), the panic
 * notifier puts on the console the frame it was answering, counted from the open, and the
 * replies of that write the agent has not read: the host then has every op's answer up to the
 * one the kernel died in, however many frames the write carried.
 */
static struct kmod *kmod_writing;	/* the device whose write is being answered */

static int kmod_panic(struct notifier_block *nb, unsigned long event, void *data)
{
	struct kmod *km = READ_ONCE(kmod_writing);
	size_t i;

	if (!km)
		return NOTIFY_DONE;
	for (i = km->out_pos; i < km->out_len; i += 64)
		pr_emerg("resvcheck: unsent %*phN\n", (int)min_t(size_t, 64, km->out_len - i), km->out + i);
	pr_emerg("resvcheck: died in frame %llu (%zu unsent reply bytes)\n", km->handled, km->out_len - km->out_pos);
	return NOTIFY_DONE;
}

static struct notifier_block kmod_panic_nb = { .notifier_call = kmod_panic };

/* Whole frames in; answers each while the reply buffer has room; returns the bytes consumed. */
static ssize_t kmod_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	struct kmod *km = file->private_data;
	size_t pos = 0;
	int err = 0;

	count = min_t(size_t, count, MAX_WRITE);
	if (km->out_pos == km->out_len)
		km->out_pos = km->out_len = 0;
	if (copy_from_user(km->in, ubuf, count))
		return -EFAULT;
	WRITE_ONCE(kmod_writing, km);
	while (pos + 2 <= count && km->out_len + 2 + KW_MAX_FRAME <= OUT_CAP) {
		size_t n = kw_frame_len(km->in + pos);
		struct kw_buf req = { .p = km->in + pos + 2, .len = n };

		if (pos + 2 + n > count)
			break;
		err = handle(km, &req);
		if (err)
			break;
		km->handled++;
		pos += 2 + n;
	}
	WRITE_ONCE(kmod_writing, NULL);
	if (!pos)
		return err ? err : -EINVAL;	/* not even one whole frame */
	return pos;
}

static ssize_t kmod_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct kmod *km = file->private_data;
	size_t n = min_t(size_t, count, km->out_len - km->out_pos);

	if (copy_to_user(ubuf, km->out + km->out_pos, n))
		return -EFAULT;
	km->out_pos += n;
	return n;
}

static int kmod_open(struct inode *inode, struct file *file)
{
	struct kmod *km;

	if (!mutex_trylock(&kmod_lock))
		return -EBUSY;
	km = kzalloc(sizeof(*km), GFP_KERNEL);
	if (km) {
		km->scratch = kvzalloc(sizeof(*km->scratch), GFP_KERNEL);
		km->in = kvmalloc(MAX_WRITE, GFP_KERNEL);
		km->out = kvmalloc(OUT_CAP, GFP_KERNEL);
	}
	if (!km || !km->scratch || !km->in || !km->out) {
		if (km) {
			kvfree(km->scratch);
			kvfree(km->in);
			kvfree(km->out);
		}
		kfree(km);
		mutex_unlock(&kmod_lock);
		return -ENOMEM;
	}
	kmsg_dump_rewind(&km->log);
	new_warnings(km);
	file->private_data = km;
	return 0;
}

static int kmod_release(struct inode *inode, struct file *file)
{
	struct kmod *km = file->private_data;

	reset_objects(km);
	kfree(km->fences.slot);
	kfree(km->contexts.slot);
	kfree(km->resvs.slot);
	kfree(km->acquires.slot);
	kfree(km->iters.slot);
	kfree(km->cbs.slot);
	kvfree(km->scratch);
	kvfree(km->in);
	kvfree(km->out);
	kfree(km);
	mutex_unlock(&kmod_lock);
	return 0;
}

static const struct file_operations kmod_fops = {
	.owner = THIS_MODULE,
	.open = kmod_open,
	.release = kmod_release,
	.read = kmod_read,
	.write = kmod_write,
	.llseek = noop_llseek,
};

static struct miscdevice kmod_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "resvcheck",
	.fops = &kmod_fops,
};

static int __init kmod_init(void)
{
	int err = misc_register(&kmod_dev);

	if (!err)
		atomic_notifier_chain_register(&panic_notifier_list, &kmod_panic_nb);
	return err;
}

static void __exit kmod_exit(void)
{
	misc_deregister(&kmod_dev);
	atomic_notifier_chain_unregister(&panic_notifier_list, &kmod_panic_nb);
	rcu_barrier();	/* dma_fence_free's callbacks run module-independent code, but be tidy */
}

module_init(kmod_init);
module_exit(kmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("resvcheck: the dma_resv / dma_fence contract checked on a booted kernel");
