// SPDX-License-Identifier: MIT
/*
 * slab.c - kmalloc with SLUB's size classes over malloc (see linux/slab.h).
 * Every object has a 48-byte header in front: the bucket size (ksize), a magic that catches
 * kfree() of a pointer kmalloc never returned, and an rcu_head used by kfree_rcu() and
 * SLAB_TYPESAFE_BY_RCU caches, so the object's own rcu_head is never overwritten.
 * Allocations can be made to fail (shim_fail_alloc_arm), and live objects are counted, so the
 * adapter can tell whether a failed call freed what it allocated.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/rcupdate.h>
#include <shim/host.h>
#include <shim/kernel.h>

#define KMALLOC_MAGIC 0x6b6d616c6c6f6321ull
#define KMALLOC_FREED 0x6b66726565642121ull

struct kmalloc_hdr {
	struct rcu_head rcu;
	u32 size;	/* bucket (ksize) */
	u32 cache_flags;
	u64 magic;
	u64 serial;	/* allocation number: which objects were allocated since the mark */
	u64 pad;
};
_Static_assert(sizeof(struct kmalloc_hdr) == 48, "keeps objects 16-byte aligned");

struct kmem_cache {
	const char *name;
	unsigned int size;
	slab_flags_t flags;
	void (*ctor)(void *);
};

static struct kmalloc_hdr *hdr_of(const void *p)
{
	struct kmalloc_hdr *h = (struct kmalloc_hdr *)p - 1;

	if (h->magic != KMALLOC_MAGIC)
		shim_bug(__FILE__, __LINE__, "%s of %p: not a live kmalloc object",
			 h->magic == KMALLOC_FREED ? "double free" : "bad free", p);
	return h;
}

/* SLUB's kmalloc caches on x86-64: 8..192 with the 96 and 192 odd sizes, then powers of two */
size_t kmalloc_size_roundup(size_t size)
{
	static const unsigned int buckets[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512,
						1024, 2048, 4096, 8192 };
	if (!size)
		return 0;	/* kmalloc(0) returns ZERO_SIZE_PTR */
	if (size <= KMALLOC_MAX_CACHE_SIZE) {
		for (unsigned int i = 0;; i++)
			if (size <= buckets[i])
				return buckets[i];
	}
	if (size <= KMALLOC_MAX_SIZE)
		return PAGE_SIZE << (fls_long((size - 1) >> PAGE_SHIFT));	/* PAGE_SIZE << get_order(size) */
	return size;	/* kmalloc() would fail */
}

/* per thread: the op that armed the failure, or marked, runs on it (real threads run ops at once) */
static __thread unsigned int fail_countdown;	/* the allocation that makes it reach 0 fails */
static u64 alloc_serial;
static __thread u64 mark_serial;
static __thread long live_since_mark;		/* objects allocated after the mark and not freed */
static u64 trace_serial;			/* the trace began after this allocation */
static long trace_live;				/* objects allocated since and not freed, every thread */
static __thread bool harness_alloc;		/* allocating for the harness: serial 0, never counted */

void shim_fail_alloc_arm(unsigned int nth) { fail_countdown = nth; }
void shim_kmalloc_mark(void)
{
	mark_serial = __atomic_load_n(&alloc_serial, __ATOMIC_RELAXED);
	live_since_mark = 0;
}
long shim_kmalloc_live_since_mark(void) { return live_since_mark; }
void shim_kmalloc_trace_begin(void)
{
	trace_serial = __atomic_load_n(&alloc_serial, __ATOMIC_RELAXED);
	__atomic_store_n(&trace_live, 0, __ATOMIC_RELAXED);
}
long shim_kmalloc_trace_live(void) { return __atomic_load_n(&trace_live, __ATOMIC_RELAXED); }

/* A free as the caller sees it (kfree_rcu and RCU caches count when they are called). */
static void note_free(const struct kmalloc_hdr *h)
{
	if (h->serial > mark_serial)
		live_since_mark--;
	if (h->serial > trace_serial)
		__atomic_sub_fetch(&trace_live, 1, __ATOMIC_RELAXED);
}

static void *alloc_object(size_t bucket, bool zero, u32 cache_flags)
{
	struct kmalloc_hdr *h;

	if (fail_countdown && --fail_countdown == 0)
		return NULL;
	h = shim_host_malloc(sizeof(*h) + bucket);
	if (!h)
		return NULL;
	if (harness_alloc) {
		h->serial = 0;
	} else {
		h->serial = __atomic_add_fetch(&alloc_serial, 1, __ATOMIC_RELAXED);
		live_since_mark++;
		__atomic_add_fetch(&trace_live, 1, __ATOMIC_RELAXED);
	}
	h->size = bucket;
	h->cache_flags = cache_flags;
	h->magic = KMALLOC_MAGIC;
	if (zero)
		memset(h + 1, 0, bucket);
	return h + 1;
}

static void *__kmalloc(size_t size, gfp_t flags, bool zero)
{
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	return alloc_object(kmalloc_size_roundup(size), zero || (flags & __GFP_ZERO), 0);
}

void *kmalloc(size_t size, gfp_t flags) { return __kmalloc(size, flags, false); }
void *kzalloc(size_t size, gfp_t flags) { return __kmalloc(size, flags, true); }

size_t ksize(const void *p)
{
	if (ZERO_OR_NULL_PTR(p))
		return 0;
	return hdr_of(p)->size;
}

/*
 * In a concurrent block freed memory is poisoned (SLUB's 0x6b) and kept until the block ends: a
 * reader that uses it after the free reads poison, the same under every run of the schedule.
 */
static struct kmalloc_hdr *quarantine;

static void free_now(struct kmalloc_hdr *h)
{
	h->magic = KMALLOC_FREED;
	if (rc_sched_in_block()) {
		memset(h + 1, 0x6b, h->size);
		h->rcu.next = (struct rcu_head *)quarantine;
		quarantine = h;
		return;
	}
	shim_host_free(h);
}

void shim_quarantine_drain(void)
{
	while (quarantine) {
		struct kmalloc_hdr *h = quarantine;

		quarantine = (struct kmalloc_hdr *)h->rcu.next;
		shim_host_free(h);
	}
}

void kfree(const void *p)
{
	if (ZERO_OR_NULL_PTR(p))
		return;
	note_free(hdr_of(p));
	free_now(hdr_of(p));
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	void *n;

	if (!new_size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (!ZERO_OR_NULL_PTR(p) && new_size <= ksize(p))
		return (void *)p;	/* still fits the bucket: the kernel keeps the object */
	n = kmalloc(new_size, flags);
	if (!n)
		return NULL;
	if (!ZERO_OR_NULL_PTR(p)) {
		memcpy(n, p, ksize(p));
		kfree(p);
	}
	return n;
}

void *shim_harness_kzalloc(size_t size)
{
	void *p;

	harness_alloc = true;
	p = kzalloc(size, GFP_KERNEL);
	harness_alloc = false;
	return p;
}

void *shim_harness_krealloc(const void *p, size_t size)
{
	void *n;

	harness_alloc = true;
	n = krealloc(p, size, GFP_KERNEL);
	harness_alloc = false;
	return n;
}

static void rcu_free_cb(void *head)
{
	free_now(container_of((struct rcu_head *)head, struct kmalloc_hdr, rcu));
}

void shim_kfree_rcu(const void *p)
{
	if (ZERO_OR_NULL_PTR(p))
		return;
	note_free(hdr_of(p));
	shim_call_rcu(&hdr_of(p)->rcu, rcu_free_cb);
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *))
{
	struct kmem_cache *s = kzalloc(sizeof(*s), GFP_KERNEL);

	(void)align;	/* malloc's 16 bytes cover every alignment used here */
	if (!s)
		return NULL;
	s->name = name;
	s->size = size;
	s->flags = flags;
	s->ctor = ctor;
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	if (!s)
		return;
	if (s->flags & SLAB_TYPESAFE_BY_RCU)
		rcu_barrier();	/* as the kernel does before tearing such a cache down */
	kfree(s);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)
{
	void *p = alloc_object(s->size, flags & __GFP_ZERO, s->flags);

	if (p && s->ctor)
		s->ctor(p);
	return p;
}

void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags) { return kmem_cache_alloc(s, flags | __GFP_ZERO); }

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	struct kmalloc_hdr *h;

	(void)s;
	if (!obj)
		return;
	h = hdr_of(obj);
	note_free(h);
	if (h->cache_flags & SLAB_TYPESAFE_BY_RCU)
		shim_call_rcu(&h->rcu, rcu_free_cb);	/* readers may still look at it */
	else
		free_now(h);
}

/* ---- reclaim annotations (mm/page_alloc.c, mm/mmu_notifier.c): pseudo-locks for the recorder ---- */
static struct lockdep_map __fs_reclaim_map = STATIC_LOCKDEP_MAP_INIT("fs_reclaim", NULL);
struct lockdep_map __mmu_notifier_invalidate_range_start_map =
	STATIC_LOCKDEP_MAP_INIT("mmu_notifier_invalidate_range_start", NULL);

/* no PF_MEMALLOC tasks and no __GFP_NOLOCKDEP here: direct reclaim is the whole test */
static bool need_reclaim(gfp_t gfp_mask) { return gfp_mask & __GFP_DIRECT_RECLAIM; }

void fs_reclaim_acquire(gfp_t gfp_mask)
{
	if (need_reclaim(gfp_mask)) {
		if (gfp_mask & __GFP_FS)
			lock_map_acquire(&__fs_reclaim_map);
		lock_map_acquire(&__mmu_notifier_invalidate_range_start_map);
		lock_map_release(&__mmu_notifier_invalidate_range_start_map);
	}
}

void fs_reclaim_release(gfp_t gfp_mask)
{
	if (need_reclaim(gfp_mask) && (gfp_mask & __GFP_FS))
		lock_map_release(&__fs_reclaim_map);
}
