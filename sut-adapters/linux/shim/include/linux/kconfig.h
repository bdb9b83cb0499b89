/* Force-included into every kernel-side TU (as the kernel's Makefile does). Config of the shim:
 * CONFIG_DEBUG_MUTEXES comes from the build variant; LOCKDEP is on (the shim's recorder,
 * shim/lockdep.h) with MMU_NOTIFIER as in Debian's kernels; PROVE_RCU stays off (see README). */
#ifndef _SHIM_LINUX_KCONFIG_H
#define _SHIM_LINUX_KCONFIG_H
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define IS_BUILTIN(option) __is_defined(option)
#define IS_MODULE(option) __is_defined(option##_MODULE)
#define IS_ENABLED(option) __or(IS_BUILTIN(option), IS_MODULE(option))
#define __or(x, y)			___or(x, y)
#define ___or(x, y)			____or(__ARG_PLACEHOLDER_##x, y)
#define ____or(arg1_or_junk, y)		__take_second_arg(arg1_or_junk 1, y)
#define CONFIG_64BIT 1
#define CONFIG_SMP 1
#define CONFIG_HZ 250		/* Debian's amd64 kernels */
#define CONFIG_MMU 1
#define CONFIG_LOCKDEP 1
#define CONFIG_MMU_NOTIFIER 1
#endif
