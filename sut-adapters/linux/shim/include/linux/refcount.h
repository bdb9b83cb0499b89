#ifndef _SHIM_LINUX_REFCOUNT_H
#define _SHIM_LINUX_REFCOUNT_H
/*
 * refcount_t with the kernel's checks (lib/refcount.c): increment from 0 ("addition on 0;
 * use-after-free"), decrement below 0 ("underflow; use-after-free") and overflow WARN and saturate
 * the counter, so a use after release is a WARN observation, not silent corruption.
 */
#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/bug.h>
typedef struct refcount_struct { atomic_t refs; } refcount_t;
#define REFCOUNT_INIT(n) { .refs = ATOMIC_INIT(n) }
#define REFCOUNT_SATURATED (INT_MIN / 2)
enum refcount_saturation_type { REFCOUNT_ADD_NOT_ZERO_OVF, REFCOUNT_ADD_OVF, REFCOUNT_ADD_UAF, REFCOUNT_SUB_UAF, REFCOUNT_DEC_LEAK };
void refcount_warn_saturate(refcount_t *r, enum refcount_saturation_type t);
static inline void refcount_set(refcount_t *r, int n) { atomic_set(&r->refs, n); }
static inline unsigned int refcount_read(const refcount_t *r) { return atomic_read(&r->refs); }
static inline void refcount_inc(refcount_t *r)
{
	int old = atomic_fetch_add_relaxed(1, &r->refs);
	if (unlikely(!old))
		refcount_warn_saturate(r, REFCOUNT_ADD_UAF);
	else if (unlikely(old < 0 || old + 1 < 0))
		refcount_warn_saturate(r, REFCOUNT_ADD_OVF);
}
static inline bool refcount_inc_not_zero(refcount_t *r)
{
	int old = refcount_read(r);
	do {
		if (!old)
			break;
	} while (!atomic_try_cmpxchg(&r->refs, &old, old + 1));
	if (unlikely(old < 0 || old + 1 < 0))
		refcount_warn_saturate(r, REFCOUNT_ADD_NOT_ZERO_OVF);
	return old;
}
static inline bool refcount_dec_and_test(refcount_t *r)
{
	int old = atomic_fetch_sub(1, &r->refs);
	if (old == 1)
		return true;
	if (unlikely(old <= 0 || old - 1 <= 0))
		refcount_warn_saturate(r, REFCOUNT_SUB_UAF);
	return false;
}
#endif
