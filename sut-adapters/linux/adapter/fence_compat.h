/* SPDX-License-Identifier: MIT */
/*
 * fence_compat.h - the dma_fence API the glue uses, one section per probed feature
 * (features.def; RC_LINUX_HAVE_* comes from the generated rc_linux_features.h), never per version.
 *
 *   rc_fence_init(f, ops, lock, context, seqno, seqno64)   64-bit seqnos by flag or by ops
 *   rc_fence_signal(f)                                     0, or -EINVAL if it was signalled
 *   rc_fence_is_later_or_same(f1, f2)
 *   RC_HARNESS_OPS_SEQNO64(b)                              the ops field, where it exists
 */
#ifndef RESVCHECK_LINUX_FENCE_COMPAT_H
#define RESVCHECK_LINUX_FENCE_COMPAT_H

#include <linux/dma-fence.h>
#include <linux/errno.h>

/* 64-bit seqnos: dma_fence_init64 sets a flag (6.17+), before that the ops say so */
#if defined(RC_LINUX_HAVE_INIT64)
#define RC_HARNESS_OPS_SEQNO64(b)
#define RC_HARNESS_OPS_VARIANTS 1
static inline void rc_fence_init(struct dma_fence *f, const struct dma_fence_ops *ops, spinlock_t *lock,
				 u64 context, u64 seqno, bool seqno64)
{
	if (seqno64)
		dma_fence_init64(f, ops, lock, context, seqno);
	else
		dma_fence_init(f, ops, lock, context, seqno);
}
#elif defined(RC_LINUX_HAVE_OPS_SEQNO64)
#define RC_HARNESS_OPS_SEQNO64(b) .use_64bit_seqno = (b),
#define RC_HARNESS_OPS_VARIANTS 2	/* ops[seqno64] */
static inline void rc_fence_init(struct dma_fence *f, const struct dma_fence_ops *ops, spinlock_t *lock,
				 u64 context, u64 seqno, bool seqno64)
{
	dma_fence_init(f, &ops[seqno64], lock, context, seqno);
}
#else
#error "the shim knows no way to give this tree's fences 64-bit seqnos (neither dma_fence_init64 nor dma_fence_ops.use_64bit_seqno)"
#endif

/* signalling: void dma_fence_signal + bool dma_fence_check_and_signal (7.0+), or int dma_fence_signal */
#if defined(RC_LINUX_HAVE_SIGNAL_VOID)
#if !defined(RC_LINUX_HAVE_CHECK_AND_SIGNAL)
#error "dma_fence_signal returns void but there is no dma_fence_check_and_signal: the glue cannot tell a second signal"
#endif
static inline int rc_fence_signal(struct dma_fence *f)
{
	return dma_fence_check_and_signal(f) ? -EINVAL : 0;
}
#else
static inline int rc_fence_signal(struct dma_fence *f) { return dma_fence_signal(f); }
#endif

/* dma_fence_is_later_or_same: 6.5 (backported to 6.1.x, missing from 6.6.0): same object, or later */
#if defined(RC_LINUX_HAVE_IS_LATER_OR_SAME)
#define rc_fence_is_later_or_same dma_fence_is_later_or_same
#else
static inline bool rc_fence_is_later_or_same(struct dma_fence *f1, struct dma_fence *f2)
{
	return f1 == f2 || dma_fence_is_later(f1, f2);
}
#endif

#endif
