/*
 * faulty_plugin.c - a plugin that fails in the ways isolation must survive, on a chosen op kind.
 *
 * Options: fail=segv|abort|loop|oom|exit,at=KIND (an enum resvcheck_op_kind number, or -1: in every
 * reset, the set-up of each trace). Until that op it is a tiny correct fence implementation (context_alloc, init, signal, is_signaled), so the
 * runner judges the ops before the failure as conforming. It says on stderr what it is about to
 * do, which the tests find in the reported stderr tail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resvcheck_plugin.h"

#define MAX_FENCES 64

struct faulty {
	char fail[16];
	long at;
	int signaled[MAX_FENCES];
};

static void *faulty_create(const char *options, char *err, size_t errlen)
{
	struct faulty *f = calloc(1, sizeof(*f));
	if (!f || !options || sscanf(options, "fail=%15[a-z],at=%ld", f->fail, &f->at) != 2) {
		snprintf(err, errlen, "options: fail=segv|abort|loop|oom|exit,at=KIND");
		free(f);
		return NULL;
	}
	return f;
}

static void faulty_destroy(void *self) { free(self); }

static int faulty_supports(void *self, uint32_t kind)
{
	(void)self;
	return kind == RC_OP_FENCE_CONTEXT_ALLOC || kind == RC_OP_FENCE_INIT || kind == RC_OP_FENCE_SIGNAL ||
	       kind == RC_OP_FENCE_IS_SIGNALED;
}

static void *volatile hoard[1 << 16]; /* kept, so the allocations cannot be optimised away */

static void fail(const struct faulty *f)
{
	if (f->at == -1)
		fprintf(stderr, "faulty: %s in reset\n", f->fail);
	else
		fprintf(stderr, "faulty: %s in op kind %ld\n", f->fail, f->at);
	fflush(stderr);
	if (!strcmp(f->fail, "segv")) {
		*(volatile int *)hoard[0] = 1; /* hoard[0] is NULL */
	} else if (!strcmp(f->fail, "abort")) {
		abort();
	} else if (!strcmp(f->fail, "loop")) {
		for (volatile unsigned long n = 0;; n++)
			;
	} else if (!strcmp(f->fail, "oom")) {
		/* an unchecked malloc: writes through NULL once memory runs out */
		for (size_t i = 1; i < sizeof(hoard) / sizeof(hoard[0]); i++) {
			hoard[i] = malloc(1 << 20);
			memset(hoard[i], 1, 1 << 20);
		}
	} else if (!strcmp(f->fail, "exit")) {
		exit(3);
	}
}

static void faulty_reset(void *self)
{
	struct faulty *f = self;
	if (f->at == -1)
		fail(f);
	memset(f->signaled, 0, sizeof(f->signaled));
}

static int faulty_apply(void *self, const struct resvcheck_op *op, struct resvcheck_obs *obs)
{
	struct faulty *f = self;
	if (!faulty_supports(self, op->kind))
		return RC_APPLY_UNSUPPORTED;
	if (op->kind == (uint32_t)f->at)
		fail(f);
	if (op->kind != RC_OP_FENCE_CONTEXT_ALLOC && (op->args[0] < 0 || op->args[0] >= MAX_FENCES))
		return RC_APPLY_BUG;
	switch (op->kind) {
	case RC_OP_FENCE_INIT:
		f->signaled[op->args[0]] = 0;
		break;
	case RC_OP_FENCE_SIGNAL:
		obs->ret = f->signaled[op->args[0]] ? -EINVAL : 0;
		f->signaled[op->args[0]] = 1;
		break;
	case RC_OP_FENCE_IS_SIGNALED:
		obs->ret = f->signaled[op->args[0]];
		break;
	}
	return RC_APPLY_OK;
}

static const struct resvcheck_plugin faulty_plugin = {
	.abi_version = RESVCHECK_PLUGIN_ABI_VERSION,
	.name = "faulty",
	.profile = "contract",
	.create = faulty_create,
	.destroy = faulty_destroy,
	.reset = faulty_reset,
	.supports = faulty_supports,
	.apply = faulty_apply,
	.last_error = NULL,
};

__attribute__((visibility("default"))) const struct resvcheck_plugin *resvcheck_plugin_entry(void)
{
	return &faulty_plugin;
}
