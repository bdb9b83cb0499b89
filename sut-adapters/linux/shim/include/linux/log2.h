#ifndef _SHIM_LINUX_LOG2_H
#define _SHIM_LINUX_LOG2_H
#include <linux/bitops.h>
/*
 * x86-64 kernel: 1UL << fls_long(n - 1); for n == 0 the shift count is 64, which the CPU masks to 0,
 * giving 1. Reproduced explicitly (6.1's dma_resv_reserve_fences(obj, 0) reaches it).
 */
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return 1UL << (fls_long(n - 1) & 63);
}
static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (fls_long(n) - 1);
}
static inline bool is_power_of_2(unsigned long n) { return n != 0 && ((n & (n - 1)) == 0); }
static inline int ilog2(unsigned long n) { return fls_long(n) - 1; }
#endif
