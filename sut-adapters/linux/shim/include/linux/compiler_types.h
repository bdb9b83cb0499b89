#ifndef _SHIM_LINUX_COMPILER_TYPES_H
#define _SHIM_LINUX_COMPILER_TYPES_H
/* Force-included. Sparse annotations are empty; attributes map to GCC/Clang. */
#define __rcu
#define __iomem
#define __user
#define __kernel
#define __force
#define __bitwise
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __cond_acquires(x)
#define __private
#define __percpu
#define __init
#define __exit
#define __initdata
#define __sched
#define __cold __attribute__((__cold__))
#define __always_inline inline __attribute__((__always_inline__))
#define noinline __attribute__((__noinline__))
#define __noreturn __attribute__((__noreturn__))
#define __must_check __attribute__((__warn_unused_result__))
#define __maybe_unused __attribute__((__unused__))
#define __always_unused __attribute__((__unused__))
#define __used __attribute__((__used__))
#define __packed __attribute__((__packed__))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#define __weak __attribute__((__weak__))
#define __pure __attribute__((__pure__))
#define __counted_by(m)
#define __nonstring
#define fallthrough __attribute__((__fallthrough__))
#define notrace
#define __visible
#define asmlinkage
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __same_type(a, b) __builtin_types_compatible_p(typeof(a), typeof(b))
#define __unqual_scalar_typeof(x) typeof(x)
#endif
