// SPDX-License-Identifier: MIT
/*
 * mutex.c - sleeping mutexes and wait-die ww_mutexes (semantics: see linux/ww_mutex.h).
 * Written from Documentation/locking/ww-mutex-design.rst and the documented behaviour of
 * kernel/locking/{mutex.c,ww_mutex.h}; no kernel code. All waiting goes through the host wait
 * lock; the wait-die queue of a ww_mutex is kept ordered by stamp under that lock.
 */
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/ww_mutex.h>
#include <shim/host.h>
#include <shim/kernel.h>

#ifdef CONFIG_DEBUG_MUTEXES
#define MUTEX_WARN_ON(cond) DEBUG_LOCKS_WARN_ON(cond)
#else
#define MUTEX_WARN_ON(cond) ((void)sizeof(cond))
#endif

struct shim_ww_waiter {
	struct shim_ww_waiter *next;
	struct ww_acquire_ctx *ctx;	/* NULL: plain ww_mutex_lock(lock, NULL) */
};

bool shim_mutex_is_held(const struct mutex *lock)
{
	return READ_ONCE(lock->owner) == shim_current();
}

void mutex_init(struct mutex *lock)
{
	lock->owner = NULL;
	lock->waiters = 0;
	lock->magic = lock;
}

void mutex_destroy(struct mutex *lock)
{
	MUTEX_WARN_ON(mutex_is_locked(lock));
	lock->magic = NULL;
}

static bool try_take(struct mutex *lock)
{
	shim_sched_point();
	struct task_struct *none = NULL;

	return __atomic_compare_exchange_n(&lock->owner, &none, shim_current(), 0,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/*
 * Called with the wait lock held, right before sleeping on @lock: can anything ever release it?
 * Returns NULL if so, else why not. The caller dequeues itself before reporting (BUG() longjmps).
 */
#define WOULD_SLEEP_FOREVER 1
static const char *sleep_impossible(struct mutex *lock)
{
	if (READ_ONCE(lock->owner) == shim_current())
		return "the current task already holds";
	if (!shim_others_can_run())
		return "whose holder nothing will run";
	return NULL;
}

static void __noreturn would_sleep_forever(const char *what, const char *why)
{
	shim_bug(__FILE__, __LINE__, "would sleep forever: %s on a lock %s", what, why);
}

static int __mutex_lock(struct mutex *lock, unsigned int state)
{
	const char *why = NULL;
	int ret = 0;

	might_sleep();
	if (try_take(lock))
		return 0;
	shim_host_wait_lock();
	__atomic_fetch_add(&lock->waiters, 1, __ATOMIC_SEQ_CST);	/* read by unlock without the wait lock */
	while (!try_take(lock)) {
		if (signal_pending_state(state, current)) {
			ret = -EINTR;
			break;
		}
		why = sleep_impossible(lock);
		if (why) {
			ret = WOULD_SLEEP_FOREVER;
			break;
		}
		shim_host_wait(-1);
	}
	__atomic_fetch_sub(&lock->waiters, 1, __ATOMIC_SEQ_CST);
	shim_host_wait_unlock();
	if (ret == WOULD_SLEEP_FOREVER)
		would_sleep_forever("mutex_lock", why);
	return ret;
}

void mutex_lock(struct mutex *lock) { __mutex_lock(lock, TASK_UNINTERRUPTIBLE); }
int mutex_lock_interruptible(struct mutex *lock) { return __mutex_lock(lock, TASK_INTERRUPTIBLE); }
int mutex_trylock(struct mutex *lock) { return try_take(lock); }

void mutex_unlock(struct mutex *lock)
{
	MUTEX_WARN_ON(READ_ONCE(lock->owner) != shim_current());
	__atomic_store_n(&lock->owner, NULL, __ATOMIC_SEQ_CST);
	/* seq_cst store then load pairs with the waiter's increment-then-trylock */
	if (__atomic_load_n(&lock->waiters, __ATOMIC_SEQ_CST)) {
		shim_host_wait_lock();
		shim_host_wake_all();
		shim_host_wait_unlock();
	}
}

/* ---- ww_mutex ---- */

/* a is younger than b (the kernel's __ww_ctx_less for tasks of equal priority) */
static bool ctx_younger(const struct ww_acquire_ctx *a, const struct ww_acquire_ctx *b)
{
	return (long)(a->stamp - b->stamp) > 0;
}

void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class)
{
	mutex_init(&lock->base);
	lock->ctx = NULL;
	lock->ww_class = ww_class;
	lock->waiters = NULL;
	lock->dep_map = (struct lockdep_map){ .name = ww_class->mutex_name, .ww = true };
}

void ww_mutex_destroy(struct ww_mutex *lock) { mutex_destroy(&lock->base); }

void shim_ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *ww_class, const char *fn)
{
	ctx->task = current;
	ctx->stamp = atomic_long_inc_return_relaxed(&ww_class->stamp);
	ctx->acquired = 0;
	ctx->wounded = false;
	ctx->is_wait_die = ww_class->is_wait_die;
	ctx->ww_class = ww_class;
	ctx->done_acquire = 0;
	ctx->contending_lock = NULL;
	ctx->dep_map = (struct lockdep_map){ .name = ww_class->acquire_name, .ww = true };
	shim_lock_acquire(&ctx->dep_map, 0, 0, 0, NULL, fn);
}

void ww_acquire_done(struct ww_acquire_ctx *ctx)
{
#ifdef DEBUG_WW_MUTEXES
	DEBUG_LOCKS_WARN_ON(ctx->done_acquire);
	ctx->done_acquire = 1;
#else
	(void)ctx;
#endif
}

void shim_ww_acquire_fini(struct ww_acquire_ctx *ctx, const char *fn)
{
	shim_lock_release(&ctx->dep_map, fn);
#ifdef DEBUG_WW_MUTEXES
	DEBUG_LOCKS_WARN_ON(ctx->acquired);
	ctx->done_acquire = 1;		/* !CONFIG_PROVE_LOCKING */
	ctx->acquired = ~0U;		/* !CONFIG_DEBUG_LOCK_ALLOC: a second fini fails too */
#else
	(void)ctx;
#endif
}

/* Bookkeeping once @ctx owns @ww (ww_mutex_lock_acquired in the kernel). */
static void lock_acquired(struct ww_mutex *ww, struct ww_acquire_ctx *ctx)
{
#ifdef DEBUG_WW_MUTEXES
	/* locked with ww_mutex_lock but released with a plain mutex_unlock? */
	DEBUG_LOCKS_WARN_ON(ww->ctx);
	/* not quite done after ww_acquire_done()? */
	DEBUG_LOCKS_WARN_ON(ctx->done_acquire);
	if (ctx->contending_lock) {
		/* after -EDEADLK, a different ww_mutex was locked first */
		DEBUG_LOCKS_WARN_ON(ctx->contending_lock != ww);
		/* after -EDEADLK, not everything was unlocked first */
		DEBUG_LOCKS_WARN_ON(ctx->acquired > 0);
		ctx->contending_lock = NULL;
	}
	DEBUG_LOCKS_WARN_ON(ctx->ww_class != ww->ww_class);
#endif
	ctx->acquired++;
	WRITE_ONCE(ww->ctx, ctx);
}

static int kill(struct ww_mutex *ww, struct ww_acquire_ctx *ctx)
{
	if (!ctx->acquired)
		return 0;	/* holding nothing, it cannot be part of a cycle: wait */
#ifdef DEBUG_WW_MUTEXES
	ctx->contending_lock = ww;
#else
	(void)ww;
#endif
	return -EDEADLK;
}

/* Queue @w: context waiters by stamp (older first), others FIFO. Wait-die: a context that
 * holds locks and finds an older context already waiting dies at once. */
static int add_waiter(struct ww_mutex *ww, struct shim_ww_waiter *w, struct ww_acquire_ctx *ctx)
{
	struct shim_ww_waiter **pos = &ww->waiters;

	if (ctx) {
		for (struct shim_ww_waiter *cur = ww->waiters; cur; cur = cur->next)
			if (cur->ctx && ctx_younger(ctx, cur->ctx)) {
				int ret = kill(ww, ctx);
				if (ret)
					return ret;
			}
		while (*pos && (!(*pos)->ctx || !ctx_younger((*pos)->ctx, ctx)))
			pos = &(*pos)->next;
	} else {
		while (*pos)
			pos = &(*pos)->next;
	}
	w->ctx = ctx;
	w->next = *pos;
	*pos = w;
	return 0;
}

static void del_waiter(struct ww_mutex *ww, struct shim_ww_waiter *w)
{
	struct shim_ww_waiter **pos = &ww->waiters;

	while (*pos != w)
		pos = &(*pos)->next;
	*pos = w->next;
}

/* Wait-die check of a sleeping waiter (__ww_mutex_check_kill). */
static int check_kill(struct ww_mutex *ww, struct shim_ww_waiter *w, struct ww_acquire_ctx *ctx)
{
	struct ww_acquire_ctx *hold_ctx = READ_ONCE(ww->ctx);

	if (!ctx->acquired)
		return 0;
	if (hold_ctx && ctx_younger(ctx, hold_ctx))
		return kill(ww, ctx);
	for (struct shim_ww_waiter *cur = ww->waiters; cur && cur != w; cur = cur->next)
		if (cur->ctx)
			return kill(ww, ctx);	/* an older context waits in front of us */
	return 0;
}

static void wake_waiters(struct ww_mutex *ww)
{
	/* the holder's context changed: sleeping contexts re-run their die check */
	if (READ_ONCE(ww->waiters) || __atomic_load_n(&ww->base.waiters, __ATOMIC_SEQ_CST)) {
		shim_host_wait_lock();
		shim_host_wake_all();
		shim_host_wait_unlock();
	}
}

static int __ww_mutex_lock(struct ww_mutex *ww, struct ww_acquire_ctx *ctx, unsigned int state)
{
	struct shim_ww_waiter waiter;
	const char *why = NULL;
	int ret = 0;

	might_sleep();
	if (ctx) {
		if (unlikely(ctx == READ_ONCE(ww->ctx)))
			return -EALREADY;
		if (ctx->acquired == 0)
			ctx->wounded = 0;
	}

	if (try_take(&ww->base)) {
		if (ctx) {
			lock_acquired(ww, ctx);
			wake_waiters(ww);
		}
		return 0;
	}

	shim_host_wait_lock();
	__atomic_fetch_add(&ww->base.waiters, 1, __ATOMIC_SEQ_CST);
	ret = add_waiter(ww, &waiter, ctx);
	if (ret)
		goto out;	/* died before queueing: no signal check, as in the kernel */
	for (;;) {
		if (try_take(&ww->base))
			break;
		if (signal_pending_state(state, current)) {
			ret = -EINTR;
			break;
		}
		if (ctx) {
			ret = check_kill(ww, &waiter, ctx);
			if (ret)
				break;
		}
		why = sleep_impossible(&ww->base);
		if (why) {
			ret = WOULD_SLEEP_FOREVER;
			break;
		}
		shim_host_wait(-1);
	}
	del_waiter(ww, &waiter);
out:
	__atomic_fetch_sub(&ww->base.waiters, 1, __ATOMIC_SEQ_CST);
	if (!ret && ctx) {
		lock_acquired(ww, ctx);
		shim_host_wake_all();
	}
	shim_host_wait_unlock();
	if (ret == WOULD_SLEEP_FOREVER)
		would_sleep_forever(ctx ? "ww_mutex_lock with a context" : "ww_mutex_lock", why);
	return ret;
}

/* lockdep: the acquisition is recorded once it succeeded (the kernel records it before waiting;
 * for a single task's order the two are the same) */
static int ww_lock_recorded(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, unsigned int state,
			    const char *fn)
{
	int ret = __ww_mutex_lock(lock, ctx, state);

	if (!ret)
		shim_lock_acquire(&lock->dep_map, 0, 0, 0, ctx ? &ctx->dep_map : NULL, fn);
	return ret;
}

int shim_ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, const char *fn)
{
	return ww_lock_recorded(lock, ctx, TASK_UNINTERRUPTIBLE, fn);
}

int shim_ww_mutex_lock_interruptible(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, const char *fn)
{
	return ww_lock_recorded(lock, ctx, TASK_INTERRUPTIBLE, fn);
}

void shim_ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, const char *fn)
{
#ifdef DEBUG_WW_MUTEXES
	DEBUG_LOCKS_WARN_ON(!ctx->contending_lock);
#endif
	(void)ww_lock_recorded(lock, ctx, TASK_UNINTERRUPTIBLE, fn);
}

int shim_ww_mutex_lock_slow_interruptible(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, const char *fn)
{
#ifdef DEBUG_WW_MUTEXES
	DEBUG_LOCKS_WARN_ON(!ctx->contending_lock);
#endif
	return ww_lock_recorded(lock, ctx, TASK_INTERRUPTIBLE, fn);
}

int shim_ww_mutex_trylock(struct ww_mutex *ww, struct ww_acquire_ctx *ctx, const char *fn)
{
	int ok;

	if (!ctx) {
		ok = mutex_trylock(&ww->base);
	} else {
		MUTEX_WARN_ON(ww->base.magic != &ww->base);
		if (ctx->acquired == 0)
			ctx->wounded = 0;
		ok = try_take(&ww->base);
		if (ok) {
			lock_acquired(ww, ctx);
			wake_waiters(ww);
		}
	}
	if (ok)
		shim_lock_acquire(&ww->dep_map, 0, 1, 0, ctx ? &ctx->dep_map : NULL, fn);
	return ok;
}

void shim_ww_mutex_unlock(struct ww_mutex *lock, const char *fn)
{
	struct ww_acquire_ctx *ctx = lock->ctx;

	shim_lock_release(&lock->dep_map, fn);
	if (ctx) {
#ifdef DEBUG_WW_MUTEXES
		DEBUG_LOCKS_WARN_ON(!ctx->acquired);
#endif
		if (ctx->acquired > 0)
			ctx->acquired--;
		WRITE_ONCE(lock->ctx, NULL);
	}
	mutex_unlock(&lock->base);
}
