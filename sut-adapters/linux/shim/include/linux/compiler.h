#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H
#include <linux/compiler_types.h>
#define barrier() __asm__ __volatile__("" ::: "memory")
#include <shim/host.h>
/*
 * A switch point of the deterministic scheduler (concurrent blocks, sut-adapters/sched/rc_sched.h):
 * READ_ONCE/WRITE_ONCE, rcu_dereference/rcu_assign_pointer, bit ops, kref, spinlocks, mutexes,
 * RCU sections and wake-ups are where another thread may run. One load and branch otherwise.
 */
#define shim_sched_point() do { if (__builtin_expect(rc_sched_on, 0)) rc_sched_point(); } while (0)
#if defined(__SANITIZE_THREAD__)
/* what the kernel's volatile accesses mean, in the terms ThreadSanitizer knows (no race report) */
#define READ_ONCE(x) ({ shim_sched_point(); __atomic_load_n(&(x), __ATOMIC_RELAXED); })
#define WRITE_ONCE(x, val) do { shim_sched_point(); __atomic_store_n(&(x), (val), __ATOMIC_RELAXED); } while (0)
#else
#define READ_ONCE(x) (*({ shim_sched_point(); (const volatile typeof(x) *)&(x); }))
#define WRITE_ONCE(x, val) do { shim_sched_point(); *(volatile typeof(x) *)&(x) = (val); } while (0)
#endif
#define data_race(expr) (expr)
#define __PASTE(a, b) ___PASTE(a, b)
#define ___PASTE(a, b) a##b
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int:(-!!(e)); })))
#define __must_be_array(a) BUILD_BUG_ON_ZERO(__same_type((a), &(a)[0]))
#define is_signed_type(type) (((type)(-1)) < (type)1)
#define _RET_IP_ ((unsigned long)__builtin_return_address(0))
#define _THIS_IP_ ({ __label__ __here; __here: (unsigned long)&&__here; })
#define unreachable() __builtin_unreachable()
#endif
