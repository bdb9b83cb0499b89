#ifndef _SHIM_LINUX_IRQ_WORK_H
#define _SHIM_LINUX_IRQ_WORK_H
/*
 * irq_work is queued on the queuing task and run as the kernel's self-IPI would: immediately if
 * that task has interrupts enabled and holds no spinlock, otherwise when it re-enables interrupts
 * (the last spin_unlock_irq or irqrestore, local_irq_restore), at the latest when the adapter finishes the op.
 * So a fence-array/chain signalled from a dma_fence_signal() callback completes before the
 * signalling op returns, never nested inside the signalling fence's lock.
 */
#include <linux/types.h>
#include <linux/atomic.h>
struct irq_work {
	struct irq_work *next;
	atomic_t flags;		/* IRQ_WORK_PENDING | IRQ_WORK_BUSY */
	void (*func)(struct irq_work *);
};
#define IRQ_WORK_PENDING 1
#define IRQ_WORK_BUSY 2
#define IRQ_WORK_INIT(_func) { .flags = ATOMIC_INIT(0), .func = (_func) }
static inline void init_irq_work(struct irq_work *work, void (*func)(struct irq_work *))
{
	work->next = 0;
	atomic_set(&work->flags, 0);
	work->func = func;
}
bool irq_work_queue(struct irq_work *work);
void irq_work_sync(struct irq_work *work);
void irq_work_run(void);	/* run the current task's queued work */
static inline bool irq_work_is_busy(struct irq_work *work) { return atomic_read(&work->flags) & IRQ_WORK_BUSY; }
#endif
