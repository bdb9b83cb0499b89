#ifndef _SHIM_LINUX_SCHED_MM_H
#define _SHIM_LINUX_SCHED_MM_H
/*
 * fs_reclaim annotations (mm/page_alloc.c): a mask that may enter direct reclaim takes the
 * "fs_reclaim" pseudo-lock if it may do fs I/O, and touches the mmu-notifier map (reclaim can
 * invalidate); others do nothing. No PF_MEMALLOC/scoped-NOFS tasks in the shim.
 */
#include <linux/gfp.h>
#include <linux/types.h>
void fs_reclaim_acquire(gfp_t gfp_mask);
void fs_reclaim_release(gfp_t gfp_mask);
#endif
