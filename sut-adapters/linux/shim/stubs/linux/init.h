#ifndef _SHIM_LINUX_INIT_H
#define _SHIM_LINUX_INIT_H
#include <linux/compiler_types.h>
/* initcalls are not run: only dma-resv.c's lockdep priming uses one, under CONFIG_LOCKDEP (off) */
#define subsys_initcall(fn)
#define late_initcall(fn)
#endif
