/*
 * shim/host.h - the only door from kernel-side code to the host (libc, pthread, liburcu, setjmp).
 *
 * Kernel-side translation units (the tree's drivers/dma-buf files, shim/kernel/ sources, the adapter glue)
 * are compiled with -nostdinc and see nothing but the shim's kernel-shaped headers. Everything that
 * needs the C library goes through the functions below, implemented in shim/host/host.c, which is
 * compiled as ordinary userspace C. Only primitive types cross this boundary.
 */
#ifndef SHIM_HOST_H
#define SHIM_HOST_H

/* memory: 16-byte aligned, like malloc */
void *shim_host_malloc(unsigned long size);
void shim_host_free(void *p);

/* console; level is the printk level digit (0..7), -1 if none */
void shim_host_vprint(int level, const char *fmt, __builtin_va_list ap);
void shim_host_abort(const char *msg) __attribute__((noreturn));

/*
 * BUG() support: shim_host_guarded_call() runs fn(arg) with a longjmp target; shim_host_bug_jump()
 * returns to the innermost guard of the calling thread (or aborts when there is none).
 * Returns fn's result, or sets *bugged = 1 and returns 0 after a jump.
 */
int shim_host_guarded_call(int (*fn)(void *), void *arg, int *bugged);
void shim_host_bug_jump(void) __attribute__((noreturn));
int shim_host_in_guard(void);
/* The report of the last BUG()/fault ("file:line: message"); a fault (SIGSEGV/SIGBUS) inside a
 * guarded call is reported as a BUG with the faulting address. */
void shim_host_set_bug_message(const char *msg);
const char *shim_host_bug_message(void);

/* threads (detached: a kthread's task_struct outlives it and is refcounted kernel-side) */
int shim_host_thread_start(void (*fn)(void *), void *arg);
/* runs in every such thread as it ends (the lock recorder frees the thread's held-lock stack) */
void shim_host_at_thread_exit(void (*fn)(void));
void shim_host_yield(void);
unsigned int shim_host_nr_cpus(void);

/*
 * One process-wide wait lock + condition variable backs every sleep in the shim (mutex waits,
 * schedule_timeout, kthread_stop, wait_var_event, timers). Waiters re-check their condition after
 * every broadcast. deadline_ns < 0 means no deadline. shim_host_wait returns 1 on timeout.
 */
void shim_host_wait_lock(void);
void shim_host_wait_unlock(void);
int shim_host_wait(long long deadline_ns);
void shim_host_wake_all(void);	/* call with the wait lock held */
long long shim_host_now_ns(void);	/* CLOCK_MONOTONIC */
void shim_host_sleep_ns(long long ns);

/* RCU, backed by liburcu-bp (threads register themselves on first use) */
void shim_host_rcu_read_lock(void);
void shim_host_rcu_read_unlock(void);
void shim_host_synchronize_rcu(void);
void shim_host_call_rcu(void *head, void (*fn)(void *head));
void shim_host_rcu_barrier(void);
/*
 * Runs the queued call_rcu() callbacks once a batch of them waits (rcu_barrier() otherwise): for
 * callers that need memory to stay bounded, not the callbacks run now (the adapter between traces).
 */
void shim_host_rcu_reclaim(void);

/* The deterministic scheduler of concurrent blocks (rc_sched_* functions), compiled into host.c. */
#include "../../../../sched/rc_sched.h"
/* A block begins: shim_host_now_ns() reads the block's virtual clock from here on. */
void shim_host_block_begin(void);

/* misc */
void shim_host_qsort(void *base, unsigned long n, unsigned long size,
		     int (*cmp)(const void *, const void *));
unsigned int shim_host_random_u32(void);

#endif
