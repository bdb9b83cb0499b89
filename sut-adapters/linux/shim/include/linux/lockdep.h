#ifndef _SHIM_LINUX_LOCKDEP_H
#define _SHIM_LINUX_LOCKDEP_H
/*
 * Not lockdep: no lock-order graph, no CONFIG_LOCKDEP (so dma_fence_begin_signalling() and
 * __dma_fence_might_wait() annotations are the kernel's no-op versions). What is real:
 * lockdep_assert_held() checks that the *current task* owns the spinlock or mutex, and WARNs like
 * lockdep's `WARN_ON(debug_locks && !held)`. debug_locks is turned off by the first
 * DEBUG_LOCKS_WARN_ON and back on at every adapter reset.
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
#endif
