/* SPDX-License-Identifier: MIT */
/*
 * fence_api7.h - the glue for the dma_fence API newer kernels add, by probed feature
 * (features.def): check_and_signal (7.0), the RCU name helpers (6.17), was_initialized and the
 * inline fence lock (7.1), dedup_array (6.15). Part of linux_adapter.c (included once, after the
 * harness helpers it uses); a tree without a feature answers its ops unsupported.
 */
#ifndef RESVCHECK_LINUX_FENCE_API7_H
#define RESVCHECK_LINUX_FENCE_API7_H

#include <linux/dma-fence-unwrap.h>

static u32 fence_api7_features(void)
{
	return 0
#ifdef RC_LINUX_HAVE_CHECK_AND_SIGNAL
	       | RC_FEATURE_CHECK_AND_SIGNAL
#endif
#ifdef RC_LINUX_HAVE_NAME_HELPERS
	       | RC_FEATURE_NAME_HELPERS
#endif
#ifdef RC_LINUX_HAVE_WAS_INITIALIZED
	       | RC_FEATURE_WAS_INITIALIZED
#endif
#ifdef RC_LINUX_HAVE_DEDUP_ARRAY
	       | RC_FEATURE_DEDUP
#endif
#ifdef RC_LINUX_HAVE_INLINE_LOCK
	       | RC_FEATURE_INLINE_LOCK
#endif
	       ;
}

#ifdef RC_LINUX_HAVE_NAME_HELPERS
/* 1 when the helper gives the harness ops' name, 0 for a placeholder; read under RCU as documented */
static int name_is_own(struct dma_fence *f, bool timeline)
{
	const char __rcu *name;
	int own;

	rcu_read_lock();
	name = timeline ? dma_fence_timeline_name(f) : dma_fence_driver_name(f);
	own = !strcmp(rcu_dereference(name), timeline ? harness_timeline_name(f) : harness_driver_name(f));
	rcu_read_unlock();
	return own;
}
#endif

static int apply_fence_api7(struct linux_adapter *ad, const struct resvcheck_op *op, struct resvcheck_obs *obs)
{
	const s64 *a = op->args;

	(void)a;	/* a tree with none of the features */
	switch (op->kind) {
#ifdef RC_LINUX_HAVE_CHECK_AND_SIGNAL
	case RC_OP_FENCE_CHECK_AND_SIGNAL:
		obs->ret = dma_fence_check_and_signal(fence(ad, a[0]));
		return RC_APPLY_OK;
#endif
#ifdef RC_LINUX_HAVE_NAME_HELPERS
	case RC_OP_FENCE_DRIVER_NAME:
		obs->ret = name_is_own(fence(ad, a[0]), false);
		return RC_APPLY_OK;
	case RC_OP_FENCE_TIMELINE_NAME:
		obs->ret = name_is_own(fence(ad, a[0]), true);
		return RC_APPLY_OK;
#endif
#ifdef RC_LINUX_HAVE_WAS_INITIALIZED
	case RC_OP_FENCE_WAS_INITIALIZED:
		obs->ret = dma_fence_was_initialized(fence(ad, a[0]));
		return RC_APPLY_OK;
#endif
#ifdef RC_LINUX_HAVE_DEDUP_ARRAY
	case RC_OP_FENCE_DEDUP_ARRAY: {
		/* the array holds a reference of each entry, as dma_fence_unwrap_merge's does */
		struct dma_fence *arr[4];
		long n, i;

		for (i = 0; i < 4; i++)
			arr[i] = dma_fence_get(fence(ad, a[i]));
		n = dma_fence_dedup_array(arr, 4);
		obs->ret = n;
		if (n < 0 || n > 4)
			shim_bug(__FILE__, __LINE__, "adapter: dma_fence_dedup_array kept %ld of 4 entries", n);
		for (i = 0; i < n; i++)
			obs_fence(ad, arr[i], DMA_RESV_USAGE_BOOKKEEP);
		for (i = 0; i < n; i++)
			dma_fence_put(arr[i]);
		return RC_APPLY_OK;
	}
#endif
#ifdef RC_LINUX_HAVE_INLINE_LOCK
	case RC_OP_FENCE_INIT_INLINE: {
		struct fence_entry *e;
		unsigned long flags;

		init_harness_fence(ad, a, true);
		/* the fence's own lock must work from the start: a broken one oopses in this op */
		e = fence_entry(ad, a[0]);
		dma_fence_lock_irqsave(&e->hf->base, flags);
		dma_fence_unlock_irqrestore(&e->hf->base, flags);
		return RC_APPLY_OK;
	}
#endif
	default:
		return RC_APPLY_UNSUPPORTED;
	}
}

#endif
