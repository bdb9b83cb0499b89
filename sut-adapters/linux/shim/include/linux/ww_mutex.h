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
 */
#include <linux/mutex.h>
#include <linux/atomic.h>

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
};

struct ww_mutex {
	struct mutex base;
	struct ww_acquire_ctx *ctx;
	struct ww_class *ww_class;
	struct shim_ww_waiter *waiters;	/* stamp-ordered wait list, under the shim wait lock */
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
void ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *ww_class);
void ww_acquire_done(struct ww_acquire_ctx *ctx);
void ww_acquire_fini(struct ww_acquire_ctx *ctx);
int ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
int ww_mutex_lock_interruptible(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
void ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
int ww_mutex_lock_slow_interruptible(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
int ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx);
void ww_mutex_unlock(struct ww_mutex *lock);
static inline bool ww_mutex_is_locked(struct ww_mutex *lock) { return mutex_is_locked(&lock->base); }
#endif
