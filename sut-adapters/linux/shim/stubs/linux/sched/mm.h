#ifndef _SHIM_LINUX_SCHED_MM_H
#define _SHIM_LINUX_SCHED_MM_H
/* Only dma-resv.c's CONFIG_LOCKDEP priming needs this (fs_reclaim_*): deliberately empty. */
#endif
