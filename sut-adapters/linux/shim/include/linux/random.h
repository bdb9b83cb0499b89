#ifndef _SHIM_LINUX_RANDOM_H
#define _SHIM_LINUX_RANDOM_H
#include <linux/types.h>
u32 get_random_u32(void);
static inline u32 get_random_u32_below(u32 ceil) { return ceil ? (u32)(((u64)get_random_u32() * ceil) >> 32) : 0; }
/* 6.1 name of get_random_u32_below */
static inline u32 prandom_u32_max(u32 ceil) { return get_random_u32_below(ceil); }
static inline u32 get_random_u32_inclusive(u32 floor, u32 ceil) { return floor + get_random_u32_below(ceil - floor + 1); }
#endif
