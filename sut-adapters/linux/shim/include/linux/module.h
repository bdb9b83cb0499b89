#ifndef _SHIM_LINUX_MODULE_H
#define _SHIM_LINUX_MODULE_H
/*
 * selftest.c is a module: module_init/module_exit become shim_module_init/exit (called by the
 * selftest runner) and module_param_named registers the parameter so the runner can set it
 * from the command line the way `modprobe dmabuf_selftests st_filter=...` would.
 */
#include <linux/init.h>
#include <linux/export.h>
#include <linux/moduleparam.h>
#define module_init(fn) int shim_module_init(void); int shim_module_init(void) { return fn(); }
#define module_exit(fn) void shim_module_exit(void); void shim_module_exit(void) { fn(); }
#define MODULE_LICENSE(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_AUTHOR(x)
#define MODULE_IMPORT_NS(x)
#define THIS_MODULE ((struct module *)0)
#endif
