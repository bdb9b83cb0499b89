#ifndef _SHIM_LINUX_ATOMIC_H
#define _SHIM_LINUX_ATOMIC_H
/* Kernel atomics on GCC __atomic builtins; value-returning RMW ops are fully ordered as in the LKMM. */
#include <linux/types.h>
#include <linux/compiler.h>
#include <asm/barrier.h>

#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }
#define ATOMIC_LONG_INIT(i) { (i) }

#define cmpxchg(ptr, old, new) ({					\
	typeof(*(ptr)) __old = (old);					\
	__atomic_compare_exchange_n((ptr), &__old, (new), 0,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);\
	__old; })
#define try_cmpxchg(ptr, oldp, new)					\
	__atomic_compare_exchange_n((ptr), (oldp), (new), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define xchg(ptr, v) __atomic_exchange_n((ptr), (v), __ATOMIC_SEQ_CST)
#define cmpxchg_relaxed cmpxchg

#define __SHIM_ATOMIC_OPS(pfx, T, V)					\
static inline V pfx##_read(const T *v) { return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); } \
static inline V pfx##_read_acquire(const T *v) { return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE); } \
static inline void pfx##_set(T *v, V i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_set_release(T *v, V i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELEASE); } \
static inline void pfx##_add(V i, T *v) { __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_sub(V i, T *v) { __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_inc(T *v) { pfx##_add(1, v); }		\
static inline void pfx##_dec(T *v) { pfx##_sub(1, v); }		\
static inline V pfx##_fetch_add(V i, T *v) { return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline V pfx##_fetch_sub(V i, T *v) { return __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline V pfx##_fetch_add_relaxed(V i, T *v) { return __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); } \
static inline V pfx##_add_return(V i, T *v) { return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline V pfx##_sub_return(V i, T *v) { return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline V pfx##_inc_return(T *v) { return pfx##_add_return(1, v); } \
static inline V pfx##_dec_return(T *v) { return pfx##_sub_return(1, v); } \
static inline V pfx##_inc_return_relaxed(T *v) { return __atomic_add_fetch(&v->counter, 1, __ATOMIC_RELAXED); } \
static inline bool pfx##_dec_and_test(T *v) { return pfx##_sub_return(1, v) == 0; } \
static inline bool pfx##_inc_and_test(T *v) { return pfx##_add_return(1, v) == 0; } \
static inline V pfx##_cmpxchg(T *v, V o, V n) { return cmpxchg(&v->counter, o, n); } \
static inline bool pfx##_try_cmpxchg(T *v, V *o, V n) { return try_cmpxchg(&v->counter, o, n); } \
static inline V pfx##_xchg(T *v, V n) { return xchg(&v->counter, n); } \
static inline bool pfx##_add_unless(T *v, V a, V u)		\
{ V c = pfx##_read(v); do { if (c == u) return false; } while (!pfx##_try_cmpxchg(v, &c, c + a)); return true; } \
static inline bool pfx##_inc_not_zero(T *v) { return pfx##_add_unless(v, 1, 0); }

__SHIM_ATOMIC_OPS(atomic, atomic_t, int)
__SHIM_ATOMIC_OPS(atomic64, atomic64_t, s64)
#define atomic_long_read atomic64_read
#define atomic_long_set atomic64_set
#define atomic_long_inc atomic64_inc
#define atomic_long_inc_return atomic64_inc_return
#define atomic_long_inc_return_relaxed atomic64_inc_return_relaxed
#define atomic_long_fetch_add atomic64_fetch_add
#define atomic_long_cmpxchg atomic64_cmpxchg
#endif
