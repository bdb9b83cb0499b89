#ifndef _SHIM_LINUX_TIMEKEEPING_H
#define _SHIM_LINUX_TIMEKEEPING_H
#include <linux/ktime.h>
ktime_t ktime_get(void);	/* CLOCK_MONOTONIC */
static inline u64 ktime_get_ns(void) { return ktime_get(); }
#endif
