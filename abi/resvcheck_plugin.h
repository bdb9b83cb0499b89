/*
 * resvcheck_plugin.h - the stable C ABI between resvcheck and an implementation under test.
 *
 * An implementation of the dma_resv / dma_fence contract becomes testable by building a shared
 * object that exports one symbol, resvcheck_plugin_entry(), returning a struct resvcheck_plugin.
 * resvcheck loads it with `--adapter plugin:PATH`, calls create() once, reset() before every trace,
 * and apply() once per operation. The plugin fills in a struct resvcheck_obs with what the
 * implementation did; the reference model judges it.
 *
 * Objects are named by small integer handles per kind (r0, f3, c1, i0, a0, cb2 in trace text are
 * handles 0, 3, 1, 0, 0, 2). The harness never reuses a handle within one trace. Arguments are in
 * the order listed next to each op kind; an absent optional handle is -1. Every operation the
 * harness sends satisfies the contract's preconditions (lock held where required, slots reserved,
 * no blocking lock attempts), so a plugin may assume them.
 *
 * Minimal example: sut-adapters/example-plugin/example_plugin.c.
 * The numbering below is part of the ABI: never renumber, only append.
 */
#ifndef RESVCHECK_PLUGIN_H
#define RESVCHECK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RESVCHECK_PLUGIN_ABI_VERSION 1

/* enum dma_resv_usage, same values as the kernel. */
enum resvcheck_usage {
	RC_USAGE_KERNEL = 0,
	RC_USAGE_WRITE = 1,
	RC_USAGE_READ = 2,
	RC_USAGE_BOOKKEEP = 3,
};

/*
 * Every op kind, once: X(NAME, number, argument count, API feature it needs, "arguments -> results").
 * The enum below, resvcheck_op_nargs() and resvcheck_op_provided() come from this list; resvcheck's
 * vocabulary (trace/ops.h) is checked against it by a test (same numbers, same argument counts).
 */
#define RESVCHECK_OP_LIST(X) \
	X(FENCE_CONTEXT_ALLOC,          1,  2, RC_FEATURE_BASE,     "c, seqno64: allocate a context; seqno64 != 0 -> fences of it use 64-bit seqnos") \
	X(FENCE_INIT,                   2,  3, RC_FEATURE_BASE,     "f, c, seqno: dma_fence_init, harness holds the initial reference") \
	X(FENCE_SIGNAL,                 3,  1, RC_FEATURE_BASE,     "f -> ret") \
	X(FENCE_SET_ERROR,              4,  2, RC_FEATURE_BASE,     "f, error") \
	X(FENCE_GET_STATUS,             5,  1, RC_FEATURE_BASE,     "f -> ret") \
	X(FENCE_IS_SIGNALED,            6,  1, RC_FEATURE_BASE,     "f -> ret 0/1") \
	X(FENCE_IS_LATER,               7,  2, RC_FEATURE_BASE,     "f1, f2 (same context) -> ret 0/1") \
	X(FENCE_IS_LATER_OR_SAME,       8,  2, RC_FEATURE_BASE,     "f1, f2 (same context) -> ret 0/1") \
	X(FENCE_ADD_CALLBACK,           9,  2, RC_FEATURE_BASE,     "f, cb -> ret") \
	X(FENCE_REMOVE_CALLBACK,        10, 2, RC_FEATURE_BASE,     "f, cb -> ret 0/1") \
	X(FENCE_GET,                    11, 1, RC_FEATURE_BASE,     "f: harness takes one more reference") \
	X(FENCE_PUT,                    12, 1, RC_FEATURE_BASE,     "f: harness drops one reference") \
	X(FENCE_WAIT_TIMEOUT,           13, 4, RC_FEATURE_BASE,     "f, intr, timeout (jiffies; 0 = poll), sigpending -> ret, RC_OBS_LEAKED if it left a callback behind; a wait nobody ends sleeps its timeout out (0 < timeout <= 100), which only an implementation that provides sleep is sent") \
	/* ---- dma_fence_wait_any_timeout (ops 200-209): a wait no fence ends times out, which takes a \
	   clock that skips the sleep (a timed sleep nothing can end passes at once) ---- */ \
	X(FENCE_WAIT_ANY_TIMEOUT,       200, 6, RC_FEATURE_VIRTUAL_TIME, "f0, f1|-1, f2|-1, f3|-1 (the array, in order), timeout (jiffies; 0 = poll), flags (bit 0 intr, bit 1 sigpending) -> ret, fences = {fences[*idx]} when ret > 0 (else none), RC_OBS_LEAKED if it left a callback or an allocation behind") \
	/* ---- kernels: the dma_fence API newer kernels add (6.15 dedup, 6.17 names, 7.0 check_and_signal, 7.1) ---- */ \
	X(FENCE_CHECK_AND_SIGNAL,       60, 1, RC_FEATURE_CHECK_AND_SIGNAL, "f -> ret 0/1: 1 if it was signalled already (else it signals now)") \
	X(FENCE_DRIVER_NAME,            61, 1, RC_FEATURE_NAME_HELPERS, "f -> ret 1: the ops' driver name, 0: the placeholder of a signalled fence") \
	X(FENCE_TIMELINE_NAME,          62, 1, RC_FEATURE_NAME_HELPERS, "f -> ret 1: the ops' timeline name, 0: the placeholder of a signalled fence") \
	X(FENCE_WAS_INITIALIZED,        63, 1, RC_FEATURE_WAS_INITIALIZED, "f -> ret 0/1: dma_fence_was_initialized") \
	X(FENCE_DEDUP_ARRAY,            64, 4, RC_FEATURE_DEDUP,    "f1..f4 (an array of new references) -> ret = count, fences = what is kept, in order") \
	X(FENCE_INIT_INLINE,            65, 3, RC_FEATURE_INLINE_LOCK, "f, c, seqno: dma_fence_init with no lock: the fence uses its inline one") \
	X(WW_ACQUIRE_INIT,              20, 1, RC_FEATURE_BASE,     "a") \
	X(WW_ACQUIRE_DONE,              21, 1, RC_FEATURE_BASE,     "a") \
	X(WW_ACQUIRE_FINI,              22, 1, RC_FEATURE_BASE,     "a") \
	X(RESV_INIT,                    30, 1, RC_FEATURE_BASE,     "r") \
	X(RESV_FINI,                    31, 1, RC_FEATURE_BASE,     "r") \
	X(RESV_LOCK,                    32, 2, RC_FEATURE_BASE,     "r, a|-1 -> ret") \
	X(RESV_LOCK_INTERRUPTIBLE,      33, 3, RC_FEATURE_BASE,     "r, a|-1, sigpending -> ret") \
	X(RESV_LOCK_SLOW,               34, 2, RC_FEATURE_BASE,     "r, a") \
	X(RESV_LOCK_SLOW_INTERRUPTIBLE, 35, 3, RC_FEATURE_BASE,     "r, a, sigpending -> ret") \
	X(RESV_TRYLOCK,                 36, 1, RC_FEATURE_BASE,     "r -> ret 0/1") \
	X(RESV_UNLOCK,                  37, 1, RC_FEATURE_BASE,     "r") \
	X(RESV_IS_LOCKED,               38, 1, RC_FEATURE_BASE,     "r -> ret 0/1") \
	X(RESV_LOCKING_CTX,             39, 1, RC_FEATURE_BASE,     "r -> ret = handle of the holder's acquire context, or -1") \
	X(RESV_RESERVE_FENCES,          40, 2, RC_FEATURE_BASE,     "r, n -> ret") \
	X(RESV_ADD_FENCE,               41, 3, RC_FEATURE_BASE,     "r, f, usage") \
	X(RESV_REPLACE_FENCES,          42, 4, RC_FEATURE_BASE,     "r, c, f, usage") \
	X(RESV_COPY_FENCES,             43, 2, RC_FEATURE_BASE,     "dst r, src r -> ret") \
	X(RESV_GET_FENCES,              44, 2, RC_FEATURE_BASE,     "r, usage -> ret, fences (adapter drops the returned references)") \
	X(RESV_GET_SINGLETON,           45, 2, RC_FEATURE_BASE,     "r, usage -> ret, fences = the result or its members, RC_OBS_CONTAINER if a new container") \
	X(RESV_TEST_SIGNALED,           46, 2, RC_FEATURE_BASE,     "r, usage -> ret 0/1") \
	X(RESV_WAIT_TIMEOUT,            47, 5, RC_FEATURE_BASE,     "r, usage, intr, timeout, sigpending -> ret; as for fence_wait_timeout, a wait on a fence nobody signals sleeps its timeout out") \
	X(RESV_SET_DEADLINE,            48, 2, RC_FEATURE_DEADLINE, "r, usage -> deadlines (fences whose set_deadline op ran)") \
	X(RESV_USAGE_RW,                49, 1, RC_FEATURE_BASE,     "write -> ret = usage") \
	X(RESV_FOR_EACH_FENCE,          50, 2, RC_FEATURE_BASE,     "r, usage: whole locked walk -> fences (restarts flagged)") \
	X(RESV_FOR_EACH_FENCE_UNLOCKED, 51, 2, RC_FEATURE_BASE,     "r, usage: whole unlocked walk -> fences") \
	X(RESV_ITER_BEGIN,              52, 3, RC_FEATURE_BASE,     "i, r, usage: dma_resv_iter_begin") \
	X(RESV_ITER_FIRST,              53, 1, RC_FEATURE_BASE,     "i -> fences (0 or 1 entry), RC_OBS_RESTARTED") \
	X(RESV_ITER_NEXT,               54, 1, RC_FEATURE_BASE,     "i -> fences (0 or 1 entry), RC_OBS_RESTARTED") \
	X(RESV_ITER_FIRST_UNLOCKED,     55, 1, RC_FEATURE_BASE,     "i -> fences (0 or 1 entry), RC_OBS_RESTARTED") \
	X(RESV_ITER_NEXT_UNLOCKED,      56, 1, RC_FEATURE_BASE,     "i -> fences (0 or 1 entry), RC_OBS_RESTARTED") \
	X(RESV_ITER_END,                57, 1, RC_FEATURE_BASE,     "i") \
	/* fence containers (dma-fence-chain.c, -array.c, -unwrap.c): a container is a fence handle the \
	   harness holds one reference on; releases are reported for harness fences only */ \
	X(FENCE_CHAIN_INIT,             80, 4, RC_FEATURE_CONTAINERS, "f (new chain link), fence, prev|-1, seqno: the link takes a reference on fence and prev") \
	X(FENCE_CHAIN_FIND_SEQNO,       81, 2, RC_FEATURE_CONTAINERS, "f, seqno -> ret, fences = what *pfence points to afterwards (none: NULL)") \
	X(FENCE_CHAIN_WALK,             82, 1, RC_FEATURE_CONTAINERS, "f -> fences = every fence dma_fence_chain_for_each(f) visits") \
	X(FENCE_ARRAY_CREATE,           83, 6, RC_FEATURE_CONTAINERS, "f (new array), m0, m1|-1, m2|-1, m3|-1, signal_on_any -> ret 0, -ENOMEM (NULL) or 1 (an error pointer); the array takes a reference per member") \
	X(FENCE_UNWRAP,                 84, 1, RC_FEATURE_CONTAINERS, "f -> fences = every fence dma_fence_unwrap_for_each(f) yields") \
	X(FENCE_UNWRAP_MERGE,           85, 4, RC_FEATURE_CONTAINERS, "m0, m1|-1, m2|-1, m3|-1 -> ret (-ENOMEM NULL, 0 an existing fence, 1 a new array, 2 a new stub), fences = its leaves; the adapter drops it") \
	X(FENCE_ALLOCATE_PRIVATE_STUB,  86, 1, RC_FEATURE_CONTAINERS, "f (new): dma_fence_allocate_private_stub -> ret 0, -ENOMEM (NULL) or 1 (an error pointer)") \
	X(FENCE_IS_CONTAINER,           87, 1, RC_FEATURE_CONTAINERS, "f -> ret 0/1") \
	X(FENCE_GET_STUB,               89, 0, RC_FEATURE_GLOBAL_STUB, "dma_fence_get_stub, then dma_fence_put of what it returned -> ret = dma_fence_get_status of it (1: signalled, no error)") \
	/* -- driver side: locking and fence signalling (lock-dependency reports: RC_OBS_LOCKDEP) -- */ \
	X(SIG_BEGIN,                    120, 0, RC_FEATURE_LOCKDEP, "dma_fence_begin_signalling -> ret = cookie (1: nested, nothing acquired)") \
	X(SIG_END,                      121, 1, RC_FEATURE_LOCKDEP, "cookie: dma_fence_end_signalling") \
	X(DRIVER_ALLOC,                 122, 1, RC_FEATURE_LOCKDEP, "gfp (0 GFP_KERNEL, 1 GFP_NOFS, 2 GFP_NOIO, 3 GFP_NOWAIT, 4 GFP_ATOMIC): a driver allocation (fs_reclaim_acquire/release around it)") \
	X(DRIVER_LOCK,                  123, 1, RC_FEATURE_LOCKDEP, "class (0..3): take the driver mutex of that lock class") \
	X(DRIVER_UNLOCK,                124, 1, RC_FEATURE_LOCKDEP, "class: release it") \
	X(FENCE_MIGHT_WAIT,             125, 0, RC_FEATURE_LOCKDEP, "__dma_fence_might_wait: the annotation of a fence wait") \
	X(SHRINKER_SCAN,                126, 1, RC_FEATURE_LOCKDEP, "r: a shrinker under fs_reclaim(GFP_KERNEL) trylocks r and evicts it -> ret 0/1 (trylock result)") \
	X(MMU_INVALIDATE,               127, 0, RC_FEATURE_LOCKDEP, "an mmu-notifier invalidation: its callback waits for the GPU (might_wait) under the notifier map") \
	X(MIGHT_FAULT,                  128, 0, RC_FEATURE_LOCKDEP, "a user-memory access that may fault (mmap_lock read)") \
	X(SCHED_RUN_JOB,                129, 1, RC_FEATURE_LOCKDEP, "r: a scheduler job using r runs (a signalling section; all it needs was prepared before)") \
	/* -- drm_exec: one execution context per trace; each reservation object is a GEM object's resv -- */ \
	X(DRM_EXEC_INIT,                180, 1, RC_FEATURE_DRM_EXEC, "flags (bit 0 DRM_EXEC_INTERRUPTIBLE_WAIT, bit 1 DRM_EXEC_IGNORE_DUPLICATES): drm_exec_init(exec, flags, 0)") \
	X(DRM_EXEC_CLEANUP,             181, 0, RC_FEATURE_DRM_EXEC, "-> ret 0/1: drm_exec_cleanup, the head of drm_exec_until_all_locked (1: run the body)") \
	X(DRM_EXEC_LOCK_OBJ,            182, 1, RC_FEATURE_DRM_EXEC, "r -> ret") \
	X(DRM_EXEC_PREPARE_OBJ,         183, 2, RC_FEATURE_DRM_EXEC, "r, num_fences -> ret") \
	X(DRM_EXEC_UNLOCK_OBJ,          184, 1, RC_FEATURE_DRM_EXEC, "r") \
	X(DRM_EXEC_FINI,                185, 0, RC_FEATURE_DRM_EXEC, "drm_exec_fini") \
	X(DRM_EXEC_LISTED,              186, 1, RC_FEATURE_DRM_EXEC, "r -> ret = how often drm_exec_for_each_locked_object yields r") \
	X(DRM_GEM_OBJECT_REFS,          187, 1, RC_FEATURE_DRM_EXEC, "r -> ret = references on r's GEM object (the harness holds one)") \
	/* allocation failure: the nth allocation the kernel code makes during the next op fails (the \
	   arming ends with that op); honoured by reserve_fences, copy_fences, get_fences, \
	   get_singleton, array_create, allocate_private_stub and unwrap_merge, ignored by every other op */ \
	X(FAIL_ALLOC,                   88, 1, RC_FEATURE_FAIL_ALLOC, "nth (1..4)") \
	/* time: the calling thread sleeps on the implementation's virtual clock (in a concurrent \
	   block, until every other thread is blocked too; alone, at once) */ \
	X(SLEEP,                        170, 1, RC_FEATURE_VIRTUAL_TIME, "jiffies (1..100): schedule_timeout_uninterruptible") \
	/* -- teardown: the end of every generated case -- */ \
	X(TEARDOWN,                     210, 1, RC_FEATURE_TEARDOWN, "memory: end the case: end every iterator, remove pending callbacks, unlock and fini every object and acquire context, drop every harness reference -> released = the fences released; memory != 0 (sent to RC_FEATURE_FAIL_ALLOC implementations): RC_OBS_LEAKED if memory the implementation allocated remains")

/* API features an op needs beyond the base API of every supported kernel (a bit mask). */
enum resvcheck_feature {
	RC_FEATURE_BASE = 0,
	RC_FEATURE_DEADLINE = 1u << 0,    /* dma_fence_set_deadline / dma_resv_set_deadline (6.3+) */
	/* fence containers: dma_fence_chain, dma_fence_array, dma_fence_unwrap, the private stub */
	RC_FEATURE_CONTAINERS = 1u << 6,
	RC_FEATURE_LOCKDEP = 1u << 10,    /* a lock-dependency recorder reporting through RC_OBS_LOCKDEP, and the driver-side ops */
	RC_FEATURE_DRM_EXEC = 1u << 11,   /* drivers/gpu/drm/drm_exec.c (6.5+) over GEM objects of the harness */
	/* ---- kernels: the newer dma_fence API ---- */
	RC_FEATURE_CHECK_AND_SIGNAL = 1u << 1,  /* bool dma_fence_check_and_signal (7.0+) */
	RC_FEATURE_NAME_HELPERS = 1u << 2,      /* dma_fence_driver_name / dma_fence_timeline_name (6.17+) */
	RC_FEATURE_WAS_INITIALIZED = 1u << 3,   /* dma_fence_was_initialized (7.1+) */
	RC_FEATURE_DEDUP = 1u << 4,             /* dma_fence_dedup_array (6.15+) */
	RC_FEATURE_INLINE_LOCK = 1u << 5,       /* a fence's own lock: dma_fence_init(..., NULL, ...) (7.1+) */
	/* allocation-failure injection: the implementation's allocator can be told to fail */
	RC_FEATURE_FAIL_ALLOC = 1u << 7,
	/* sleeps run on a virtual clock (a timed sleep nothing can end passes at once) and obs.slept
	   says how long each op slept: the op sleep, and waits judged by the time they slept */
	RC_FEATURE_VIRTUAL_TIME = 1u << 12,
	/* the op teardown: the harness ends the case and every fence must then be released. An
	   implementation with RC_FEATURE_FAIL_ALLOC has an instrumented allocator: it also says
	   whether anything the implementation allocated is still live (RC_OBS_LEAKED) */
	RC_FEATURE_TEARDOWN = 1u << 14,
	/* the kernel's one shared stub fence: dma_fence_get_stub */
	RC_FEATURE_GLOBAL_STUB = 1u << 15,
};

enum resvcheck_op_kind {
#define RC_OP_ENUM_(name, num, nargs, feature, doc) RC_OP_##name = num,
	RESVCHECK_OP_LIST(RC_OP_ENUM_)
#undef RC_OP_ENUM_
};

/* The argument count of an op kind, or -1 if there is no such kind. */
static inline int resvcheck_op_nargs(uint32_t kind)
{
	switch (kind) {
#define RC_OP_NARGS_(name, num, nargs, feature, doc) case num: return nargs;
	RESVCHECK_OP_LIST(RC_OP_NARGS_)
#undef RC_OP_NARGS_
	default: return -1;
	}
}

/* Whether an implementation with the API features `features` provides `kind`: what supports()
 * answers for an implementation that implements every op its API has. */
static inline int resvcheck_op_provided(uint32_t kind, uint32_t features)
{
	switch (kind) {
#define RC_OP_PROVIDED_(name, num, nargs, feature, doc) case num: return ((feature) & ~features) == 0;
	RESVCHECK_OP_LIST(RC_OP_PROVIDED_)
#undef RC_OP_PROVIDED_
	default: return 0;
	}
}

#define RC_OP_MAX_ARGS 6

struct resvcheck_op {
	uint32_t kind;                     /* enum resvcheck_op_kind */
	uint32_t nargs;
	int64_t args[RC_OP_MAX_ARGS];
};

/* Observation flags */
#define RC_OBS_RESTARTED (1u << 0)     /* dma_resv_iter_is_restarted() after the step: true after every first step
                                          and every restart, also when the step yields no fence (empty object) */
#define RC_OBS_CONTAINER (1u << 1)     /* get_singleton returned a new container of the listed fences */
/* A lock-dependency report during the op (RC_FEATURE_LOCKDEP); last_error() returns its text, whose
 * first line is "lockdep: cycle HELD -> TAKEN", "lockdep: recursive CLASS" or "lockdep: unbalanced
 * CLASS" (lockdep class names: dma_fence_map, reservation_ww_class_mutex, fs_reclaim, ...). */
#define RC_OBS_LOCKDEP (1u << 2)
#define RC_OBS_LEAKED (1u << 3)        /* the op failed for lack of memory and left memory it allocated;
                                          teardown: memory the implementation allocated is still live */

#define RC_OBS_MAX 256

struct resvcheck_entry {
	uint32_t fence;                    /* fence handle */
	uint32_t usage;                    /* enum resvcheck_usage */
};

/*
 * What the implementation did during one op. For walks, each yielded fence is one entry. For a
 * whole walk (RC_OP_RESV_FOR_EACH_FENCE*), RC_OBS_RESTARTED means the walk restarted after its
 * first fence; the adapter then discards the entries before the last restart, as the kernel's
 * consumers do. For get_fences and get_singleton the usage field of an entry is ignored.
 */
struct resvcheck_obs {
	int64_t ret;                       /* return value (negative errno, boolean 0/1, usage, handle) */
	uint32_t flags;                    /* RC_OBS_* */
	uint32_t warnings;                 /* WARN splats emitted during the op */
	uint32_t n_fences;
	struct resvcheck_entry fences[RC_OBS_MAX];
	uint32_t n_callbacks;              /* callbacks run during the op, in the order they ran */
	uint32_t callbacks[RC_OBS_MAX];
	uint32_t n_released;               /* harness fences whose release ran during the op */
	uint32_t released[RC_OBS_MAX];
	uint32_t n_deadlines;              /* fences whose set_deadline hook ran during the op */
	uint32_t deadlines[RC_OBS_MAX];
	/* jiffies the op slept (RC_FEATURE_VIRTUAL_TIME); the harness sets 0 before each op, an
	   implementation without a clock leaves it there */
	uint32_t slept;
};

/* apply() results */
enum resvcheck_apply_status {
	RC_APPLY_OK = 0,
	RC_APPLY_UNSUPPORTED = 1,          /* this implementation does not provide the op */
	RC_APPLY_BUG = 2,                  /* the implementation hit BUG() or an internal assertion */
};

struct resvcheck_plugin {
	uint32_t abi_version;              /* RESVCHECK_PLUGIN_ABI_VERSION */
	const char *name;
	const char *profile;               /* model profile it claims to implement: "contract", "linux-6.12", ... */
	/* options: the text after "plugin:PATH," or NULL. On failure return NULL and write a message to err. */
	void *(*create)(const char *options, char *err, size_t errlen);
	void (*destroy)(void *self);
	void (*reset)(void *self);         /* forget every object: start a new trace */
	int (*supports)(void *self, uint32_t op_kind);  /* fixed for the instance's life: asked once per kind */
	int (*apply)(void *self, const struct resvcheck_op *op, struct resvcheck_obs *obs);
	/* optional, may be NULL: a message about the last RC_APPLY_BUG (e.g. the BUG_ON site) */
	const char *(*last_error)(void *self);
};

typedef const struct resvcheck_plugin *(*resvcheck_plugin_entry_fn)(void);
#define RESVCHECK_PLUGIN_ENTRY "resvcheck_plugin_entry"

/*
 * Concurrency (optional, ABI version 1 compatible): a plugin that can run a block of ops on
 * threads also exports resvcheck_plugin_threads_entry(). apply_block runs ops[i] on thread
 * threads[i] (each thread runs its ops in index order), one thread runnable at a time, switching
 * at the implementation's synchronisation points: at the j-th point where more than one thread
 * can run, thread schedule[j] runs if it can, else the running thread goes on (or the lowest
 * runnable one); past the schedule's end the running thread goes on. It fills obs[i] and
 * status[i] (an RC_APPLY_* value; ops after a BUG on their thread are not run: status -1), the
 * switch point counts start[i]/end[i] when op i began and returned, and the choice made at each
 * point with a choice. Returns 0, or -1 when the block deadlocked (message says where).
 */
struct resvcheck_block {
	uint32_t n;
	const struct resvcheck_op *ops;
	const uint8_t *threads;
	const uint8_t *schedule;
	uint32_t nsched;
	struct resvcheck_obs *obs;
	int32_t *status;
	uint32_t *start, *end;
	uint8_t *realised, *runnable;	/* cap entries each */
	uint32_t cap;
	uint32_t nrealised;		/* out: choices made */
	uint32_t ndefault;		/* out: trailing choices the default rule makes too */
	char message[160];		/* out */
};

struct resvcheck_plugin_threads {
	uint32_t max_threads;
	int (*apply_block)(void *self, struct resvcheck_block *block);
};

typedef const struct resvcheck_plugin_threads *(*resvcheck_plugin_threads_entry_fn)(void);
#define RESVCHECK_PLUGIN_THREADS_ENTRY "resvcheck_plugin_threads_entry"

#ifdef __cplusplus
}
#endif

#endif /* RESVCHECK_PLUGIN_H */
