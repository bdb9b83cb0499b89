/*
 * shim/kernel.h - shim internals for the adapter glue and the selftest runner (kernel side).
 * Kernel code under test never includes this.
 */
#ifndef SHIM_KERNEL_H
#define SHIM_KERNEL_H
#include <linux/types.h>

/* Console: printk levels above this are dropped (WARN splats are level 4, BUG level 0). */
extern int shim_console_loglevel;

/* WARN splats since start; the adapter reports the difference around one op. */
unsigned long shim_warn_count(void);
unsigned long shim_thread_warn_count(void);	/* WARNs of the calling thread */
long long shim_thread_slept_ns(void);	/* the calling task's time in schedule_timeout(), on the jiffies clock */
/* call_rcu for shim code (slab.c): grace periods follow the scheduler in concurrent blocks */
void shim_call_rcu(void *head, void (*fn)(void *head));
/* frees what concurrent blocks freed (kept poisoned until the block ends) */
void shim_quarantine_drain(void);
/* "file:line: message" of the last BUG()/shim bug on any thread. */
const char *shim_last_bug(void);
/* A new "boot": re-arm WARN_ONCE sites and debug_locks. */
void shim_reset_debug_state(void);

/* Allocation failure: the nth kmalloc/krealloc/kmem_cache allocation from now returns NULL
 * (0 disarms). Leaks: objects allocated since the last mark and not yet freed (kfree_rcu counts
 * as freed when it is called). */
void shim_fail_alloc_arm(unsigned int nth);
void shim_kmalloc_mark(void);
long shim_kmalloc_live_since_mark(void);
/* The same count over a whole trace, on every thread: objects the kernel code allocated since
 * shim_kmalloc_trace_begin() and not yet freed (what a teardown finds left). */
void shim_kmalloc_trace_begin(void);
long shim_kmalloc_trace_live(void);
/* The harness's own objects (handle entries, harness fences, its tables): never counted above,
 * so only what the kernel code allocates is. They are freed with kfree as usual. */
void *shim_harness_kzalloc(size_t size);
void *shim_harness_krealloc(const void *p, size_t size);

/* What a BUG() longjmp must undo on the current task: spinlocks, irq-off, RCU read sections. */
struct shim_checkpoint {
	int spin_depth;
	int irq_depth;
	int rcu_depth;
};
void shim_checkpoint(struct shim_checkpoint *cp);
void shim_unwind(const struct shim_checkpoint *cp);

/* Could another task or a timer wake the current task? (false: the harness thread is alone) */
bool shim_others_can_run(void);

/* Module parameters registered by module_param_named (selftest.c). */
int shim_param_set(const char *name, const char *value);
int shim_param_set_suffix(const char *suffix, const char *value);	/* all names ending in suffix */
void shim_param_list(void (*fn)(const char *name, void *arg), void *arg);
#endif
