#ifndef _SHIM_LINUX_JIFFIES_H
#define _SHIM_LINUX_JIFFIES_H
#include <linux/types.h>
#define HZ CONFIG_HZ
/* jiffies = monotonic clock in 1/HZ ticks + virtual time skipped by sleeps nobody could end */
unsigned long shim_jiffies(void);
#define jiffies shim_jiffies()
#define MAX_JIFFY_OFFSET ((LONG_MAX >> 1) - 1)
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
static inline unsigned long msecs_to_jiffies(const unsigned int m) { return (m + (1000 / HZ) - 1) / (1000 / HZ); }
static inline unsigned int jiffies_to_msecs(const unsigned long j) { return (1000 / HZ) * j; }
static inline unsigned long usecs_to_jiffies(const unsigned int u) { return (u + (1000000 / HZ) - 1) / (1000000 / HZ); }
static inline u64 jiffies_to_nsecs(const unsigned long j) { return (u64)j * (1000000000 / HZ); }
#endif
