#ifndef _SHIM_LINUX_RCUPDATE_H
#define _SHIM_LINUX_RCUPDATE_H
/*
 * RCU from liburcu: rcu_read_lock/unlock, synchronize_rcu, call_rcu and rcu_barrier are liburcu's
 * (memb flavour, readers registered lazily). Pointer accessors are the kernel's memory-ordering
 * semantics. Without CONFIG_PROVE_RCU, rcu_dereference_check()'s condition is type-checked only.
 */
#include <linux/types.h>
#include <linux/compiler.h>
#include <asm/barrier.h>
void rcu_read_lock(void);
void rcu_read_unlock(void);
void synchronize_rcu(void);
void call_rcu(struct rcu_head *head, rcu_callback_t func);
void rcu_barrier(void);
#define rcu_read_lock_held() 1
#define RCU_INITIALIZER(v) (v)
#define unrcu_pointer(p) (p)
#define rcu_pointer_handoff(p) (p)
#define rcu_access_pointer(p) READ_ONCE(p)
#define rcu_dereference(p) ({ shim_sched_point(); __atomic_load_n(&(p), __ATOMIC_CONSUME); })
#define rcu_dereference_raw(p) rcu_dereference(p)
#define rcu_dereference_check(p, c) ({ (void)sizeof(!(c)); rcu_dereference(p); })
#define rcu_dereference_protected(p, c) ({ (void)sizeof(!(c)); (p); })
#define rcu_assign_pointer(p, v) do { shim_sched_point(); __atomic_store_n(&(p), (v), __ATOMIC_RELEASE); } while (0)
#define RCU_INIT_POINTER(p, v) WRITE_ONCE(p, v)
#define rcu_replace_pointer(rcu_ptr, ptr, c) ({				\
	typeof(ptr) __tmp = rcu_dereference_protected((rcu_ptr), (c));	\
	rcu_assign_pointer((rcu_ptr), (ptr));				\
	__tmp; })
/* kfree_rcu: the shim's allocation header carries its own rcu_head, so the named field is unused */
void shim_kfree_rcu(const void *ptr);
#define kfree_rcu(ptr, rhf) do { (void)sizeof(&(ptr)->rhf); shim_kfree_rcu(ptr); } while (0)
#define kfree_rcu_mightsleep(ptr) shim_kfree_rcu(ptr)
#endif
