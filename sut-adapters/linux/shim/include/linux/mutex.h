#ifndef _SHIM_LINUX_MUTEX_H
#define _SHIM_LINUX_MUTEX_H
/*
 * Sleeping mutex owned by a task. Contended acquisitions really block (shim wait lock +
 * condition variable). Acquiring a mutex the current task already owns would sleep forever in
 * the kernel; the shim reports it as a bug instead ("would sleep forever").
 * CONFIG_DEBUG_MUTEXES adds the kernel's debug checks (unlock by non-owner, destroy while locked).
 */
#include <linux/types.h>
#include <linux/lockdep.h>
#include <linux/atomic.h>
struct task_struct;
struct mutex {
	struct task_struct *owner;	/* NULL: unlocked */
	int waiters;			/* tasks sleeping in mutex_lock (wait lock held) */
	struct mutex *magic;		/* CONFIG_DEBUG_MUTEXES: == self while initialised */
};
#define __MUTEX_INITIALIZER(name) { 0, 0, &(name) }
#define DEFINE_MUTEX(name) struct mutex name = __MUTEX_INITIALIZER(name)
void mutex_init(struct mutex *lock);
void mutex_destroy(struct mutex *lock);
void mutex_lock(struct mutex *lock);
int mutex_lock_interruptible(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
static inline bool mutex_is_locked(struct mutex *lock) { return READ_ONCE(lock->owner) != 0; }
#endif
