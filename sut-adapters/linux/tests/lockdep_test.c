// SPDX-License-Identifier: MIT
/*
 * lockdep_test.c - the shim's lock-dependency recorder against a tree's own annotations.
 * Kernel-side TU linked with a tree's dma-fence.c/dma-resv.c: the primed order must be the one
 * the tree's dma_resv_lockdep() initcall records, and single-threaded sequences that only a
 * pseudo-lock makes wrong (a signalling section, then a reservation lock) must be reported with
 * both acquisition sites. Exit 0 when every case passes.
 */
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/kernel.h>
#include <linux/sched/mm.h>
#include <shim/kernel.h>
#include <shim/lockdep.h>

static int failures;

#define CHECK(cond, fmt, ...) do {						\
	if (!(cond)) {								\
		printk(KERN_ERR "FAIL %s:%d: %s: " fmt "\n", __func__, __LINE__,	\
		       #cond, ##__VA_ARGS__);					\
		failures++;							\
	}									\
} while (0)

static const char *report_text(void)
{
	const char *t;

	shim_lockdep_report(&t);
	return t;
}

static void expect_report(enum shim_lockdep_kind kind, const char *a, const char *b)
{
	const char *t = report_text();

	CHECK(shim_lockdep_report(NULL) == kind, "kind %d, report: %s", shim_lockdep_report(NULL), t);
	CHECK(!a || strstr(t, a), "no '%s' in: %s", a, t);
	CHECK(!b || strstr(t, b), "no '%s' in: %s", b, t);
}

static void expect_clean(void)
{
	CHECK(shim_lockdep_report(NULL) == SHIM_LOCKDEP_NONE, "unexpected report: %s", report_text());
}

/* The primed order, and that it was the tree's initcall that recorded it. */
static void test_primed_order(void)
{
	static const char *const chain[][3] = {
		{ "&mm->mmap_lock", "reservation_ww_class_acquire", "dma_resv_lockdep" },
		{ "reservation_ww_class_acquire", "reservation_ww_class_mutex", "dma_resv_lock" },
		{ "reservation_ww_class_mutex", "fs_reclaim", "fs_reclaim_acquire" },
		{ "fs_reclaim", "&mapping->i_mmap_rwsem", "i_mmap_lock_write" },
		{ "fs_reclaim", "mmu_notifier_invalidate_range_start", "fs_reclaim_acquire" },
		{ "mmu_notifier_invalidate_range_start", "dma_fence_map", "__dma_fence_might_wait" },
	};

	shim_lockdep_reset();
	for (unsigned int i = 0; i < ARRAY_SIZE(chain); i++) {
		const char *fn = shim_lockdep_dependency(chain[i][0], chain[i][1]);

		CHECK(fn && !strcmp(fn, chain[i][2]), "%s -> %s recorded by %s, expected %s",
		      chain[i][0], chain[i][1], fn ? fn : "(nothing)", chain[i][2]);
	}
	/* nothing else is primed: no direct resv -> dma_fence_map */
	CHECK(!shim_lockdep_dependency("reservation_ww_class_mutex", "dma_fence_map"), "unexpected");
}

/* A signalling section, then a reservation lock: only pseudo-locks close the cycle. */
static void test_resv_in_signalling(void)
{
	struct dma_resv obj;
	bool cookie;

	shim_lockdep_reset();
	dma_resv_init(&obj);
	shim_lockdep_set_op(3);
	cookie = dma_fence_begin_signalling();
	shim_lockdep_set_op(4);
	dma_resv_lock(&obj, NULL);
	expect_report(SHIM_LOCKDEP_CYCLE, "lockdep: cycle dma_fence_map -> reservation_ww_class_mutex",
		      NULL);
	expect_report(SHIM_LOCKDEP_CYCLE, "reservation_ww_class_mutex taken at op 4 (dma_resv_lock)",
		      "dma_fence_map taken at op 3 (dma_fence_begin_signalling)");
	CHECK(strstr(report_text(), "boot (__dma_fence_might_wait)"), "path lacks the primed site: %s",
	      report_text());
	dma_resv_unlock(&obj);
	dma_fence_end_signalling(cookie);
	dma_resv_fini(&obj);
}

/* trylock adds no dependency into the lock: the shrinker's way is legal */
static void test_trylock_in_signalling(void)
{
	struct dma_resv obj;
	bool cookie;

	shim_lockdep_reset();
	dma_resv_init(&obj);
	cookie = dma_fence_begin_signalling();
	CHECK(dma_resv_trylock(&obj), "trylock failed");
	dma_resv_unlock(&obj);
	dma_fence_end_signalling(cookie);
	expect_clean();
	dma_resv_fini(&obj);
}

static void test_alloc_in_signalling(void)
{
	bool cookie;

	shim_lockdep_reset();
	cookie = dma_fence_begin_signalling();
	fs_reclaim_acquire(GFP_NOWAIT);
	fs_reclaim_release(GFP_NOWAIT);
	expect_clean();
	shim_lockdep_set_op(7);
	fs_reclaim_acquire(GFP_KERNEL);
	fs_reclaim_release(GFP_KERNEL);
	dma_fence_end_signalling(cookie);
	expect_report(SHIM_LOCKDEP_CYCLE, "fs_reclaim taken at op 7 (fs_reclaim_acquire)", "dma_fence_map");

	/* GFP_NOFS still enters direct reclaim: the mmu-notifier map closes the cycle */
	shim_lockdep_reset();
	cookie = dma_fence_begin_signalling();
	fs_reclaim_acquire(GFP_NOFS);
	fs_reclaim_release(GFP_NOFS);
	dma_fence_end_signalling(cookie);
	expect_report(SHIM_LOCKDEP_CYCLE, "mmu_notifier_invalidate_range_start taken", "dma_fence_map");
}

/* allocating and waiting under a reservation lock are what the priming allows */
static void test_allowed_under_resv(void)
{
	struct dma_resv obj;

	shim_lockdep_reset();
	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	fs_reclaim_acquire(GFP_KERNEL);
	fs_reclaim_release(GFP_KERNEL);
	__dma_fence_might_wait();
	dma_resv_unlock(&obj);
	expect_clean();
	dma_resv_fini(&obj);
}

/* one class for every reservation lock; the acquire context is the nest lock */
static void test_two_resv(void)
{
	struct dma_resv a, b;
	struct ww_acquire_ctx ctx;

	shim_lockdep_reset();
	dma_resv_init(&a);
	dma_resv_init(&b);
	ww_acquire_init(&ctx, &reservation_ww_class);
	CHECK(!dma_resv_lock(&a, &ctx), "lock a");
	CHECK(!dma_resv_lock(&b, &ctx), "lock b");
	dma_resv_unlock(&b);
	dma_resv_unlock(&a);
	ww_acquire_fini(&ctx);
	expect_clean();

	/* without a context it is recursive locking, but among ww classes alone it is not reported
	 * (the harness's API ops stand for several tasks) */
	dma_resv_lock(&a, NULL);
	dma_resv_lock(&b, NULL);
	expect_clean();
	dma_resv_unlock(&b);
	dma_resv_unlock(&a);
	dma_resv_fini(&a);
	dma_resv_fini(&b);
}

/* any other class taken twice is recursive locking */
static void test_recursive(void)
{
	struct lockdep_map driver_lock = STATIC_LOCKDEP_MAP_INIT("driver_lock", NULL);

	shim_lockdep_reset();
	shim_lockdep_set_op(1);
	lock_map_acquire(&driver_lock);
	shim_lockdep_set_op(2);
	lock_map_acquire(&driver_lock);
	expect_report(SHIM_LOCKDEP_RECURSIVE, "lockdep: recursive driver_lock",
		      "already held, taken at op 1 (test_recursive)");
	lock_map_release(&driver_lock);
	lock_map_release(&driver_lock);
}

/* waiting while holding a lock that some signalling section takes */
static void test_wait_holding_signalling_lock(void)
{
	struct lockdep_map driver_lock = STATIC_LOCKDEP_MAP_INIT("driver_lock", NULL);
	bool cookie;

	shim_lockdep_reset();
	cookie = dma_fence_begin_signalling();
	lock_map_acquire(&driver_lock);
	lock_map_release(&driver_lock);
	dma_fence_end_signalling(cookie);
	expect_clean();
	lock_map_acquire(&driver_lock);
	__dma_fence_might_wait();
	lock_map_release(&driver_lock);
	expect_report(SHIM_LOCKDEP_CYCLE, "dma_fence_map taken at op 0 (__dma_fence_might_wait)", "driver_lock");
	/* waiting directly inside a section is fine (might_wait drops the read hold) */
	shim_lockdep_reset();
	cookie = dma_fence_begin_signalling();
	__dma_fence_might_wait();
	dma_fence_end_signalling(cookie);
	expect_clean();
}

/* a subclass is a class of its own: its dependencies do not meet the base class's */
static void test_subclass(void)
{
	struct lockdep_map map = STATIC_LOCKDEP_MAP_INIT("sub_map", NULL);
	struct lockdep_map driver_lock = STATIC_LOCKDEP_MAP_INIT("driver_lock", NULL);

	shim_lockdep_reset();
	lock_acquire(&map, 1, 0, 0, 1, NULL, 0);
	lock_map_acquire(&driver_lock);
	lock_map_release(&driver_lock);
	lock_release(&map, 0);
	CHECK(shim_lockdep_dependency("sub_map/1", "driver_lock"), "sub_map/1 -> driver_lock not recorded");
	CHECK(!shim_lockdep_dependency("sub_map", "driver_lock"), "recorded under the base class");
	lock_map_acquire(&driver_lock);
	lock_map_acquire(&map);
	lock_map_release(&map);
	lock_map_release(&driver_lock);
	expect_clean();	/* driver_lock -> sub_map closes no cycle with sub_map/1 -> driver_lock */
	lock_map_acquire(&driver_lock);
	lock_acquire(&map, 1, 0, 0, 1, NULL, 0);
	expect_report(SHIM_LOCKDEP_CYCLE, "sub_map/1", "driver_lock");
	lock_release(&map, 0);
	lock_map_release(&driver_lock);
}

static void test_unbalanced_and_reset(void)
{
	struct dma_resv obj;
	bool cookie;

	shim_lockdep_reset();
	cookie = dma_fence_begin_signalling();
	dma_fence_end_signalling(cookie);
	dma_fence_end_signalling(cookie);
	expect_report(SHIM_LOCKDEP_UNBALANCED, "lockdep: unbalanced dma_fence_map", "dma_fence_end_signalling");
	/* a dependency recorded after boot goes at reset; the primed ones stay */
	shim_lockdep_reset();
	dma_resv_init(&obj);
	dma_resv_lock(&obj, NULL);
	cookie = dma_fence_begin_signalling();
	dma_fence_end_signalling(cookie);
	dma_resv_unlock(&obj);
	CHECK(shim_lockdep_dependency("reservation_ww_class_mutex", "dma_fence_map"), "not recorded");
	shim_lockdep_reset();
	CHECK(!shim_lockdep_dependency("reservation_ww_class_mutex", "dma_fence_map"), "survived reset");
	CHECK(shim_lockdep_dependency("fs_reclaim", "mmu_notifier_invalidate_range_start"), "primed lost");
	dma_resv_fini(&obj);
}

static int run(void *unused)
{
	test_primed_order();
	test_resv_in_signalling();
	test_trylock_in_signalling();
	test_alloc_in_signalling();
	test_allowed_under_resv();
	test_two_resv();
	test_recursive();
	test_wait_holding_signalling_lock();
	test_subclass();
	test_unbalanced_and_reset();
	return 0;
}

int main(void)
{
	int bugged;

	shim_console_loglevel = 3;
	shim_host_guarded_call(run, NULL, &bugged);
	if (bugged) {
		printk(KERN_ERR "BUG: %s\n", shim_last_bug());
		return 1;
	}
	printk(KERN_ERR "lockdep_test: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
