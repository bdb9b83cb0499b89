#ifndef _SHIM_LINUX_SPINLOCK_H
#define _SHIM_LINUX_SPINLOCK_H
/*
 * Real spinlocks between threads (test-and-set + yield). They know their owner, so
 * lockdep_assert_held() is a real check and taking a lock you already hold is reported as a bug
 * ("spinlock recursion") instead of hanging. _irq/_irqsave variants also mark the task as having
 * interrupts off: queued irq_work runs when they are re-enabled (see irq_work.h).
 */
#include <linux/spinlock_types.h>
#include <linux/types.h>
#include <linux/lockdep.h>
#include <linux/compiler.h>
#include <asm/barrier.h>
void shim_spin_lock(spinlock_t *lock);
void shim_spin_unlock(spinlock_t *lock);
int shim_spin_trylock(spinlock_t *lock);
void shim_local_irq_disable(void);
void shim_local_irq_enable(void);
static inline void spin_lock_init(spinlock_t *lock) { lock->locked = 0; lock->owner = 0; }
#define spin_lock(l) shim_spin_lock(l)
#define spin_unlock(l) shim_spin_unlock(l)
#define spin_trylock(l) shim_spin_trylock(l)
#define spin_lock_irq(l) do { shim_local_irq_disable(); shim_spin_lock(l); } while (0)
#define spin_unlock_irq(l) do { shim_spin_unlock(l); shim_local_irq_enable(); } while (0)
#define spin_lock_irqsave(l, flags) do { (flags) = 0; shim_local_irq_disable(); shim_spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { (void)(flags); shim_spin_unlock(l); shim_local_irq_enable(); } while (0)
#define spin_lock_bh spin_lock
#define spin_unlock_bh spin_unlock
#define local_irq_save(flags) do { (flags) = 0; shim_local_irq_disable(); } while (0)
#define local_irq_restore(flags) do { (void)(flags); shim_local_irq_enable(); } while (0)
#define local_irq_disable() shim_local_irq_disable()
#define local_irq_enable() shim_local_irq_enable()
static inline int spin_is_locked(spinlock_t *l) { return __atomic_load_n(&l->locked, __ATOMIC_RELAXED); }
#endif
