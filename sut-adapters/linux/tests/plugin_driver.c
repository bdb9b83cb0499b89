/*
 * plugin_driver.c - dlopens linux adapter plugins and applies a few ops through the C ABI, as the
 * resvcheck CLI will. Usage: linux-plugin-driver PLUGIN.so...  (all loaded into one process).
 * Prints "N passed, N failed".
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "resvcheck_plugin.h"

static int passed, failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

static const struct resvcheck_plugin *P;
static void *S;
static struct resvcheck_obs obs;

static int op(uint32_t kind, int nargs, int64_t a0, int64_t a1, int64_t a2, int64_t a3)
{
	struct resvcheck_op o = { kind, (uint32_t)nargs, { a0, a1, a2, a3, 0, 0 } };
	return P->apply(S, &o, &obs);
}

static void run(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	resvcheck_plugin_entry_fn entry;
	char err[256] = "";
	int debug, st;

	CHECK(h != NULL, "dlopen %s: %s", path, dlerror());
	if (!h)
		return;
	entry = (resvcheck_plugin_entry_fn)dlsym(h, RESVCHECK_PLUGIN_ENTRY);
	CHECK(entry != NULL, "no %s in %s", RESVCHECK_PLUGIN_ENTRY, path);
	CHECK(dlsym(h, "dma_resv_add_fence") == NULL, "kernel symbols must stay hidden");
	if (!entry)
		return;
	P = entry();
	CHECK(P->abi_version == RESVCHECK_PLUGIN_ABI_VERSION, "abi %u", P->abi_version);
	CHECK(!strncmp(P->profile, "linux-", 6), "profile %s", P->profile);
	debug = strstr(P->profile, "-debug") != NULL;
	printf("%s: profile %s\n", path, P->profile);
	CHECK(P->create("bogus", err, sizeof(err)) == NULL && err[0], "bad option accepted");
	S = P->create(NULL, err, sizeof(err));
	CHECK(S != NULL, "create: %s", err);
	if (!S)
		return;

	/* trace 1: a newer fence of a context replaces the older one */
	P->reset(S);
	CHECK(op(RC_OP_FENCE_CONTEXT_ALLOC, 2, 0, 0, 0, 0) == RC_APPLY_OK, "ctx");
	CHECK(op(RC_OP_FENCE_INIT, 3, 0, 0, 1, 0) == RC_APPLY_OK, "f0");
	CHECK(op(RC_OP_FENCE_INIT, 3, 1, 0, 2, 0) == RC_APPLY_OK, "f1");
	CHECK(op(RC_OP_RESV_INIT, 1, 0, 0, 0, 0) == RC_APPLY_OK, "r0");
	CHECK(op(RC_OP_RESV_LOCK, 2, 0, -1, 0, 0) == RC_APPLY_OK && obs.ret == 0, "lock");
	CHECK(op(RC_OP_RESV_RESERVE_FENCES, 2, 0, 2, 0, 0) == RC_APPLY_OK && obs.ret == 0, "reserve");
	CHECK(op(RC_OP_RESV_ADD_FENCE, 3, 0, 0, RC_USAGE_WRITE, 0) == RC_APPLY_OK, "add f0");
	CHECK(op(RC_OP_RESV_ADD_FENCE, 3, 0, 1, RC_USAGE_WRITE, 0) == RC_APPLY_OK, "add f1");
	CHECK(op(RC_OP_RESV_FOR_EACH_FENCE, 2, 0, RC_USAGE_BOOKKEEP, 0, 0) == RC_APPLY_OK &&
	      obs.n_fences == 1 && obs.fences[0].fence == 1 && obs.fences[0].usage == RC_USAGE_WRITE,
	      "walk: %u fences", obs.n_fences);
	CHECK(op(RC_OP_FENCE_PUT, 1, 0, 0, 0, 0) == RC_APPLY_OK && obs.n_released == 1 &&
	      obs.released[0] == 0, "f0 released: %u", obs.n_released);
	CHECK(op(RC_OP_FENCE_ADD_CALLBACK, 2, 1, 7, 0, 0) == RC_APPLY_OK && obs.ret == 0, "add cb");
	CHECK(op(RC_OP_RESV_TEST_SIGNALED, 2, 0, RC_USAGE_READ, 0, 0) == RC_APPLY_OK && obs.ret == 0, "busy");
	CHECK(op(RC_OP_FENCE_SIGNAL, 1, 1, 0, 0, 0) == RC_APPLY_OK && obs.ret == 0 &&
	      obs.n_callbacks == 1 && obs.callbacks[0] == 7, "signal ran cb7");
	CHECK(op(RC_OP_RESV_TEST_SIGNALED, 2, 0, RC_USAGE_READ, 0, 0) == RC_APPLY_OK && obs.ret == 1, "idle");
	CHECK(op(RC_OP_RESV_WAIT_TIMEOUT, 4, 0, RC_USAGE_BOOKKEEP, 1, 10) == RC_APPLY_OK && obs.ret == 10,
	      "wait on idle resv: %lld", (long long)obs.ret);
	CHECK(op(RC_OP_RESV_RESERVE_FENCES, 2, 0, 0, 0, 0) == RC_APPLY_OK,
	      "reserve 0");	/* 6.12: WARN + -EINVAL; 6.1: 0 */
	printf("  reserve_fences(0): ret %lld, %u warning(s)\n", (long long)obs.ret, obs.warnings);
	CHECK(op(RC_OP_RESV_UNLOCK, 1, 0, 0, 0, 0) == RC_APPLY_OK, "unlock");
	CHECK(op(RC_OP_RESV_RESERVE_FENCES, 2, 0, 1, 0, 0) == RC_APPLY_OK && obs.warnings == 1,
	      "reserve unlocked must WARN (lockdep_assert_held): %u", obs.warnings);

	/* trace 2: wait-die in one thread; a wait nothing could end is a bug, not a hang */
	P->reset(S);
	op(RC_OP_WW_ACQUIRE_INIT, 1, 0, 0, 0, 0);
	op(RC_OP_WW_ACQUIRE_INIT, 1, 1, 0, 0, 0);
	op(RC_OP_RESV_INIT, 1, 0, 0, 0, 0);
	op(RC_OP_RESV_INIT, 1, 1, 0, 0, 0);
	CHECK(op(RC_OP_RESV_LOCK, 2, 0, 0, 0, 0) == RC_APPLY_OK && obs.ret == 0, "a0 locks r0");
	CHECK(op(RC_OP_RESV_LOCK, 2, 0, 0, 0, 0) == RC_APPLY_OK && obs.ret == -114, "EALREADY");
	CHECK(op(RC_OP_RESV_LOCK, 2, 1, 1, 0, 0) == RC_APPLY_OK && obs.ret == 0, "a1 locks r1");
	CHECK(op(RC_OP_RESV_LOCK, 2, 0, 1, 0, 0) == RC_APPLY_OK && obs.ret == -35, "younger dies: %lld",
	      (long long)obs.ret);
	CHECK(op(RC_OP_RESV_LOCK_INTERRUPTIBLE, 3, 0, 1, 1, 0) == RC_APPLY_OK && obs.ret == -4, "EINTR first");
	CHECK(op(RC_OP_RESV_LOCKING_CTX, 1, 1, 0, 0, 0) == RC_APPLY_OK && obs.ret == 1, "holder a1");
	st = op(RC_OP_RESV_LOCK, 2, 1, 0, 0, 0);	/* older a0 would wait for a1: same thread */
	CHECK(st == RC_APPLY_BUG && P->last_error && strstr(P->last_error(S), "would sleep forever"),
	      "status %d: %s", st, P->last_error ? P->last_error(S) : "");
	printf("  last_error: %s\n", P->last_error(S));

	/* trace 2b: fence waits in one thread: virtual time, signals, and forever */
	P->reset(S);
	op(RC_OP_FENCE_CONTEXT_ALLOC, 2, 0, 0, 0, 0);
	op(RC_OP_FENCE_INIT, 3, 0, 0, 1, 0);
	CHECK(op(RC_OP_FENCE_WAIT_TIMEOUT, 3, 0, 1, 0, 0) == RC_APPLY_OK && obs.ret == 0, "poll");
	CHECK(op(RC_OP_FENCE_WAIT_TIMEOUT, 3, 0, 0, 1000000, 0) == RC_APPLY_OK && obs.ret == 0,
	      "timed wait times out at once in virtual time: %lld", (long long)obs.ret);
	CHECK(op(RC_OP_FENCE_WAIT_TIMEOUT, 4, 0, 1, 100, 1) == RC_APPLY_OK && obs.ret == -512,
	      "ERESTARTSYS: %lld", (long long)obs.ret);
	st = op(RC_OP_FENCE_WAIT_TIMEOUT, 3, 0, 0, 0x7fffffffffffffffLL, 0);
	CHECK(st == RC_APPLY_BUG && strstr(P->last_error(S), "would sleep forever"), "forever: %d %s", st,
	      P->last_error(S));

	/* trace 2c: copy_fences from an empty resv drops dst's list; adding then oopses (NULL list) */
	P->reset(S);
	op(RC_OP_FENCE_CONTEXT_ALLOC, 2, 0, 0, 0, 0);
	op(RC_OP_FENCE_INIT, 3, 0, 0, 1, 0);
	op(RC_OP_RESV_INIT, 1, 0, 0, 0, 0);
	op(RC_OP_RESV_INIT, 1, 1, 0, 0, 0);
	op(RC_OP_RESV_LOCK, 2, 0, -1, 0, 0);
	op(RC_OP_RESV_RESERVE_FENCES, 2, 0, 1, 0, 0);
	CHECK(op(RC_OP_RESV_COPY_FENCES, 2, 0, 1, 0, 0) == RC_APPLY_OK && obs.ret == 0, "copy");
	st = op(RC_OP_RESV_ADD_FENCE, 3, 0, 0, RC_USAGE_WRITE, 0);
	CHECK(st == RC_APPLY_BUG && strstr(P->last_error(S), "NULL pointer"), "oops: %d %s", st,
	      P->last_error(S));

	/* trace 3: CONFIG_DEBUG_MUTEXES shrinks max_fences at unlock */
	P->reset(S);
	op(RC_OP_FENCE_CONTEXT_ALLOC, 2, 0, 0, 0, 0);
	op(RC_OP_FENCE_CONTEXT_ALLOC, 2, 1, 0, 0, 0);
	op(RC_OP_FENCE_INIT, 3, 0, 0, 1, 0);
	op(RC_OP_FENCE_INIT, 3, 1, 1, 1, 0);
	op(RC_OP_RESV_INIT, 1, 0, 0, 0, 0);
	op(RC_OP_RESV_LOCK, 2, 0, -1, 0, 0);
	op(RC_OP_RESV_RESERVE_FENCES, 2, 0, 1, 0, 0);
	op(RC_OP_RESV_ADD_FENCE, 3, 0, 0, RC_USAGE_READ, 0);
	op(RC_OP_RESV_UNLOCK, 1, 0, 0, 0, 0);
	op(RC_OP_RESV_LOCK, 2, 0, -1, 0, 0);
	st = op(RC_OP_RESV_ADD_FENCE, 3, 0, 1, RC_USAGE_READ, 0);	/* no new reservation */
	CHECK(st == (debug ? RC_APPLY_BUG : RC_APPLY_OK), "add without reserve: status %d (%s)", st,
	      P->last_error(S));
	printf("  add without reserve after relock: status %d %s\n", st, st ? P->last_error(S) : "");
	/* deadlines arrived in 6.3: every default tree but 6.1 has them */
	CHECK(P->supports(S, RC_OP_RESV_SET_DEADLINE) ==
		      (strcmp(P->profile, "linux-6.1") && strcmp(P->profile, "linux-6.1-debug")), "deadline");
	P->reset(S);
	P->destroy(S);
	S = NULL;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		run(argv[i]);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
