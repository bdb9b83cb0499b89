/*
 * driver_ops.h - the linux adapter's driver-side ops (resvcheck_plugin.h 120-129): a small,
 * correct driver around the tree's real annotations (dma_fence_begin/end_signalling,
 * __dma_fence_might_wait, fs_reclaim, reservation locks), so that the lock-dependency recorder
 * (shim/lockdep.h) sees what the kernel's lockdep would. Kernel-side TU, separate from
 * linux_adapter.c.
 */
#ifndef RESVCHECK_LINUX_DRIVER_OPS_H
#define RESVCHECK_LINUX_DRIVER_OPS_H
#include "resvcheck_plugin.h"
struct dma_resv;
/* Applies a driver-side op; r is the reservation object of SHRINKER_SCAN / SCHED_RUN_JOB (else NULL). */
int linux_driver_apply(const struct resvcheck_op *op, struct resvcheck_obs *obs, struct dma_resv *r);
/* Drops the driver locks a trace left held (before the recorder is reset). */
void linux_driver_reset(void);
#endif
