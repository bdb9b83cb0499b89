/*
 * rc_sched.h - a deterministic scheduler for the concurrent blocks of a trace.
 *
 * An implementation under test runs a block's ops on real threads (a pool, so TLS, liburcu
 * registration and `current` are per thread as in the kernel), but only one thread runs at a time:
 * at every switch point (rc_sched_point(): the implementation's synchronisation points) the
 * scheduler hands the baton to the thread the schedule names. Same block, same schedule, same
 * interleaving. Blocking is cooperative: a spin-wait (rc_sched_spin) is runnable again once another
 * thread made progress, a sleep (rc_sched_wait) once another thread woke sleepers or its virtual
 * deadline came; when every unfinished thread is blocked the virtual clock jumps to the earliest
 * deadline, and without one the block is a deadlock: every blocked call returns -1 and the
 * implementation unwinds (BUG) that op.
 *
 * Plain C with primitive types only, so kernel-side shim code can declare what it calls.
 *
 *   struct rc_sched_block b = {.nthreads = 2, .schedule = s, .nsched = n, .body = fn, .arg = x, ...};
 *   rc_sched_run(&b);   // returns when every thread's body returned
 */
#ifndef RC_SCHED_H
#define RC_SCHED_H

#ifdef __cplusplus
extern "C" {
#endif

#define RC_SCHED_MAX_THREADS 8

struct rc_sched_block {
	/* in */
	unsigned nthreads;
	const unsigned char *schedule;	/* thread at each switch point with a choice */
	unsigned nsched;
	void (*body)(void *arg, unsigned tid);
	void *arg;
	unsigned char *realised;	/* out: the choice made at each point with a choice (cap entries) */
	unsigned char *runnable;	/* out: bit mask of the threads that could run there */
	unsigned cap;
	/* out */
	unsigned nrealised;		/* choices made (entries beyond cap are not stored) */
	unsigned ndefault;		/* trailing choices that the default (keep running) would make too */
	unsigned points;		/* switch points passed */
	int deadlock;			/* every unfinished thread blocked with no deadline */
	char message[160];
};

void rc_sched_run(struct rc_sched_block *b);
/* The threads of the block all at once on the host's scheduler: real races, for ThreadSanitizer.
 * No schedule, no virtual clock (rc_sched_in_block() is 0 in them: the implementation uses its
 * real primitives); rc_sched_now() stamps op starts and ends in real-time order. */
void rc_sched_run_free(struct rc_sched_block *b);

/* Whether the calling thread runs inside a block (the calls below are no-ops otherwise). */
extern volatile int rc_sched_on;
int rc_sched_in_block(void);
int rc_sched_in_free_block(void);	/* a thread of rc_sched_run_free */
int rc_sched_in_any_block(void);	/* either: other threads may touch shared state */
int rc_sched_tid(void);
void rc_sched_point(void);
unsigned rc_sched_now(void);		/* switch points so far in this block: op start/end times */
/* A spin-wait iteration; -1: the block deadlocked, unwind. */
int rc_sched_spin(void);
/* Sleep until rc_sched_wake_all() or the virtual deadline (ns, <0: none): 0 woken, 1 timed out,
 * -1 deadlock. */
int rc_sched_wait(long long deadline_ns);
void rc_sched_wake_all(void);
int rc_sched_others_alive(void);	/* another unfinished thread (of either kind of block) could wake the caller */
long long rc_sched_clock_ns(void);	/* the virtual clock of the block */

#ifdef __cplusplus
}
#endif

#endif
