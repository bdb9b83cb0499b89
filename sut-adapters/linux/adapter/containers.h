/* SPDX-License-Identifier: MIT */
/*
 * containers.h - what the fence-container glue (containers.c) needs from the linux adapter.
 *
 * Container ops create fences the kernel allocates (chain links, arrays, stubs); the adapter's
 * fence table names them by handle like harness fences (la_new_fence: the trace holds the one
 * reference the creator returned). Observations name fences by handle (la_obs_fence).
 */
#ifndef RESVCHECK_LINUX_CONTAINERS_H
#define RESVCHECK_LINUX_CONTAINERS_H

#include <linux/types.h>

struct dma_fence;
struct linux_adapter;
struct resvcheck_op;
struct resvcheck_obs;

struct dma_fence *la_fence(struct linux_adapter *ad, s64 h);
struct dma_fence *la_fence_or_null(struct linux_adapter *ad, s64 h);	/* -1 -> NULL */
struct resvcheck_obs *la_obs(struct linux_adapter *ad);
void la_obs_fence(struct linux_adapter *ad, struct dma_fence *f);
void la_new_fence(struct linux_adapter *ad, s64 h, struct dma_fence *f);

/* fail_alloc: arms the shim's allocator for the kernel call that follows (if the op is armed);
 * disarm right after it, so the glue's own allocations never fail. */
void la_fail_arm(struct linux_adapter *ad);
void la_fail_disarm(void);

/* Applies a container op (RC_FEATURE_CONTAINERS), or returns RC_APPLY_UNSUPPORTED. */
int la_containers_apply(struct linux_adapter *ad, const struct resvcheck_op *op);

#endif
