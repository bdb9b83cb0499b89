/*
 * rc_sched.c - the deterministic scheduler of rc_sched.h: a pool of worker threads and a baton.
 *
 * One mutex and condition variable guard everything; exactly one worker (or the controller in
 * rc_sched_run) holds the baton at a time, so the scheduler's choices alone decide the
 * interleaving, never the host's thread scheduling.
 */
#define _GNU_SOURCE
#include "rc_sched.h"

#include <pthread.h>
#include <stdio.h>

#define MAX_POINTS 4000000u	/* a block that spins this long is livelocked: a finding, not a hang */

enum blocked { B_NONE, B_SPIN, B_WAIT };

struct worker {
	pthread_t th;
	int done;
	enum blocked block;
	unsigned long seen;	/* progress (spin) or wake generation (wait) when it blocked */
	long long deadline;
	int timed_out;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct worker w[RC_SCHED_MAX_THREADS];
static unsigned pool;			/* workers started */
static unsigned long epoch;		/* blocks started */
static struct rc_sched_block *blk;	/* the running block */
static int running = -1;		/* holder of the baton; -1: none (block over) */
static unsigned k;			/* choices made */
static unsigned long progress, wake_gen;
static int drain;			/* deadlocked: every blocking call fails, threads unwind in turn */
static long long clock_ns;
static int free_mode;			/* rc_sched_run_free: every thread at once */
static unsigned ndone;			/* free mode: threads finished */
static unsigned ticks;			/* free mode: op start/end stamps */
static unsigned arrived;		/* free mode: threads at the start line */

volatile int rc_sched_on;
static __thread int my_tid = -1;

static int satisfied(int t)
{
	if (w[t].done)
		return 0;
	if (drain)
		return 1;
	switch (w[t].block) {
	case B_NONE: return 1;
	case B_SPIN: return progress != w[t].seen;
	case B_WAIT: return wake_gen != w[t].seen || w[t].timed_out;
	}
	return 0;
}

static int lowest(unsigned mask) { return __builtin_ctz(mask); }

static void declare_deadlock(const char *why)
{
	unsigned t;
	int n;

	blk->deadlock = 1;
	drain = 1;
	n = snprintf(blk->message, sizeof(blk->message), "%s:", why);
	for (t = 0; t < blk->nthreads && n > 0 && (size_t)n < sizeof(blk->message); t++)
		if (!w[t].done)
			n += snprintf(blk->message + n, sizeof(blk->message) - n, " t%u %s", t,
				      w[t].block == B_WAIT ? "sleeps" : w[t].block == B_SPIN ? "spins" : "runs");
}

/* The thread to run next after `cur` (-1: the controller); -1 when every thread is done. */
static int choose(int cur)
{
	unsigned mask = 0, t;
	int pick, deflt;

	for (t = 0; t < blk->nthreads; t++)
		if (satisfied(t))
			mask |= 1u << t;
	if (!mask) {
		int best = -1;

		for (t = 0; t < blk->nthreads; t++)
			if (!w[t].done && w[t].block == B_WAIT && w[t].deadline >= 0 &&
			    (best < 0 || w[t].deadline < w[best].deadline))
				best = t;
		if (best >= 0) {	/* everyone sleeps: time passes */
			if (w[best].deadline > clock_ns)
				clock_ns = w[best].deadline;
			w[best].timed_out = 1;
			mask = 1u << best;
		} else {
			for (t = 0; t < blk->nthreads; t++)
				if (!w[t].done)
					mask |= 1u << t;
			if (!mask)
				return -1;
			declare_deadlock("deadlock");
		}
	}
	if (!(mask & (mask - 1)))
		return lowest(mask);
	deflt = cur >= 0 && (mask >> cur & 1) ? cur : lowest(mask);
	pick = deflt;
	if (k < blk->nsched && blk->schedule[k] < blk->nthreads && (mask >> blk->schedule[k] & 1))
		pick = blk->schedule[k];
	if (k < blk->cap) {
		blk->realised[k] = (unsigned char)pick;
		blk->runnable[k] = (unsigned char)mask;
	}
	blk->ndefault = pick == deflt ? blk->ndefault + 1 : 0;
	blk->nrealised = ++k;
	return pick;
}

/* With mu held: pass the baton on and, unless done, wait for it to come back. */
static void handoff(int me)
{
	int next = choose(me);

	running = next;
	pthread_cond_broadcast(&cv);
	if (!w[me].done)
		while (running != me)
			pthread_cond_wait(&cv, &mu);
}

static void *worker_main(void *arg)
{
	int me = (int)(long)arg;
	unsigned long seen = 0;

	my_tid = me;
	pthread_mutex_lock(&mu);
	for (;;) {
		struct rc_sched_block *b;

		while (epoch == seen)
			pthread_cond_wait(&cv, &mu);
		seen = epoch;
		if (!blk || (unsigned)me >= blk->nthreads)
			continue;	/* not in this block (which may be over already) */
		while (!free_mode && running != me)
			pthread_cond_wait(&cv, &mu);
		b = blk;
		pthread_mutex_unlock(&mu);
		if (free_mode) {
			/* start together, through relaxed atomics: no happens-before edge between the
			 * threads' bodies that ThreadSanitizer would take for synchronisation */
			__atomic_fetch_add(&arrived, 1, __ATOMIC_RELAXED);
			while (__atomic_load_n(&arrived, __ATOMIC_RELAXED) < b->nthreads)
				;
		}
		b->body(b->arg, (unsigned)me);
		pthread_mutex_lock(&mu);
		w[me].done = 1;
		progress++;
		if (free_mode) {
			ndone++;
			pthread_cond_broadcast(&cv);
			continue;
		}
		handoff(me);
	}
	return NULL;
}

static int start_pool(struct rc_sched_block *b)
{
	while (pool < b->nthreads && pool < RC_SCHED_MAX_THREADS) {
		if (pthread_create(&w[pool].th, NULL, worker_main, (void *)(long)pool)) {
			snprintf(b->message, sizeof(b->message), "cannot start a scheduler thread");
			b->deadlock = 1;
			return -1;
		}
		pthread_detach(w[pool].th);
		pool++;
	}
	return 0;
}

/* With mu held: the pool started and b made the running block, its outputs and workers reset. */
static int begin_block(struct rc_sched_block *b)
{
	unsigned t;

	if (start_pool(b))
		return -1;
	blk = b;
	b->nrealised = b->ndefault = b->points = 0;
	b->deadlock = 0;
	b->message[0] = 0;
	for (t = 0; t < RC_SCHED_MAX_THREADS; t++) {
		w[t].done = t >= b->nthreads;
		w[t].block = B_NONE;
		w[t].timed_out = 0;
	}
	return 0;
}

void rc_sched_run_free(struct rc_sched_block *b)
{
	pthread_mutex_lock(&mu);
	if (begin_block(b)) {
		pthread_mutex_unlock(&mu);
		return;
	}
	free_mode = 1;
	ndone = 0;
	__atomic_store_n(&arrived, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ticks, 0, __ATOMIC_SEQ_CST);
	rc_sched_on = 1;
	epoch++;
	pthread_cond_broadcast(&cv);
	while (ndone < b->nthreads)
		pthread_cond_wait(&cv, &mu);
	rc_sched_on = 0;
	free_mode = 0;
	blk = NULL;
	pthread_mutex_unlock(&mu);
}

void rc_sched_run(struct rc_sched_block *b)
{
	pthread_mutex_lock(&mu);
	if (begin_block(b)) {
		pthread_mutex_unlock(&mu);
		return;
	}
	k = 0;
	drain = 0;
	clock_ns = 0;
	rc_sched_on = 1;
	epoch++;
	running = choose(-1);
	pthread_cond_broadcast(&cv);
	while (running >= 0)
		pthread_cond_wait(&cv, &mu);
	rc_sched_on = 0;
	blk = NULL;
	pthread_mutex_unlock(&mu);
}

int rc_sched_in_block(void) { return my_tid >= 0 && rc_sched_on && !free_mode; }
int rc_sched_in_free_block(void) { return my_tid >= 0 && rc_sched_on && free_mode; }
int rc_sched_in_any_block(void) { return my_tid >= 0 && rc_sched_on; }
int rc_sched_tid(void) { return my_tid; }
unsigned rc_sched_now(void)
{
	/* relaxed: one variable's modifications are totally ordered (what the stamps need) without
	 * an edge between the threads that ThreadSanitizer would take for their synchronisation */
	if (free_mode)
		return __atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
	return blk ? blk->points : 0;
}
long long rc_sched_clock_ns(void) { return clock_ns; }

void rc_sched_point(void)
{
	if (!rc_sched_in_block())
		return;
	pthread_mutex_lock(&mu);
	blk->points++;
	progress++;
	if (blk->points > MAX_POINTS && !drain)
		declare_deadlock("livelock (no end after 4M switch points)");
	handoff(my_tid);
	pthread_mutex_unlock(&mu);
}

static int block_on(enum blocked kind, unsigned long seen, long long deadline)
{
	int me = my_tid, r;

	pthread_mutex_lock(&mu);
	if (drain) {
		pthread_mutex_unlock(&mu);
		return -1;
	}
	w[me].block = kind;
	w[me].seen = seen;
	w[me].deadline = deadline;
	w[me].timed_out = 0;
	if (kind == B_WAIT)
		progress++;	/* a sleeper may have let go of what a spinner waits for (the wait lock) */
	if (++blk->points > MAX_POINTS && !drain)
		declare_deadlock("livelock (no end after 4M switch points)");
	handoff(me);
	r = drain ? -1 : w[me].timed_out;
	w[me].block = B_NONE;
	pthread_mutex_unlock(&mu);
	return r;
}

int rc_sched_spin(void)
{
	if (!rc_sched_in_block())
		return 0;
	return block_on(B_SPIN, progress, -1);
}

int rc_sched_wait(long long deadline_ns)
{
	if (!rc_sched_in_block())
		return 0;
	return block_on(B_WAIT, wake_gen, deadline_ns);
}

void rc_sched_wake_all(void)
{
	if (!rc_sched_in_block())
		return;
	pthread_mutex_lock(&mu);
	wake_gen++;
	pthread_mutex_unlock(&mu);
}

int rc_sched_others_alive(void)
{
	unsigned t;
	int alive = 0;

	if (!rc_sched_in_any_block())
		return 0;
	pthread_mutex_lock(&mu);
	for (t = 0; t < blk->nthreads; t++)
		if ((int)t != my_tid && !w[t].done)
			alive = 1;
	pthread_mutex_unlock(&mu);
	return alive;
}
