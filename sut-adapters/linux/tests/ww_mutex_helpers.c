// SPDX-License-Identifier: MIT
/* Kernel-side wrappers around the shim's ww_mutex for ww_mutex_test.cpp (a C++ TU cannot include
 * the kernel-shaped headers). */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/ww_mutex.h>
#include <shim/host.h>
#include <shim/kernel.h>
#include "ww_mutex_helpers.h"

static DEFINE_WD_CLASS(test_ww_class);

void *wwt_lock_new(void)
{
	struct ww_mutex *l = kzalloc(sizeof(*l), GFP_KERNEL);
	ww_mutex_init(l, &test_ww_class);
	return l;
}

void wwt_lock_free(void *lock) { kfree(lock); }

void *wwt_ctx_new(void)
{
	struct ww_acquire_ctx *c = kzalloc(sizeof(*c), GFP_KERNEL);
	ww_acquire_init(c, &test_ww_class);
	return c;
}

void wwt_ctx_done(void *ctx) { ww_acquire_done(ctx); }
void wwt_ctx_fini(void *ctx) { ww_acquire_fini(ctx); }
unsigned long wwt_ctx_stamp(void *ctx) { return ((struct ww_acquire_ctx *)ctx)->stamp; }
unsigned int wwt_ctx_acquired(void *ctx) { return ((struct ww_acquire_ctx *)ctx)->acquired; }

struct call {
	void *lock, *ctx;
	int interruptible, slow;
};

static int do_lock(void *arg)
{
	struct call *c = arg;

	if (c->slow) {
		if (c->interruptible)
			return ww_mutex_lock_slow_interruptible(c->lock, c->ctx);
		ww_mutex_lock_slow(c->lock, c->ctx);
		return 0;
	}
	return c->interruptible ? ww_mutex_lock_interruptible(c->lock, c->ctx)
				: ww_mutex_lock(c->lock, c->ctx);
}

static int guarded_lock(void *lock, void *ctx, int interruptible, int sigpending, int slow)
{
	struct call c = { lock, ctx, interruptible, slow };
	struct shim_checkpoint cp;
	int bugged, ret;

	shim_set_signal_pending(current, sigpending);
	shim_checkpoint(&cp);
	ret = shim_host_guarded_call(do_lock, &c, &bugged);
	if (bugged)
		shim_unwind(&cp);
	shim_set_signal_pending(current, false);
	return bugged ? WWT_BUG : ret;
}

int wwt_lock(void *lock, void *ctx, int interruptible, int sigpending)
{
	return guarded_lock(lock, ctx, interruptible, sigpending, 0);
}

int wwt_lock_slow(void *lock, void *ctx, int interruptible, int sigpending)
{
	return guarded_lock(lock, ctx, interruptible, sigpending, 1);
}

int wwt_trylock(void *lock, void *ctx) { return ww_mutex_trylock(lock, ctx); }
int wwt_unlock(void *lock) { ww_mutex_unlock(lock); return 0; }
int wwt_is_locked(void *lock) { return ww_mutex_is_locked(lock); }
void *wwt_holder_ctx(void *lock) { return ((struct ww_mutex *)lock)->ctx; }
unsigned long wwt_warns(void) { return shim_warn_count(); }
const char *wwt_last_bug(void) { return shim_last_bug(); }
void wwt_new_boot(void) { shim_reset_debug_state(); }

struct holder {
	struct ww_mutex *lock;
	struct ww_acquire_ctx *ctx;
	int hold_ms;
	int locked;	/* set once the kthread holds the lock */
	int ready;	/* main thread's ctx exists: the kthread may lock now */
};

static int holder_fn(void *arg)
{
	struct holder *h = arg;

	while (!READ_ONCE(h->ready))
		cond_resched();
	if (ww_mutex_lock(h->lock, h->ctx))
		return -EINVAL;
	WRITE_ONCE(h->locked, 1);
	msleep(h->hold_ms);
	ww_mutex_unlock(h->lock);
	ww_acquire_fini(h->ctx);
	return 0;
}

int wwt_thread_contend(int hold_ms, int kthread_older, int main_holds_other, long *waited_ms)
{
	struct ww_mutex *lock = wwt_lock_new(), *other = wwt_lock_new();
	struct ww_acquire_ctx *mine, *theirs;
	struct holder h = { .lock = lock, .hold_ms = hold_ms };
	struct task_struct *t;
	ktime_t start;
	int ret, err;

	if (kthread_older) {
		theirs = wwt_ctx_new();
		mine = wwt_ctx_new();
	} else {
		mine = wwt_ctx_new();
		theirs = wwt_ctx_new();
	}
	h.ctx = theirs;
	if (main_holds_other)
		ww_mutex_lock(other, mine);
	t = kthread_run(holder_fn, &h, "ww-holder");
	if (IS_ERR(t))
		return -ENOMEM;
	WRITE_ONCE(h.ready, 1);
	while (!READ_ONCE(h.locked))
		cond_resched();
	start = ktime_get();
	ret = ww_mutex_lock(lock, mine);
	*waited_ms = ktime_to_ms(ktime_get() - start);
	if (!ret)
		ww_mutex_unlock(lock);
	if (main_holds_other)
		ww_mutex_unlock(other);
	ww_acquire_fini(mine);
	err = kthread_stop(t);
	kfree(mine);
	kfree(theirs);
	kfree(lock);
	kfree(other);
	return err ? err : ret;
}
