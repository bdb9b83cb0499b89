#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H
#include <linux/compiler_types.h>
/* x86_64 LP64 */
typedef signed char s8;
typedef unsigned char u8;
typedef short s16;
typedef unsigned short u16;
typedef int s32;
typedef unsigned int u32;
typedef long long s64;
typedef unsigned long long u64;
typedef s8 __s8; typedef u8 __u8; typedef s16 __s16; typedef u16 __u16;
typedef s32 __s32; typedef u32 __u32; typedef s64 __s64; typedef u64 __u64;
typedef s8 int8_t; typedef u8 uint8_t; typedef s16 int16_t; typedef u16 uint16_t;
typedef s32 int32_t; typedef u32 uint32_t; typedef s64 int64_t; typedef u64 uint64_t;
typedef u8 u_int8_t; typedef u32 u_int32_t;
typedef unsigned long size_t;
typedef long ssize_t;
typedef long ptrdiff_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;
typedef _Bool bool;
enum { false = 0, true = 1 };
typedef unsigned int gfp_t;
typedef unsigned int slab_flags_t;
typedef long long loff_t;
typedef int pid_t;
typedef unsigned short umode_t;
typedef u64 phys_addr_t;
typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
typedef atomic64_t atomic_long_t;
struct list_head { struct list_head *next, *prev; };
struct hlist_head { struct hlist_node *first; };
struct hlist_node { struct hlist_node *next, **pprev; };
/* same layout as liburcu's rcu_head (asserted in host.c): dma_resv_list's offsets depend on it */
struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};
#define rcu_head callback_head
typedef void (*rcu_callback_t)(struct rcu_head *head);
#endif
