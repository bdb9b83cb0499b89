#ifndef _SHIM_LINUX_BITOPS_H
#define _SHIM_LINUX_BITOPS_H
#include <linux/types.h>
#include <linux/compiler.h>
#define BITS_PER_LONG 64
#define BIT(nr) (1UL << (nr))
#define BIT_ULL(nr) (1ULL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
/* atomic bitops (x86: locked, full barrier) */
static inline void set_bit(long nr, volatile unsigned long *addr)
{ shim_sched_point(); __atomic_fetch_or(addr + BIT_WORD(nr), BIT_MASK(nr), __ATOMIC_SEQ_CST); }
static inline void clear_bit(long nr, volatile unsigned long *addr)
{ shim_sched_point(); __atomic_fetch_and(addr + BIT_WORD(nr), ~BIT_MASK(nr), __ATOMIC_SEQ_CST); }
static inline bool test_and_set_bit(long nr, volatile unsigned long *addr)
{ shim_sched_point(); return __atomic_fetch_or(addr + BIT_WORD(nr), BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr); }
static inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{ shim_sched_point(); return __atomic_fetch_and(addr + BIT_WORD(nr), ~BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr); }
static inline bool test_bit(long nr, const volatile unsigned long *addr)
{ shim_sched_point(); return 1UL & (__atomic_load_n(addr + BIT_WORD(nr), __ATOMIC_RELAXED) >> (nr & (BITS_PER_LONG - 1))); }
static inline void __set_bit(long nr, volatile unsigned long *addr) { addr[BIT_WORD(nr)] |= BIT_MASK(nr); }
static inline void __clear_bit(long nr, volatile unsigned long *addr) { addr[BIT_WORD(nr)] &= ~BIT_MASK(nr); }
static inline int fls_long(unsigned long x) { return x ? 64 - __builtin_clzl(x) : 0; }
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline unsigned long __ffs(unsigned long x) { return __builtin_ctzl(x); }
static inline int ffs(int x) { return __builtin_ffs(x); }
static inline unsigned int hweight32(unsigned int w) { return __builtin_popcount(w); }
static inline unsigned long hweight_long(unsigned long w) { return __builtin_popcountl(w); }
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#endif
