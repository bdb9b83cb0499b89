#ifndef _SHIM_LINUX_LOCKDEP_H
#define _SHIM_LINUX_LOCKDEP_H
/*
 * Two things:
 *  - lockdep_assert_held() checks that the *current task* owns the spinlock or mutex, and WARNs like
 *    lockdep's `WARN_ON(debug_locks && !held)`. debug_locks is turned off by the first
 *    DEBUG_LOCKS_WARN_ON and back on at every adapter reset.
 *  - CONFIG_LOCKDEP is on, so the tree's own annotations (dma_fence_begin/end_signalling,
 *    __dma_fence_might_wait, dma_resv_lockdep's priming) run; lock_acquire()/lock_release() feed the
 *    lock-dependency recorder of shim/kernel/lockdep.c (see shim/lockdep.h for what it checks).
 *    Classes are named: a lockdep_map's name is its class (every reservation lock shares
 *    "reservation_ww_class_mutex", as in the kernel where they share one lock_class_key). The
 *    recorder notes where an acquisition happened by the kernel function that expands the macro.
 */
#include <linux/types.h>
#include <linux/bug.h>
struct spinlock;
struct mutex;
extern int debug_locks;
extern int debug_locks_silent;
int debug_locks_off(void);
bool shim_spin_is_held(const struct spinlock *lock);
bool shim_mutex_is_held(const struct mutex *lock);
#define lockdep_is_held(l) _Generic((l),				\
	struct spinlock *: shim_spin_is_held,				\
	const struct spinlock *: shim_spin_is_held,			\
	struct mutex *: shim_mutex_is_held,				\
	const struct mutex *: shim_mutex_is_held)(l)
#define lockdep_assert(cond) do { WARN_ON(debug_locks && !(cond)); } while (0)
#define lockdep_assert_held(l) lockdep_assert(lockdep_is_held(l))
#define lockdep_assert_not_held(l) lockdep_assert(!lockdep_is_held(l))
#define lockdep_assert_irqs_disabled() do { } while (0)
#define DEBUG_LOCKS_WARN_ON(c) ({					\
	int __ret = 0;							\
	if (unlikely(c)) {						\
		if (debug_locks_off() && !debug_locks_silent)		\
			WARN(1, "DEBUG_LOCKS_WARN_ON(%s)", #c);		\
		__ret = 1;						\
	}								\
	__ret; })
struct lock_class_key { int unused; };
#define lockdep_set_class(lock, key) do { (void)(key); } while (0)

/* a lock class for the recorder; class is looked up by name once and cached */
struct lockdep_map {
	const char *name;
	int class_idx;		/* 0: not looked up yet, else index + 1 */
	bool ww;		/* a ww_mutex or acquire context (shim/lockdep.h: not reported alone) */
};
#define STATIC_LOCKDEP_MAP_INIT(_name, _key) { .name = (_name) }
/* subclass: a class of its own; read: 0 exclusive, 1 non-recursive read, 2 recursive read; nest: the
 * nest_lock (ww acquire ctx) */
void shim_lock_acquire(struct lockdep_map *map, unsigned int subclass, int trylock, int read, const void *nest,
		       const char *fn);
void shim_lock_release(struct lockdep_map *map, const char *fn);
int lock_is_held_type(const struct lockdep_map *map, int read);
#define lock_acquire(l, subclass, trylock, read, check, nest, ip) \
	shim_lock_acquire(l, subclass, trylock, read, nest, __func__)
#define lock_release(l, ip) shim_lock_release(l, __func__)
#define lock_map_acquire(l) shim_lock_acquire(l, 0, 0, 0, NULL, __func__)
#define lock_map_acquire_read(l) shim_lock_acquire(l, 0, 0, 2, NULL, __func__)
#define lock_map_acquire_try(l) shim_lock_acquire(l, 0, 1, 0, NULL, __func__)
#define lock_map_release(l) shim_lock_release(l, __func__)
#define lock_is_held(l) lock_is_held_type(l, -1)
#endif
