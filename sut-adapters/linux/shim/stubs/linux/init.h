#ifndef _SHIM_LINUX_INIT_H
#define _SHIM_LINUX_INIT_H
#include <linux/compiler_types.h>
/*
 * Initcalls land in section shim_initcall; the lockdep recorder runs them once at boot (the only
 * one in the tree's files is dma-resv.c's dma_resv_lockdep, which primes the lock order).
 */
typedef int (*shim_initcall_t)(void);
#define subsys_initcall(fn)						\
	static shim_initcall_t __shim_initcall_##fn			\
	__attribute__((used, section("shim_initcall"))) = fn
#define late_initcall(fn) subsys_initcall(fn)
#endif
