#ifndef _SHIM_LINUX_WAIT_H
#define _SHIM_LINUX_WAIT_H
/*
 * dma-fence.h includes this for historic reasons; the code under test uses no wait queues.
 * wait_var_event_timeout/wake_up_var (st-dma-fence-chain) use the shim's global wait lock.
 */
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <shim/host.h>
void wake_up_var(void *var);
bool shim_sleep_allowed_until(long long deadline_ns);
#define wait_var_event_timeout(var, condition, timeout) ({		\
	long __t = (timeout);						\
	long long __deadline = shim_host_now_ns() + (long long)jiffies_to_nsecs(__t); \
	bool __ok;							\
	shim_host_wait_lock();						\
	while (!(__ok = (condition)) && shim_sleep_allowed_until(__deadline) && \
	       !shim_host_wait(__deadline))				\
		;							\
	shim_host_wait_unlock();					\
	__ok ? (__t ? __t : 1) : 0; })
#endif
