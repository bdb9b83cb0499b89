// SPDX-License-Identifier: MIT
/*
 * driver_ops.c - the linux adapter's driver-side ops (see driver_ops.h). Each does what a correct
 * driver does at that point: run_job is an annotated signalling section that takes nothing, the
 * shrinker trylocks, the mmu-notifier callback waits under the notifier map.
 */
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/kernel.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <shim/kernel.h>

#include "driver_ops.h"

#define NR_DRIVER_LOCKS 4

/* a driver mutex per named lock class; the lockdep class is the name */
static struct driver_lock {
	struct mutex mutex;
	struct lockdep_map dep_map;
	bool held;
} driver_locks[NR_DRIVER_LOCKS] = {
	{ .dep_map = STATIC_LOCKDEP_MAP_INIT("driver_lock_0", NULL) },
	{ .dep_map = STATIC_LOCKDEP_MAP_INIT("driver_lock_1", NULL) },
	{ .dep_map = STATIC_LOCKDEP_MAP_INIT("driver_lock_2", NULL) },
	{ .dep_map = STATIC_LOCKDEP_MAP_INIT("driver_lock_3", NULL) },
};

/* a user-memory access that may fault: might_fault() takes mmap_lock for read */
static struct lockdep_map mmap_lock_map = STATIC_LOCKDEP_MAP_INIT("&mm->mmap_lock", NULL);

static void might_fault(void)
{
	lock_acquire(&mmap_lock_map, 0, 0, 1, 1, NULL, 0);
	lock_release(&mmap_lock_map, 0);
}

static const gfp_t gfp_class[] = { GFP_KERNEL, GFP_NOFS, GFP_NOIO, GFP_NOWAIT, GFP_ATOMIC };

static struct driver_lock *driver_lock(s64 k)
{
	if (k < 0 || k >= NR_DRIVER_LOCKS)
		shim_bug(__FILE__, __LINE__, "adapter: driver lock class %lld out of range", k);
	return &driver_locks[k];
}

/* kmalloc with the allocator's lockdep annotation (might_alloc) */
static void driver_alloc(gfp_t gfp)
{
	void *p;

	fs_reclaim_acquire(gfp);
	fs_reclaim_release(gfp);
	p = kmalloc(64, gfp);
	kfree(p);
}

int linux_driver_apply(const struct resvcheck_op *op, struct resvcheck_obs *obs, struct dma_resv *r)
{
	const s64 *a = op->args;

	switch (op->kind) {
	case RC_OP_SIG_BEGIN:
		obs->ret = dma_fence_begin_signalling();
		break;
	case RC_OP_SIG_END:
		dma_fence_end_signalling(a[0]);
		break;
	case RC_OP_DRIVER_ALLOC:
		if (a[0] < 0 || a[0] >= ARRAY_SIZE(gfp_class))
			shim_bug(__FILE__, __LINE__, "adapter: gfp class %lld out of range", a[0]);
		driver_alloc(gfp_class[a[0]]);
		break;
	case RC_OP_DRIVER_LOCK: {
		struct driver_lock *l = driver_lock(a[0]);

		if (!l->held)
			mutex_init(&l->mutex);
		mutex_lock(&l->mutex);
		lock_map_acquire(&l->dep_map);
		l->held = true;
		break;
	}
	case RC_OP_DRIVER_UNLOCK: {
		struct driver_lock *l = driver_lock(a[0]);

		lock_map_release(&l->dep_map);
		mutex_unlock(&l->mutex);
		l->held = false;
		break;
	}
	case RC_OP_FENCE_MIGHT_WAIT:
		__dma_fence_might_wait();
		break;
	case RC_OP_SHRINKER_SCAN:
		fs_reclaim_acquire(GFP_KERNEL);
		obs->ret = dma_resv_trylock(r);
		if (obs->ret)
			dma_resv_unlock(r);	/* evicted */
		fs_reclaim_release(GFP_KERNEL);
		break;
	case RC_OP_MMU_INVALIDATE:
		lock_map_acquire(&__mmu_notifier_invalidate_range_start_map);
		__dma_fence_might_wait();	/* the callback waits for the GPU to stop using the range */
		lock_map_release(&__mmu_notifier_invalidate_range_start_map);
		break;
	case RC_OP_MIGHT_FAULT:
		might_fault();
		break;
	case RC_OP_SCHED_RUN_JOB: {
		/* everything the job needs was prepared in the submit ioctl: push it to the ring */
		bool cookie = dma_fence_begin_signalling();

		(void)r;
		dma_fence_end_signalling(cookie);
		break;
	}
	default:
		return RC_APPLY_UNSUPPORTED;
	}
	return RC_APPLY_OK;
}

void linux_driver_reset(void)
{
	for (int i = 0; i < NR_DRIVER_LOCKS; i++) {
		if (driver_locks[i].held)
			mutex_unlock(&driver_locks[i].mutex);
		driver_locks[i].held = false;
	}
}
