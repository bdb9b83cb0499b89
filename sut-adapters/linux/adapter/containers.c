// SPDX-License-Identifier: MIT
/*
 * containers.c - the linux adapter's fence-container ops: dma_fence_chain_init/walk/find_seqno,
 * dma_fence_array_create, dma_fence_unwrap_for_each / dma_fence_unwrap_merge,
 * dma_fence_allocate_private_stub and dma_fence_get_stub, called as a driver calls them (the
 * kernel's own files).
 */
#include <linux/err.h>
#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <shim/kernel.h>

#include "resvcheck_plugin.h"
#include "rc_linux_features.h"
#include "containers.h"

static int array_create(struct linux_adapter *ad, const s64 *a)
{
	struct dma_fence **fences = kmalloc_array(4, sizeof(*fences), GFP_KERNEL);
	struct dma_fence_array *array;
	int n = 0;

	if (!fences)
		return -ENOMEM;
	for (int i = 1; i <= 4; i++)
		if (a[i] >= 0)
			fences[n++] = dma_fence_get(la_fence(ad, a[i]));
	u64 context = dma_fence_context_alloc(1);

	la_fail_arm(ad);
#ifdef RC_LINUX_HAVE_ARRAY_SIGNAL_ON_ANY
	array = dma_fence_array_create(n, fences, context, 1, a[5] != 0);
#else
	if (a[5])
		shim_bug(__FILE__, __LINE__, "adapter: this tree has no signal_on_any");
	array = dma_fence_array_create(n, fences, context, 1);
#endif
	la_fail_disarm();
	if (IS_ERR_OR_NULL(array)) {	/* the references and the fence table stay the caller's */
		for (int i = 0; i < n; i++)
			dma_fence_put(fences[i]);
		kfree(fences);
		return array ? 1 : -ENOMEM;	/* 1: an error pointer, where callers test for NULL */
	}
	la_new_fence(ad, a[0], &array->base);
	return 0;
}

/* The leaves of a merge's result, reported as they are; then the result is dropped. */
static s64 unwrap_merge(struct linux_adapter *ad, const s64 *a)
{
	struct dma_fence *in[4], *res, *f;
	struct dma_fence_unwrap cursors[4];
	unsigned int n = 0;
	s64 kind;

	for (int i = 0; i < 4; i++)
		if (a[i] >= 0)
			in[n++] = la_fence(ad, a[i]);
	la_fail_arm(ad);
	res = __dma_fence_unwrap_merge(n, in, cursors);
	la_fail_disarm();
	if (!res)
		return -ENOMEM;
	if (dma_fence_is_array(res)) {
		struct dma_fence_array *arr = to_dma_fence_array(res);

		kind = 1;
		for (unsigned int i = 0; i < arr->num_fences; i++)
			la_obs_fence(ad, arr->fences[i]);
	} else {
		kind = 0;
		for (unsigned int i = 0; i < n && kind == 0; i++) {
			struct dma_fence_unwrap c;

			dma_fence_unwrap_for_each(f, &c, in[i])
				if (f == res)
					kind = 3;	/* one of the leaves itself */
		}
		if (kind == 3) {
			la_obs_fence(ad, res);
			kind = 0;
		} else {
			kind = 2;	/* anything else is a new stub: reported by kind, it has no handle */
		}
	}
	dma_fence_put(res);
	return kind;
}

int la_containers_apply(struct linux_adapter *ad, const struct resvcheck_op *op)
{
	struct resvcheck_obs *obs = la_obs(ad);
	const s64 *a = op->args;
	struct dma_fence *f;

	switch (op->kind) {
	case RC_OP_FENCE_CHAIN_INIT: {
		struct dma_fence_chain *chain = dma_fence_chain_alloc();
		struct dma_fence *fence = la_fence(ad, a[1]), *prev = la_fence_or_null(ad, a[2]);

		if (!chain)
			shim_bug(__FILE__, __LINE__, "adapter: out of memory");
		dma_fence_chain_init(chain, dma_fence_get(prev), dma_fence_get(fence), a[3]);
		la_new_fence(ad, a[0], &chain->base);
		break;
	}
	case RC_OP_FENCE_CHAIN_FIND_SEQNO:
		f = dma_fence_get(la_fence(ad, a[0]));
		obs->ret = dma_fence_chain_find_seqno(&f, a[1]);
		if (f) {
			la_obs_fence(ad, f);
			dma_fence_put(f);
		}
		break;
	case RC_OP_FENCE_CHAIN_WALK: {
		struct dma_fence *it;

		dma_fence_chain_for_each(it, la_fence(ad, a[0]))
			la_obs_fence(ad, it);
		break;
	}
	case RC_OP_FENCE_ARRAY_CREATE:
		obs->ret = array_create(ad, a);
		break;
	case RC_OP_FENCE_UNWRAP: {
		struct dma_fence_unwrap c;

		dma_fence_unwrap_for_each(f, &c, la_fence(ad, a[0]))
			la_obs_fence(ad, f);
		break;
	}
	case RC_OP_FENCE_UNWRAP_MERGE:
		obs->ret = unwrap_merge(ad, a);
		break;
	case RC_OP_FENCE_ALLOCATE_PRIVATE_STUB:
		la_fail_arm(ad);
		f = dma_fence_allocate_private_stub(ktime_get());
		la_fail_disarm();
		if (IS_ERR_OR_NULL(f)) {
			obs->ret = f ? 1 : -ENOMEM;	/* 1: an error pointer, where callers test for NULL */
			break;
		}
		la_new_fence(ad, a[0], f);
		break;
	case RC_OP_FENCE_GET_STUB:
		f = dma_fence_get_stub();
		obs->ret = dma_fence_get_status(f);
		dma_fence_put(f);
		break;
	case RC_OP_FENCE_IS_CONTAINER:
		obs->ret = dma_fence_is_container(la_fence(ad, a[0]));
		break;
	default:
		return RC_APPLY_UNSUPPORTED;
	}
	return RC_APPLY_OK;
}
