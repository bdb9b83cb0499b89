#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H
/*
 * kmalloc over malloc with SLUB's x86-64 bucket sizes: 8, 16, 32, 64, 96, 128, 192, 256, 512,
 * 1024, 2048, 4096, 8192, then whole pages (PAGE_SIZE << order). kmalloc(n) really allocates
 * kmalloc_size_roundup(n) bytes and ksize() returns it, so a dma_resv_list's max_fences (computed
 * from the bucket) is the kernel's. kmem_caches allocate their object size; SLAB_TYPESAFE_BY_RCU
 * caches free through call_rcu (stricter than the kernel, which may reuse at once). No failure
 * injection: allocations fail only when malloc does.
 */
#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/init.h>	/* the kernel's slab.h reaches it through gfp.h (7.x dma-fence.c relies on it) */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define KMALLOC_MAX_CACHE_SIZE (PAGE_SIZE * 2)
#define KMALLOC_MAX_SIZE (1UL << 22)
#define ARCH_KMALLOC_MINALIGN 8
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

#define SLAB_HWCACHE_ALIGN 0x00002000U
#define SLAB_TYPESAFE_BY_RCU 0x00080000U
#define SLAB_PANIC 0x00040000U
#define SLAB_RECLAIM_ACCOUNT 0x00020000U

void *kmalloc(size_t size, gfp_t flags) __attribute__((__malloc__));
void *kzalloc(size_t size, gfp_t flags) __attribute__((__malloc__));
void *krealloc(const void *p, size_t new_size, gfp_t flags);
void kfree(const void *p);
size_t ksize(const void *p);
size_t kmalloc_size_roundup(size_t size);
static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags) { return kmalloc(size_mul(n, size), flags); }
static inline void *kcalloc(size_t n, size_t size, gfp_t flags) { return kzalloc(size_mul(n, size), flags); }
static inline void *krealloc_array(void *p, size_t n, size_t size, gfp_t flags) { return krealloc(p, size_mul(n, size), flags); }
#define kvmalloc kmalloc
#define kvzalloc kzalloc
#define kvmalloc_array kmalloc_array
#define kvcalloc kcalloc
#define kvfree kfree
#define kvrealloc krealloc	/* kvrealloc(p, size, gfp): the 6.12+ form drm_exec.c uses */
/*
 * The typed allocators of 7.0: the first argument is an object or a type, GFP is optional
 * (GFP_KERNEL), the result has the object's pointer type.
 */
#define __shim_gfp_(gfp, ...) gfp
#define __shim_gfp(...) __shim_gfp_(__VA_ARGS__ __VA_OPT__(,) GFP_KERNEL, 0)
#define kmalloc_obj(P, ...) ((typeof(P) *)kmalloc(sizeof(P), __shim_gfp(__VA_ARGS__)))
#define kzalloc_obj(P, ...) ((typeof(P) *)kzalloc(sizeof(P), __shim_gfp(__VA_ARGS__)))
#define kmalloc_objs(P, n, ...) ((typeof(P) *)kmalloc_array(n, sizeof(P), __shim_gfp(__VA_ARGS__)))
#define kzalloc_objs(P, n, ...) ((typeof(P) *)kcalloc(n, sizeof(P), __shim_gfp(__VA_ARGS__)))
#define kvmalloc_objs(P, n, ...) ((typeof(P) *)kvmalloc_array(n, sizeof(P), __shim_gfp(__VA_ARGS__)))
#define kzalloc_flex(P, fam, n, ...) \
	((typeof(P) *)kzalloc(struct_size((typeof(P) *)NULL, fam, n), __shim_gfp(__VA_ARGS__)))

struct kmem_cache;
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags);
void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags);
void kmem_cache_free(struct kmem_cache *s, void *obj);
#define KMEM_CACHE(__struct, __flags)					\
	kmem_cache_create(#__struct, sizeof(struct __struct),		\
			  __alignof__(struct __struct), (__flags), 0)
#endif
