#ifndef _SHIM_LINUX_SCHED_H
#define _SHIM_LINUX_SCHED_H
/*
 * Tasks are host threads (kthreads are pthreads). struct task_struct is private to
 * shim/kernel/sched.c. Sleeping is real (a shared condition variable) whenever another task or a
 * pending timer could wake the sleeper; when nothing could (the single-threaded harness), a timed
 * sleep advances virtual jiffies at once and an untimed one is reported as a bug ("would sleep
 * forever") instead of hanging.
 */
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/jiffies.h>
#include <linux/timekeeping.h>
#include <linux/timer.h>

struct task_struct;
struct seq_file;

#define TASK_RUNNING 0x0000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_WAKEKILL 0x0100
#define TASK_NORMAL (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)
#define TASK_KILLABLE (TASK_WAKEKILL | TASK_UNINTERRUPTIBLE)
#define MAX_SCHEDULE_TIMEOUT LONG_MAX
#define TASK_COMM_LEN 16

struct task_struct *shim_current(void);
#define current shim_current()

void shim_set_current_state(int state);
#define set_current_state(s) shim_set_current_state(s)
#define __set_current_state(s) shim_set_current_state(s)

long schedule_timeout(long timeout);
long schedule_timeout_interruptible(long timeout);
long schedule_timeout_uninterruptible(long timeout);
void schedule(void);
#define schedule_preempt_disabled() schedule()
int wake_up_process(struct task_struct *p);
int wake_up_state(struct task_struct *p, unsigned int state);
void yield(void);
bool yield_to(struct task_struct *p, bool preempt);
void get_task_struct(struct task_struct *t);
void put_task_struct(struct task_struct *t);
bool in_atomic(void);
#define in_interrupt() 0
#define in_irq() 0
#define preempt_disable() barrier()
#define preempt_enable() barrier()

/* the adapter sets the current task's pending-signal state from an op's sigpending argument */
void shim_set_signal_pending(struct task_struct *t, bool pending);
#endif
