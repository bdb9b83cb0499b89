#ifndef _SHIM_LINUX_WW_MUTEX_H
#define _SHIM_LINUX_WW_MUTEX_H
/*
 * Wound/wait mutexes, wait-die flavour only (reservation_ww_class is DEFINE_WD_CLASS), written from
 * Documentation/locking/ww-mutex-design.rst and the kernel's documented behaviour:
 *  - ww_acquire_init() stamps contexts in order from the class counter (smaller = older);
 *  - locking a ww_mutex already held by the same context returns -EALREADY;
 *  - an uncontended lock succeeds (even with a signal pending);
 *  - contended: a pending signal (interruptible variants) gives -EINTR first; then a context with
 *    acquired > 0 dies with -EDEADLK if the holder's context is older or an older context already
 *    waits; otherwise (older, or acquired == 0, or no context) it waits;
 *  - ww_mutex_lock_slow*() is ww_mutex_lock*() after -EDEADLK with everything dropped.
 * Waiting really blocks between threads; a wait that nothing can end (holder is the current task)
 * is reported as a bug "would sleep forever" instead of hanging.
 * With CONFIG_DEBUG_MUTEXES the DEBUG_WW_MUTEXES checks of the kernel are on (DEBUG_LOCKS_WARN_ON:
 * lock after ww_acquire_done, fini with locks held, wrong class, -EDEADLK protocol misuse).
 * Wound-wait (DEFINE_WW_CLASS) is not provided: nothing under test uses it, so using it fails to build.
 * Lockdep: a context is a lock of class "<class>_acquire" from init to fini, every ww_mutex one of
 * class "<class>_mutex" with its context as nest lock; the entry points are macros so that the
 * recorder names the kernel function that called them (dma_resv_lock, ...).
 */
#include <linux/mutex.h>
#include <linux/atomic.h>
#include <linux/stddef.h>	/* NULL: the kernel's reaches it through linux/list.h (drm_exec.h relies on it) */

#ifdef CONFIG_DEBUG_MUTEXES
#define DEBUG_WW_MUTEXES
#endif

struct shim_ww_waiter;

struct ww_class {
	atomic_long_t stamp;
	const char *acquire_name;
	const char *mutex_name;
	unsigned int is_wait_die;
};

struct ww_acquire_ctx {
	struct task_struct *task;
	unsigned long stamp;
	unsigned int acquired;
	unsigned short wounded;
	unsigned short is_wait_die;
	/* DEBUG_WW_MUTEXES state, always present so the layout does not depend on the variant */
	unsigned int done_acquire;
	struct ww_class *ww_class;
	void *contending_lock;
	struct lockdep_map dep_map;
};

struct ww_mutex {
	struct mutex base;
	struct ww_acquire_ctx *ctx;
	struct ww_class *ww_class;
	struct shim_ww_waiter *waiters;	/* stamp-ordered wait list, under the shim wait lock */
	struct lockdep_map dep_map;
};

#define DEFINE_WD_CLASS(classname)					\
	struct ww_class classname = {					\
		.stamp = ATOMIC_LONG_INIT(0),				\
		.acquire_name = #classname "_acquire",			\
		.mutex_name = #classname "_mutex",			\
		.is_wait_die = 1,					\
	}

void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class);
void ww_mutex_destroy(struct ww_mutex *lock);
void shim_ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *ww_class, const char *fn);
void ww_acquire_done(struct ww_acquire_ctx *ctx);
void shim_ww_acquire_fini(struct ww_acquire_ctx *ctx, const char *fn);
int shim_ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, const char *fn);
int shim_ww_mutex_lock_interruptible(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, const char *fn);
void shim_ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, const char *fn);
int shim_ww_mutex_lock_slow_interruptible(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, const char *fn);
int shim_ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx, const char *fn);
void shim_ww_mutex_unlock(struct ww_mutex *lock, const char *fn);
#define ww_acquire_init(ctx, c) shim_ww_acquire_init(ctx, c, __func__)
#define ww_acquire_fini(ctx) shim_ww_acquire_fini(ctx, __func__)
#define ww_mutex_lock(l, ctx) shim_ww_mutex_lock(l, ctx, __func__)
#define ww_mutex_lock_interruptible(l, ctx) shim_ww_mutex_lock_interruptible(l, ctx, __func__)
#define ww_mutex_lock_slow(l, ctx) shim_ww_mutex_lock_slow(l, ctx, __func__)
#define ww_mutex_lock_slow_interruptible(l, ctx) shim_ww_mutex_lock_slow_interruptible(l, ctx, __func__)
#define ww_mutex_trylock(l, ctx) shim_ww_mutex_trylock(l, ctx, __func__)
#define ww_mutex_unlock(l) shim_ww_mutex_unlock(l, __func__)
static inline bool ww_mutex_is_locked(struct ww_mutex *lock) { return mutex_is_locked(&lock->base); }
#endif
