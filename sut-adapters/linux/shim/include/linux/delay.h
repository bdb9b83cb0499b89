#ifndef _SHIM_LINUX_DELAY_H
#define _SHIM_LINUX_DELAY_H
#include <linux/sched.h>
void msleep(unsigned int msecs);	/* schedule_timeout_uninterruptible, so virtual when nobody else runs */
void udelay(unsigned long usecs);	/* busy-wait in the kernel: a real short sleep here */
#define mdelay(n) udelay((n) * 1000UL)
#define usleep_range(min, max) udelay(min)
#endif
