// SPDX-License-Identifier: MIT
/*
 * sched.c - tasks, sleeping, kthreads, timers, irq_work, spinlocks, RCU wrappers and time.
 *
 * Every host thread that enters the shim gets a task_struct (lazily; kthreads get theirs at
 * creation). All sleeps use the host's single wait lock + condition variable: a sleeper re-checks
 * its condition after every broadcast, wakers broadcast with the wait lock held, so no wake-up is
 * lost. "Could anything wake me?" is answered by counting live kthreads and pending timers: when
 * nothing could, a timed sleep advances virtual time at once and an untimed one is a bug
 * ("would sleep forever"), so the single-threaded harness never hangs.
 */
#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <shim/host.h>
#include <shim/kernel.h>

#define MAX_HELD_SPIN 32

struct task_struct {
	int state;
	int sigpending;
	int refs;
	int spin_depth;
	int irq_depth;
	int rcu_depth;
	spinlock_t *held[MAX_HELD_SPIN];
	struct irq_work *irq_work_head, *irq_work_tail;
	/* kthread */
	bool is_kthread, should_stop, exited;
	bool scheduled;	/* has run far enough to decide between threadfn and -EINTR */
	long long slept_ns;	/* in schedule_timeout(), on the clock jiffies read (virtual time included) */
	int (*threadfn)(void *data);
	void *data;
	int result;
	char comm[TASK_COMM_LEN];
};

/* initial-exec: shim_current() runs on every lock and RCU section, __tls_get_addr would dominate it */
static __thread struct task_struct *cur __attribute__((tls_model("initial-exec")));
static int nr_live_kthreads;	/* created and not exited */
static int nr_timers_armed;	/* pending or running */
static long long virtual_ns;	/* time skipped by sleeps nothing could end */
static long long boot_ns;

static struct task_struct *task_alloc(const char *comm)
{
	struct task_struct *t = shim_host_malloc(sizeof(*t));

	if (!t)
		shim_host_abort("out of memory allocating a task");
	memset(t, 0, sizeof(*t));
	t->refs = 1;
	strscpy(t->comm, comm, sizeof(t->comm));
	return t;
}

struct task_struct *shim_current(void)
{
	if (unlikely(!cur))
		cur = task_alloc("host");	/* lives as long as the thread: never freed */
	return cur;
}

void get_task_struct(struct task_struct *t) { __atomic_fetch_add(&t->refs, 1, __ATOMIC_SEQ_CST); }

void put_task_struct(struct task_struct *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_SEQ_CST) == 0)
		shim_host_free(t);
}

/* ---- time ---- */
static long long now_ns(void)
{
	long long n = shim_host_now_ns();

	if (!__atomic_load_n(&boot_ns, __ATOMIC_RELAXED)) {
		long long zero = 0;
		__atomic_compare_exchange_n(&boot_ns, &zero, n, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	return n - __atomic_load_n(&boot_ns, __ATOMIC_RELAXED) + __atomic_load_n(&virtual_ns, __ATOMIC_SEQ_CST);
}

#define NS_PER_JIFFY (1000000000LL / HZ)
#define INITIAL_JIFFIES ((unsigned long)(unsigned int)(-300 * HZ))

unsigned long shim_jiffies(void) { return INITIAL_JIFFIES + now_ns() / NS_PER_JIFFY; }
long long shim_thread_slept_ns(void) { return shim_current()->slept_ns; }
ktime_t ktime_get(void) { return now_ns(); }

/* host deadline (CLOCK_MONOTONIC ns) for a timeout in jiffies from now */
static long long host_deadline(long timeout)
{
	if (timeout >= MAX_SCHEDULE_TIMEOUT / NS_PER_JIFFY)
		return -1;
	return shim_host_now_ns() + timeout * NS_PER_JIFFY;
}

/* Can any other task or timer wake the current one? (wait lock held or not: only a hint for
 * kthreads, exact for the harness thread, which is the only thread when no kthread lives) */
bool shim_others_can_run(void)
{
	struct task_struct *t = shim_current();

	if (rc_sched_in_any_block())	/* a concurrent block: its other threads */
		return rc_sched_others_alive();
	if (t->is_kthread)
		return true;	/* the thread that created it is still around to stop it */
	return __atomic_load_n(&nr_live_kthreads, __ATOMIC_SEQ_CST) > 0 ||
	       __atomic_load_n(&nr_timers_armed, __ATOMIC_SEQ_CST) > 0;
}

bool shim_sleep_allowed_until(long long deadline_ns)
{
	if (shim_others_can_run())
		return true;
	/* nobody can change the condition: skip the wait in virtual time */
	if (deadline_ns > shim_host_now_ns())
		__atomic_fetch_add(&virtual_ns, deadline_ns - shim_host_now_ns(), __ATOMIC_SEQ_CST);
	return false;
}

/* ---- sleeping ---- */
void shim_set_current_state(int state)
{
	__atomic_store_n(&shim_current()->state, state, __ATOMIC_SEQ_CST);
}

int signal_pending(struct task_struct *p) { return __atomic_load_n(&p->sigpending, __ATOMIC_SEQ_CST); }

void shim_set_signal_pending(struct task_struct *t, bool pending)
{
	__atomic_store_n(&t->sigpending, pending, __ATOMIC_SEQ_CST);
}

static bool interrupted(struct task_struct *t)
{
	return signal_pending_state(__atomic_load_n(&t->state, __ATOMIC_SEQ_CST), t);
}

static long sleep_timeout(struct task_struct *t, long timeout);

/* Nobody left to wake t: the state is read after the others are, because a waker that has
 * finished (real threads) woke t before it finished. */
static bool nobody_can_wake(struct task_struct *t)
{
	return !shim_others_can_run() && __atomic_load_n(&t->state, __ATOMIC_SEQ_CST) != TASK_RUNNING;
}

long schedule_timeout(long timeout)
{
	struct task_struct *t = shim_current();
	long long t0 = now_ns();
	long ret = sleep_timeout(t, timeout);

	t->slept_ns += now_ns() - t0;
	return ret;
}

static long sleep_timeout(struct task_struct *t, long timeout)
{
	long long deadline, left;

	if (WARN(t->spin_depth || t->irq_depth, "BUG: scheduling while atomic: %s", t->comm))
		return timeout;
	if (timeout < 0) {
		pr_err("schedule_timeout: wrong timeout value %lx\n", timeout);
		shim_set_current_state(TASK_RUNNING);
		return 0;
	}
	if (__atomic_load_n(&t->state, __ATOMIC_SEQ_CST) == TASK_RUNNING)
		return timeout;	/* woken between set_current_state() and here */

	if (nobody_can_wake(t)) {
		if (interrupted(t)) {
			shim_set_current_state(TASK_RUNNING);
			return timeout;
		}
		if (timeout == MAX_SCHEDULE_TIMEOUT)
			shim_bug(__FILE__, __LINE__,
				 "would sleep forever: schedule() with no other task or timer to wake %s",
				 t->comm);
		__atomic_fetch_add(&virtual_ns, timeout * NS_PER_JIFFY, __ATOMIC_SEQ_CST);
		shim_set_current_state(TASK_RUNNING);
		return 0;
	}

	deadline = host_deadline(timeout);
	shim_host_wait_lock();
	while (__atomic_load_n(&t->state, __ATOMIC_SEQ_CST) != TASK_RUNNING && !interrupted(t)) {
		/* the tasks that could wake it exited while it slept: a timed sleep runs out (in a
		 * block the scheduler's clock jumps to the deadline), an untimed one never ends */
		if (nobody_can_wake(t) && deadline < 0) {
			shim_host_wait_unlock();
			shim_bug(__FILE__, __LINE__,
				 "would sleep forever: every task that could wake %s has exited", t->comm);
		}
		if (nobody_can_wake(t) && !rc_sched_in_block()) {
			shim_sleep_allowed_until(deadline);	/* skips the rest in virtual time */
			__atomic_store_n(&t->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
			shim_host_wait_unlock();
			return 0;
		}
		if (shim_host_wait(deadline))
			break;
	}
	__atomic_store_n(&t->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
	shim_host_wait_unlock();

	if (deadline < 0)
		return timeout;
	left = deadline - shim_host_now_ns();
	return left > 0 ? (long)((left + NS_PER_JIFFY - 1) / NS_PER_JIFFY) : 0;
}

void schedule(void) { schedule_timeout(MAX_SCHEDULE_TIMEOUT); }

long schedule_timeout_interruptible(long timeout)
{
	shim_set_current_state(TASK_INTERRUPTIBLE);
	return schedule_timeout(timeout);
}

long schedule_timeout_uninterruptible(long timeout)
{
	shim_set_current_state(TASK_UNINTERRUPTIBLE);
	return schedule_timeout(timeout);
}

int wake_up_state(struct task_struct *p, unsigned int state)
{
	int ret = 0;

	shim_host_wait_lock();
	if (__atomic_load_n(&p->state, __ATOMIC_SEQ_CST) & state) {
		__atomic_store_n(&p->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
		shim_host_wake_all();
		ret = 1;
	}
	shim_host_wait_unlock();
	shim_sched_point();
	return ret;
}

int wake_up_process(struct task_struct *p) { return wake_up_state(p, TASK_NORMAL); }

void wake_up_var(void *var)
{
	(void)var;
	shim_host_wait_lock();
	shim_host_wake_all();
	shim_host_wait_unlock();
}

void yield(void) { shim_host_yield(); }
/*
 * The CPU goes to p: the kernel's tests yield_to() a kthread they have just woken and then race
 * it, so a woken kthread must get to run its threadfn first (a bounded wait, as the host may be busy).
 */
bool yield_to(struct task_struct *p, bool preempt)
{
	long long until = shim_host_now_ns() + 10LL * NSEC_PER_SEC;

	(void)preempt;
	while (p->is_kthread && __atomic_load_n(&p->state, __ATOMIC_SEQ_CST) == TASK_RUNNING &&
	       !__atomic_load_n(&p->scheduled, __ATOMIC_SEQ_CST) && shim_host_now_ns() < until)
		shim_host_yield();
	return true;
}
void cond_resched(void) { shim_host_yield(); }

bool in_atomic(void)
{
	struct task_struct *t = shim_current();
	return t->spin_depth || t->irq_depth;
}

void __might_sleep_check(const char *file, int line)
{
	struct task_struct *t = shim_current();

	if (t->spin_depth || t->irq_depth || t->rcu_depth)
		shim_warn(file, line, "BUG: sleeping function called from invalid context "
			  "(spinlocks %d, irqs off %d, rcu %d)", t->spin_depth, t->irq_depth,
			  t->rcu_depth);
}

void msleep(unsigned int msecs)
{
	long timeout = msecs_to_jiffies(msecs) + 1;

	while (timeout)
		timeout = schedule_timeout_uninterruptible(timeout);
}

void udelay(unsigned long usecs) { shim_host_sleep_ns(usecs * 1000LL); }

/* ---- kthreads ---- */
static void irq_work_run_task(struct task_struct *t);

static void kthread_main(void *arg)
{
	struct task_struct *t = arg;

	cur = t;
	/* created in TASK_UNINTERRUPTIBLE: wait for wake_up_process() or kthread_stop() */
	shim_host_wait_lock();
	while (__atomic_load_n(&t->state, __ATOMIC_SEQ_CST) != TASK_RUNNING)
		shim_host_wait(-1);
	shim_host_wait_unlock();

	bool stopped = READ_ONCE(t->should_stop);

	__atomic_store_n(&t->scheduled, true, __ATOMIC_SEQ_CST);
	t->result = stopped ? -EINTR : t->threadfn(t->data);
	irq_work_run_task(t);

	shim_host_wait_lock();
	t->exited = true;
	__atomic_fetch_sub(&nr_live_kthreads, 1, __ATOMIC_SEQ_CST);
	shim_host_wake_all();
	shim_host_wait_unlock();
	cur = NULL;
	put_task_struct(t);	/* the thread's own reference */
}

struct task_struct *kthread_create(int (*threadfn)(void *data), void *data, const char *namefmt, ...)
{
	struct task_struct *t;
	char comm[TASK_COMM_LEN];
	va_list ap;

	va_start(ap, namefmt);
	vsnprintf(comm, sizeof(comm), namefmt, ap);
	va_end(ap);
	t = task_alloc(comm);
	t->is_kthread = true;
	t->threadfn = threadfn;
	t->data = data;
	t->state = TASK_UNINTERRUPTIBLE;
	t->refs = 2;	/* one for the thread, one for the creator (dropped by kthread_stop) */
	__atomic_fetch_add(&nr_live_kthreads, 1, __ATOMIC_SEQ_CST);
	if (shim_host_thread_start(kthread_main, t)) {
		__atomic_fetch_sub(&nr_live_kthreads, 1, __ATOMIC_SEQ_CST);
		shim_host_free(t);
		return ERR_PTR(-ENOMEM);
	}
	return t;
}

bool kthread_should_stop(void) { return READ_ONCE(shim_current()->should_stop); }

int kthread_stop(struct task_struct *k)
{
	int ret;

	get_task_struct(k);
	WRITE_ONCE(k->should_stop, true);
	wake_up_process(k);
	shim_host_wait_lock();
	while (!k->exited)
		shim_host_wait(-1);
	shim_host_wait_unlock();
	ret = k->result;
	put_task_struct(k);
	put_task_struct(k);	/* the creator's reference */
	return ret;
}

/* kthread_stop() and drop the reference the caller took with get_task_struct() */
int kthread_stop_put(struct task_struct *k)
{
	int ret = kthread_stop(k);

	put_task_struct(k);
	return ret;
}

/* ---- timers: one thread standing in for the timer softirq ---- */
static LIST_HEAD(timer_list_head);	/* under the wait lock */
static bool timer_thread_started;

static void timer_thread(void *unused)
{
	(void)unused;
	cur = task_alloc("ktimer");
	shim_host_wait_lock();
	for (;;) {
		struct timer_list *t, *first = NULL;

		list_for_each_entry(t, &timer_list_head, entry)
			if (!first || time_before(t->expires, first->expires))
				first = t;
		if (!first) {
			shim_host_wait(-1);
			continue;
		}
		if (time_before(jiffies, first->expires)) {
			shim_host_wait(host_deadline((long)(first->expires - jiffies)));
			continue;
		}
		list_del_init(&first->entry);
		first->running = 1;
		shim_host_wait_unlock();
		first->function(first);
		irq_work_run_task(cur);
		shim_host_wait_lock();
		first->running = 0;
		__atomic_fetch_sub(&nr_timers_armed, 1, __ATOMIC_SEQ_CST);
		shim_host_wake_all();
	}
}

void timer_setup(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags)
{
	INIT_LIST_HEAD(&timer->entry);
	timer->function = func;
	timer->flags = flags;
	timer->expires = 0;
	timer->running = 0;
}

int timer_pending(const struct timer_list *timer) { return !list_empty(&timer->entry); }

int mod_timer(struct timer_list *timer, unsigned long expires)
{
	int was_pending;

	shim_host_wait_lock();
	if (!timer_thread_started) {
		timer_thread_started = true;
		if (shim_host_thread_start(timer_thread, NULL))
			shim_host_abort("cannot start the timer thread");
	}
	was_pending = timer_pending(timer);
	if (was_pending)
		list_del_init(&timer->entry);
	else
		__atomic_fetch_add(&nr_timers_armed, 1, __ATOMIC_SEQ_CST);
	timer->expires = expires;
	list_add_tail(&timer->entry, &timer_list_head);
	shim_host_wake_all();
	shim_host_wait_unlock();
	return was_pending;
}

void add_timer(struct timer_list *timer) { mod_timer(timer, timer->expires); }

int del_timer(struct timer_list *timer)
{
	int was_pending;

	shim_host_wait_lock();
	was_pending = timer_pending(timer);
	if (was_pending) {
		list_del_init(&timer->entry);
		__atomic_fetch_sub(&nr_timers_armed, 1, __ATOMIC_SEQ_CST);
	}
	shim_host_wait_unlock();
	return was_pending;
}

int del_timer_sync(struct timer_list *timer)
{
	int ret = del_timer(timer);

	shim_host_wait_lock();
	while (timer->running)
		shim_host_wait(-1);
	shim_host_wait_unlock();
	return ret;
}

/* ---- irq_work ---- */
static void irq_work_run_task(struct task_struct *t)
{
	struct irq_work *w;

	while ((w = t->irq_work_head)) {
		t->irq_work_head = w->next;
		if (!t->irq_work_head)
			t->irq_work_tail = NULL;
		w->next = NULL;
		atomic_set(&w->flags, IRQ_WORK_BUSY);	/* clear PENDING: may be queued again */
		t->irq_depth++;	/* handlers run with interrupts off */
		w->func(w);
		t->irq_depth--;
		atomic_set(&w->flags, 0);
	}
}

void irq_work_run(void) { irq_work_run_task(shim_current()); }

bool irq_work_queue(struct irq_work *work)
{
	struct task_struct *t = shim_current();
	int old = 0;

	if (!atomic_try_cmpxchg(&work->flags, &old, IRQ_WORK_PENDING | IRQ_WORK_BUSY)) {
		if (old & IRQ_WORK_PENDING)
			return false;
		atomic_set(&work->flags, IRQ_WORK_PENDING | IRQ_WORK_BUSY);	/* busy running: requeue */
	}
	work->next = NULL;
	if (t->irq_work_tail)
		t->irq_work_tail->next = work;
	else
		t->irq_work_head = work;
	t->irq_work_tail = work;
	if (!t->irq_depth)
		irq_work_run_task(t);	/* the self-IPI fires at once with interrupts on */
	return true;
}

void irq_work_sync(struct irq_work *work)
{
	while (irq_work_is_busy(work)) {
		irq_work_run();	/* ours? run it; someone else's: let it finish */
		if (irq_work_is_busy(work))
			shim_host_yield();
	}
}

/* ---- spinlocks and interrupts ---- */
/* the owner is read without the lock (recursion checks, spin_is_held): relaxed atomics */
static struct task_struct *spin_owner(const struct spinlock *lock) { return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED); }
static void set_spin_owner(struct spinlock *lock, struct task_struct *t) { __atomic_store_n(&lock->owner, t, __ATOMIC_RELAXED); }

bool shim_spin_is_held(const struct spinlock *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_SEQ_CST) && spin_owner(lock) == shim_current();
}

void shim_spin_lock(spinlock_t *lock)
{
	struct task_struct *t = shim_current();

	if (spin_owner(lock) == t && __atomic_load_n(&lock->locked, __ATOMIC_SEQ_CST))
		shim_bug(__FILE__, __LINE__, "spinlock recursion: %s already holds %p", t->comm, lock);
	shim_sched_point();
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			shim_host_yield();
	set_spin_owner(lock, t);
	if (t->spin_depth < MAX_HELD_SPIN)
		t->held[t->spin_depth] = lock;
	t->spin_depth++;
}

int shim_spin_trylock(spinlock_t *lock)
{
	struct task_struct *t = shim_current();

	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		return 0;
	set_spin_owner(lock, t);
	if (t->spin_depth < MAX_HELD_SPIN)
		t->held[t->spin_depth] = lock;
	t->spin_depth++;
	return 1;
}

void shim_spin_unlock(spinlock_t *lock)
{
	struct task_struct *t = shim_current();
	int i;

	if (WARN(spin_owner(lock) != t || !__atomic_load_n(&lock->locked, __ATOMIC_RELAXED), "spin_unlock of a lock %s does not hold", t->comm))
		return;
	for (i = min(t->spin_depth, MAX_HELD_SPIN) - 1; i >= 0; i--)
		if (t->held[i] == lock) {
			memmove(&t->held[i], &t->held[i + 1],
				(min(t->spin_depth, MAX_HELD_SPIN) - i - 1) * sizeof(t->held[0]));
			break;
		}
	t->spin_depth--;
	set_spin_owner(lock, NULL);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	shim_sched_point();
}

void shim_local_irq_disable(void) { shim_current()->irq_depth++; }

void shim_local_irq_enable(void)
{
	struct task_struct *t = shim_current();

	if (--t->irq_depth == 0)
		irq_work_run_task(t);
}

/* ---- RCU ---- */
static int rcu_readers;	/* tasks inside a read-side section */
static void rcu_run_pending(void);

void rcu_read_lock(void)
{
	shim_sched_point();
	if (!shim_current()->rcu_depth++)
		__atomic_fetch_add(&rcu_readers, 1, __ATOMIC_SEQ_CST);
	shim_host_rcu_read_lock();
}

void rcu_read_unlock(void)
{
	if (!--shim_current()->rcu_depth && __atomic_sub_fetch(&rcu_readers, 1, __ATOMIC_SEQ_CST) == 0)
		rcu_run_pending();	/* a grace period has elapsed (callbacks queued only in blocks) */
	shim_host_rcu_read_unlock();
	shim_sched_point();
}

void synchronize_rcu(void)
{
	if (shim_current()->rcu_depth)
		shim_bug(__FILE__, __LINE__, "synchronize_rcu() inside rcu_read_lock() would deadlock");
	might_sleep();
	/* in a concurrent block the readers wait for the baton: let them all leave first (a grace
	 * period the scheduler can see; liburcu's would wait for threads that cannot run) */
	while (rc_sched_in_block() && __atomic_load_n(&rcu_readers, __ATOMIC_SEQ_CST))
		if (rc_sched_spin() < 0)
			shim_bug(__FILE__, __LINE__, "deadlock: synchronize_rcu() waits for a reader that cannot run");
	shim_host_synchronize_rcu();
}

/*
 * In a concurrent block grace periods follow the scheduler: a callback runs as soon as no task is
 * inside a read-side section (at once when none is, else when the last one leaves), so what a
 * reader may still see and what is freed is decided by the schedule alone.
 */
static struct rcu_head *rcu_pending_head;

void shim_call_rcu(void *head, void (*fn)(void *head))
{
	struct rcu_head *h = head;

	if (!rc_sched_in_block()) {
		shim_host_call_rcu(head, fn);
		return;
	}
	if (!__atomic_load_n(&rcu_readers, __ATOMIC_SEQ_CST)) {
		fn(head);
		return;
	}
	h->func = (rcu_callback_t)fn;
	h->next = rcu_pending_head;
	rcu_pending_head = h;
}

static void rcu_run_pending(void)
{
	while (rcu_pending_head) {
		struct rcu_head *h = rcu_pending_head;

		rcu_pending_head = h->next;
		h->func(h);
	}
}

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	shim_call_rcu(head, (void (*)(void *))func);
}

void rcu_barrier(void)
{
	if (shim_current()->rcu_depth)
		shim_bug(__FILE__, __LINE__, "rcu_barrier() inside rcu_read_lock() would deadlock");
	shim_host_rcu_barrier();
}

/* ---- BUG() unwinding ---- */
void shim_checkpoint(struct shim_checkpoint *cp)
{
	struct task_struct *t = shim_current();

	cp->spin_depth = t->spin_depth;
	cp->irq_depth = t->irq_depth;
	cp->rcu_depth = t->rcu_depth;
}

void shim_unwind(const struct shim_checkpoint *cp)
{
	struct task_struct *t = shim_current();

	while (t->spin_depth > cp->spin_depth) {
		spinlock_t *l = t->held[min(t->spin_depth, MAX_HELD_SPIN) - 1];
		shim_spin_unlock(l);
	}
	while (t->rcu_depth > cp->rcu_depth)
		rcu_read_unlock();
	t->irq_depth = cp->irq_depth;
	t->state = TASK_RUNNING;
	if (!t->irq_depth)
		irq_work_run_task(t);
}
