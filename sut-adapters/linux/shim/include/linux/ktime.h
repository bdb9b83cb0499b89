#ifndef _SHIM_LINUX_KTIME_H
#define _SHIM_LINUX_KTIME_H
#include <linux/types.h>
typedef s64 ktime_t;
#define NSEC_PER_USEC 1000L
#define NSEC_PER_MSEC 1000000L
#define NSEC_PER_SEC 1000000000L
#define KTIME_MAX ((s64)~((u64)1 << 63))
static inline ktime_t ns_to_ktime(u64 ns) { return ns; }
static inline ktime_t ms_to_ktime(u64 ms) { return ms * NSEC_PER_MSEC; }
static inline s64 ktime_to_ns(const ktime_t kt) { return kt; }
static inline s64 ktime_to_us(const ktime_t kt) { return kt / NSEC_PER_USEC; }
static inline s64 ktime_to_ms(const ktime_t kt) { return kt / NSEC_PER_MSEC; }
#define ktime_add(a, b) ((a) + (b))
#define ktime_sub(a, b) ((a) - (b))
#define ktime_add_ns(kt, ns) ((kt) + (ns))
#define ktime_add_us(kt, us) ((kt) + (us) * NSEC_PER_USEC)
#define ktime_add_ms(kt, ms) ((kt) + (ms) * NSEC_PER_MSEC)
static inline int ktime_compare(const ktime_t a, const ktime_t b) { return a < b ? -1 : a > b; }
static inline bool ktime_after(const ktime_t a, const ktime_t b) { return ktime_compare(a, b) > 0; }
static inline bool ktime_before(const ktime_t a, const ktime_t b) { return ktime_compare(a, b) < 0; }
#endif
