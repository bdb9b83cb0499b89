/*
 * host.c - the userspace side of the shim: libc, pthread, liburcu and setjmp behind shim/host.h.
 * This is the only translation unit of the linux adapter compiled against system headers.
 */
#define _GNU_SOURCE
#include "shim/host.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/*
 * The "bulletproof" flavour: threads register themselves on first use, and the registration lives
 * in liburcu-bp.so, so two plugins (each with its own hidden copy of this file) in one process
 * share it instead of registering the same thread twice.
 */
#include <urcu-bp.h>

_Static_assert(sizeof(struct rcu_head) == 2 * sizeof(void *),
	       "kernel struct rcu_head is two pointers; dma_resv_list layout depends on it");

void *shim_host_malloc(unsigned long size)
{
	void *p = NULL;
	if (posix_memalign(&p, 16, size ? size : 1))
		return NULL;
	return p;
}

void shim_host_free(void *p) { free(p); }

void shim_host_vprint(int level, const char *fmt, va_list ap)
{
	static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
	/* KERN_DEBUG (7) is dropped unless asked for, like a default console loglevel */
	static int verbose = -1;
	if (verbose < 0)
		verbose = getenv("RESVCHECK_LINUX_VERBOSE") != NULL;
	if (level == 7 && !verbose)
		return;
	pthread_mutex_lock(&print_lock);
	vfprintf(stderr, fmt, ap);
	pthread_mutex_unlock(&print_lock);
}

void shim_host_abort(const char *msg)
{
	fprintf(stderr, "shim: fatal: %s\n", msg);
	abort();
}

/* ---- BUG() guard ---- */
struct guard {
	sigjmp_buf env;
	struct guard *outer;
};
/* initial-exec: a dlopened plugin's default TLS model costs a __tls_get_addr call per access */
static __thread struct guard *current_guard __attribute__((tls_model("initial-exec")));
static char bug_message[512];

void shim_host_set_bug_message(const char *msg)
{
	snprintf(bug_message, sizeof(bug_message), "%s", msg);
}

const char *shim_host_bug_message(void) { return bug_message; }

/*
 * A fault in guarded kernel code is an oops: report it like BUG() (RC_APPLY_BUG) instead of
 * killing the harness. Faults outside a guard get the default action.
 */
static void fault_handler(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	if (!current_guard) {
		signal(sig, SIG_DFL);
		return;	/* re-executes the faulting instruction: default action */
	}
	snprintf(bug_message, sizeof(bug_message),
		 "BUG: unable to handle page fault for address %p (%s)", info->si_addr,
		 (unsigned long)info->si_addr < 4096 ? "NULL pointer dereference" : strsignal(sig));
	siglongjmp(current_guard->env, 1);
}

static void install_fault_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

int shim_host_guarded_call(int (*fn)(void *), void *arg, int *bugged)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct guard g;
	volatile int ret = 0;

	pthread_once(&once, install_fault_handler);
	g.outer = current_guard;
	*bugged = 0;
	if (sigsetjmp(g.env, 0) == 0) {
		current_guard = &g;
		ret = fn(arg);
	} else {
		*bugged = 1;
	}
	current_guard = g.outer;
	return ret;
}

void shim_host_bug_jump(void)
{
	if (!current_guard)
		shim_host_abort("BUG() outside of a guarded call");
	siglongjmp(current_guard->env, 1);
}

int shim_host_in_guard(void) { return current_guard != NULL; }

/* ---- threads ---- */
struct thread_start {
	void (*fn)(void *);
	void *arg;
};

static void (*thread_exit_fn)(void);

void shim_host_at_thread_exit(void (*fn)(void)) { __atomic_store_n(&thread_exit_fn, fn, __ATOMIC_RELEASE); }

static void *thread_main(void *p)
{
	struct thread_start t = *(struct thread_start *)p;
	void (*at_exit)(void);

	free(p);
	t.fn(t.arg);
	at_exit = __atomic_load_n(&thread_exit_fn, __ATOMIC_ACQUIRE);
	if (at_exit)
		at_exit();
	return NULL;
}

int shim_host_thread_start(void (*fn)(void *), void *arg)
{
	struct thread_start *t = malloc(sizeof(*t));
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	if (!t)
		return -ENOMEM;
	t->fn = fn;
	t->arg = arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, thread_main, t);
	pthread_attr_destroy(&attr);
	if (err) {
		free(t);
		return -EAGAIN;
	}
	return 0;
}

/*
 * Concurrent blocks: the deterministic scheduler (sut-adapters/sched/) lives in this unit, so
 * every plugin, also one built from --kernel-src, has it. Inside a block, spinning, sleeping and
 * the wait lock go through it (one thread runs at a time: a host-blocking wait would hang), and
 * time is the block's virtual clock.
 */
#include "../../../sched/rc_sched.c"

static long long block_base_ns;

void shim_host_block_begin(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	block_base_ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* every thread of the block waits for another: unwind this op (a BUG the block reports) */
static void __attribute__((noreturn)) block_deadlocked(void)
{
	shim_host_set_bug_message("deadlock: every thread of the concurrent block waits for another");
	shim_host_bug_jump();
}

void shim_host_yield(void)
{
	if (!rc_sched_in_block()) {
		sched_yield();
		return;
	}
	if (rc_sched_spin() < 0)
		block_deadlocked();
}

unsigned int shim_host_nr_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned int)n : 1;
}

/* ---- the global wait lock ---- */
static pthread_mutex_t wait_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wait_cond;
static pthread_once_t wait_once = PTHREAD_ONCE_INIT;

static void wait_init(void)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&wait_cond, &a);
	pthread_condattr_destroy(&a);
}

void shim_host_wait_lock(void)
{
	pthread_once(&wait_once, wait_init);
	if (!rc_sched_in_block()) {
		pthread_mutex_lock(&wait_mutex);
		return;
	}
	while (pthread_mutex_trylock(&wait_mutex))	/* its holder waits for the baton */
		if (rc_sched_spin() < 0)
			block_deadlocked();
}

void shim_host_wait_unlock(void) { pthread_mutex_unlock(&wait_mutex); }

int shim_host_wait(long long deadline_ns)
{
	if (rc_sched_in_block()) {
		int r;

		pthread_mutex_unlock(&wait_mutex);
		r = rc_sched_wait(deadline_ns < 0 ? -1 : deadline_ns - block_base_ns);
		if (r < 0)
			block_deadlocked();
		shim_host_wait_lock();
		return r;
	}
	if (deadline_ns < 0) {
		pthread_cond_wait(&wait_cond, &wait_mutex);
		return 0;
	}
	struct timespec ts = { .tv_sec = deadline_ns / 1000000000LL,
			       .tv_nsec = deadline_ns % 1000000000LL };
	return pthread_cond_timedwait(&wait_cond, &wait_mutex, &ts) == ETIMEDOUT;
}

void shim_host_wake_all(void)
{
	rc_sched_wake_all();
	pthread_cond_broadcast(&wait_cond);
}

long long shim_host_now_ns(void)
{
	struct timespec ts;
	if (rc_sched_in_block())
		return block_base_ns + rc_sched_clock_ns();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void shim_host_sleep_ns(long long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- RCU (liburcu-bp) ---- */

#if defined(__SANITIZE_THREAD__)
/*
 * ThreadSanitizer cannot see liburcu's grace periods: tell it that every read-side section ends
 * before the grace period that follows it does (what a free after synchronize_rcu relies on).
 */
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char rcu_grace;
#define tsan_rcu_reader_done() __tsan_release(&rcu_grace)
#define tsan_rcu_grace_over() __tsan_acquire(&rcu_grace)
#else
#define tsan_rcu_reader_done() do { } while (0)
#define tsan_rcu_grace_over() do { } while (0)
#endif

void shim_host_rcu_read_lock(void) { rcu_read_lock(); }

void shim_host_rcu_read_unlock(void)
{
	tsan_rcu_reader_done();
	rcu_read_unlock();
}

void shim_host_synchronize_rcu(void)
{
	synchronize_rcu();
	tsan_rcu_grace_over();
}

/*
 * call_rcu() callbacks wait in a local queue that rcu_barrier() drains itself: one
 * synchronize_rcu() and the callbacks run on the calling thread. liburcu's own rcu_barrier()
 * round-trips through its call_rcu worker (~10 ms), which at one barrier per trace would cap the
 * adapter at ~100 traces/s. A queue past kRcuQueueMax is handed to liburcu's worker instead, so
 * memory stays bounded in long runs that never call rcu_barrier() (the selftests' kthreads).
 */
struct shim_rcu_cb {
	struct shim_rcu_cb *next;
	void (*fn)(void *head);
};
#define SHIM_RCU_QUEUE_MAX 4096
#define SHIM_RCU_RECLAIM_BATCH 1024	/* one grace period per ~50 traces of the check loop */
static pthread_mutex_t rcu_q_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_rcu_cb *rcu_q;
static unsigned long rcu_q_len;
static int rcu_handed_off;	/* callbacks given to liburcu since the last barrier */

void shim_host_call_rcu(void *head, void (*fn)(void *head))
{
	struct shim_rcu_cb *cb = head, *batch = NULL;

	pthread_mutex_lock(&rcu_q_lock);
	cb->fn = fn;
	cb->next = rcu_q;
	rcu_q = cb;
	if (++rcu_q_len >= SHIM_RCU_QUEUE_MAX) {
		batch = rcu_q;
		rcu_q = NULL;
		rcu_q_len = 0;
		rcu_handed_off = 1;
	}
	pthread_mutex_unlock(&rcu_q_lock);
	while (batch) {
		struct shim_rcu_cb *next = batch->next;

		/* kernel and liburcu rcu_head are both {next, func}: same layout (asserted above) */
		call_rcu((struct rcu_head *)batch, (void (*)(struct rcu_head *))batch->fn);
		batch = next;
	}
}

void shim_host_rcu_barrier(void)
{
	for (;;) {
		struct shim_rcu_cb *batch;
		int handed_off;

		pthread_mutex_lock(&rcu_q_lock);
		batch = rcu_q;
		rcu_q = NULL;
		rcu_q_len = 0;
		handed_off = rcu_handed_off;
		rcu_handed_off = 0;
		pthread_mutex_unlock(&rcu_q_lock);
		if (!batch && !handed_off)
			return;
		if (handed_off)
			rcu_barrier();
		if (batch) {
			shim_host_synchronize_rcu();	/* a grace period for everything queued so far */
			while (batch) {
				struct shim_rcu_cb *next = batch->next;

				batch->fn(batch);
				batch = next;
			}
		}
		/* callbacks may queue more (a freed object releasing another): go round again */
	}
}

void shim_host_rcu_reclaim(void)
{
	int due;

	pthread_mutex_lock(&rcu_q_lock);
	due = rcu_q_len >= SHIM_RCU_RECLAIM_BATCH || rcu_handed_off;
	pthread_mutex_unlock(&rcu_q_lock);
	if (due)
		shim_host_rcu_barrier();
}

void shim_host_qsort(void *base, unsigned long n, unsigned long size,
		     int (*cmp)(const void *, const void *))
{
	qsort(base, n, size, cmp);
}

unsigned int shim_host_random_u32(void)
{
	static __thread unsigned int seed __attribute__((tls_model("initial-exec")));
	if (!seed)
		seed = (unsigned int)shim_host_now_ns() | 1;
	return (unsigned int)rand_r(&seed) ^ ((unsigned int)rand_r(&seed) << 16);
}
