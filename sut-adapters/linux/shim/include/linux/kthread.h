#ifndef _SHIM_LINUX_KTHREAD_H
#define _SHIM_LINUX_KTHREAD_H
/* kthreads are pthreads: created stopped (TASK_UNINTERRUPTIBLE) until the first wake_up_process */
#include <linux/err.h>
#include <linux/sched.h>
struct task_struct *kthread_create(int (*threadfn)(void *data), void *data, const char *namefmt, ...) __printf(3, 4);
#define kthread_run(threadfn, data, namefmt, ...) ({			\
	struct task_struct *__k = kthread_create(threadfn, data, namefmt, ##__VA_ARGS__); \
	if (!IS_ERR(__k))						\
		wake_up_process(__k);					\
	__k; })
int kthread_stop(struct task_struct *k);
int kthread_stop_put(struct task_struct *k);
bool kthread_should_stop(void);
#endif
