#ifndef _SHIM_LINUX_SPINLOCK_TYPES_H
#define _SHIM_LINUX_SPINLOCK_TYPES_H
struct task_struct;
/* all-zero is unlocked: st-dma-resv.c uses a static spinlock it never initialises */
typedef struct spinlock {
	int locked;
	struct task_struct *owner;	/* for lockdep_assert_held and recursion detection */
} spinlock_t;
#define __SPIN_LOCK_UNLOCKED(name) { 0, 0 }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#endif
