#ifndef _SHIM_LINUX_MODULEPARAM_H
#define _SHIM_LINUX_MODULEPARAM_H
#include <linux/compiler.h>
#include <linux/types.h>
enum shim_param_kind { __shim_param_kind_bool, __shim_param_kind_charp, __shim_param_kind_int };
void shim_register_param(const char *name, void *var, enum shim_param_kind kind);
#define module_param_named(name, value, type, perm)			\
	static void __attribute__((constructor)) __PASTE(__shim_param_, name)(void) \
	{ shim_register_param(#name, &(value), __shim_param_kind_##type); }
#define module_param(name, type, perm) module_param_named(name, name, type, perm)
#endif
