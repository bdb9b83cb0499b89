#ifndef _SHIM_LINUX_BUG_H
#define _SHIM_LINUX_BUG_H
/*
 * WARN*: print a splat and count it into the current op's observation (shim_warn_count).
 * BUG*: print and longjmp out of the adapter's apply() (RC_APPLY_BUG) or abort outside one.
 * WARN_ONCE sites re-arm when the adapter resets (one trace = one boot).
 */
#include <linux/compiler.h>
#include <linux/types.h>

extern unsigned long shim_warn_generation;
void shim_warn(const char *file, int line, const char *fmt, ...) __printf(3, 4);
void shim_bug(const char *file, int line, const char *fmt, ...) __printf(3, 4) __noreturn;

#define __WARN_printf(fmt, ...) shim_warn(__FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define WARN(condition, format...) ({					\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		__WARN_printf(format);					\
	unlikely(__ret_warn_on);					\
})
#define WARN_ON(condition) ({						\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		__WARN_printf("WARN_ON(%s)", #condition);		\
	unlikely(__ret_warn_on);					\
})
#define WARN_ONCE(condition, format...) ({				\
	static unsigned long __warned_gen;				\
	int __ret_warn_once = !!(condition);				\
	if (unlikely(__ret_warn_once && __warned_gen != shim_warn_generation + 1)) { \
		__warned_gen = shim_warn_generation + 1;		\
		__WARN_printf(format);					\
	}								\
	unlikely(__ret_warn_once);					\
})
#define WARN_ON_ONCE(condition) WARN_ONCE(condition, "WARN_ON_ONCE(%s)", #condition)
#define BUG() shim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(condition) do { if (unlikely(condition)) shim_bug(__FILE__, __LINE__, "BUG_ON(%s)", #condition); } while (0)
#define BUILD_BUG_ON(condition) _Static_assert(!(condition), "BUILD_BUG_ON(" #condition ")")
#define BUILD_BUG_ON_MSG(cond, msg) _Static_assert(!(cond), msg)
#define static_assert(expr, ...) _Static_assert(expr, #expr)
#endif
