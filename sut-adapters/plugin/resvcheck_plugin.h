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

enum resvcheck_op_kind {
	/* dma_fence */
	RC_OP_FENCE_CONTEXT_ALLOC = 1,     /* c, seqno64: allocate a context; seqno64 != 0 -> fences of it use 64-bit seqnos */
	RC_OP_FENCE_INIT = 2,              /* f, c, seqno: dma_fence_init, harness holds the initial reference */
	RC_OP_FENCE_SIGNAL = 3,            /* f -> ret */
	RC_OP_FENCE_SET_ERROR = 4,         /* f, error */
	RC_OP_FENCE_GET_STATUS = 5,        /* f -> ret */
	RC_OP_FENCE_IS_SIGNALED = 6,       /* f -> ret 0/1 */
	RC_OP_FENCE_IS_LATER = 7,          /* f1, f2 (same context) -> ret 0/1 */
	RC_OP_FENCE_IS_LATER_OR_SAME = 8,  /* f1, f2 (same context) -> ret 0/1 */
	RC_OP_FENCE_ADD_CALLBACK = 9,      /* f, cb -> ret */
	RC_OP_FENCE_REMOVE_CALLBACK = 10,  /* f, cb -> ret 0/1 */
	RC_OP_FENCE_GET = 11,              /* f: harness takes one more reference */
	RC_OP_FENCE_PUT = 12,              /* f: harness drops one reference */
	RC_OP_FENCE_WAIT_TIMEOUT = 13,     /* f, intr, timeout (jiffies; 0 = poll), sigpending -> ret */

	/* ww_acquire_ctx on reservation_ww_class */
	RC_OP_WW_ACQUIRE_INIT = 20,        /* a */
	RC_OP_WW_ACQUIRE_DONE = 21,        /* a */
	RC_OP_WW_ACQUIRE_FINI = 22,        /* a */

	/* dma_resv */
	RC_OP_RESV_INIT = 30,              /* r */
	RC_OP_RESV_FINI = 31,              /* r */
	RC_OP_RESV_LOCK = 32,              /* r, a|-1 -> ret */
	RC_OP_RESV_LOCK_INTERRUPTIBLE = 33,/* r, a|-1, sigpending -> ret */
	RC_OP_RESV_LOCK_SLOW = 34,         /* r, a */
	RC_OP_RESV_LOCK_SLOW_INTERRUPTIBLE = 35, /* r, a, sigpending -> ret */
	RC_OP_RESV_TRYLOCK = 36,           /* r -> ret 0/1 */
	RC_OP_RESV_UNLOCK = 37,            /* r */
	RC_OP_RESV_IS_LOCKED = 38,         /* r -> ret 0/1 */
	RC_OP_RESV_LOCKING_CTX = 39,       /* r -> ret = handle of the holder's acquire context, or -1 */
	RC_OP_RESV_RESERVE_FENCES = 40,    /* r, n -> ret */
	RC_OP_RESV_ADD_FENCE = 41,         /* r, f, usage */
	RC_OP_RESV_REPLACE_FENCES = 42,    /* r, c, f, usage */
	RC_OP_RESV_COPY_FENCES = 43,       /* dst r, src r -> ret */
	RC_OP_RESV_GET_FENCES = 44,        /* r, usage -> ret, fences (adapter drops the returned references) */
	RC_OP_RESV_GET_SINGLETON = 45,     /* r, usage -> ret, fences = the result or its members, RC_OBS_CONTAINER if a new container */
	RC_OP_RESV_TEST_SIGNALED = 46,     /* r, usage -> ret 0/1 */
	RC_OP_RESV_WAIT_TIMEOUT = 47,      /* r, usage, intr, timeout, sigpending -> ret */
	RC_OP_RESV_SET_DEADLINE = 48,      /* r, usage -> deadlines (fences whose set_deadline op ran) */
	RC_OP_RESV_USAGE_RW = 49,          /* write -> ret = usage */
	RC_OP_RESV_FOR_EACH_FENCE = 50,    /* r, usage: whole locked walk -> fences (restarts flagged) */
	RC_OP_RESV_FOR_EACH_FENCE_UNLOCKED = 51, /* r, usage: whole unlocked walk -> fences */
	RC_OP_RESV_ITER_BEGIN = 52,        /* i, r, usage: dma_resv_iter_begin */
	RC_OP_RESV_ITER_FIRST = 53,        /* i -> fences (0 or 1 entry), RC_OBS_RESTARTED */
	RC_OP_RESV_ITER_NEXT = 54,         /* i -> fences (0 or 1 entry), RC_OBS_RESTARTED */
	RC_OP_RESV_ITER_FIRST_UNLOCKED = 55, /* i -> fences (0 or 1 entry), RC_OBS_RESTARTED */
	RC_OP_RESV_ITER_NEXT_UNLOCKED = 56,  /* i -> fences (0 or 1 entry), RC_OBS_RESTARTED */
	RC_OP_RESV_ITER_END = 57,          /* i */
};

#define RC_OP_MAX_ARGS 6

struct resvcheck_op {
	uint32_t kind;                     /* enum resvcheck_op_kind */
	uint32_t nargs;
	int64_t args[RC_OP_MAX_ARGS];
};

/* Observation flags */
#define RC_OBS_RESTARTED (1u << 0)     /* dma_resv_iter_is_restarted() was true for the yielded fence */
#define RC_OBS_CONTAINER (1u << 1)     /* get_singleton returned a new container of the listed fences */

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

#ifdef __cplusplus
}
#endif

#endif /* RESVCHECK_PLUGIN_H */
