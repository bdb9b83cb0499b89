#ifndef _SHIM_LINUX_MMU_NOTIFIER_H
#define _SHIM_LINUX_MMU_NOTIFIER_H
/* Included by dma-resv.c for its CONFIG_LOCKDEP-only priming code (mm_alloc, mmap locks,
 * fs_reclaim), which the shim does not build. Deliberately empty: any real use fails to compile. */
#endif
