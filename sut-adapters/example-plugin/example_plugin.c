/*
 * example_plugin.c - the smallest useful resvcheck plugin: a dma_fence implementation in plain C.
 *
 * It supports the fence ops (contexts, init, signal, status, get/put with a release report), the
 * teardown that ends each generated case (every reference the trace still holds is dropped, and
 * each fence so released is reported), and answers RC_APPLY_UNSUPPORTED for everything else, so resvcheck judges what it has and reports
 * the rest as unsupported. Build it as a shared object and run:
 *
 *   resvcheck replay corpora/examples/fence-basics.trace --adapter plugin:PATH/libresvcheck-example.so
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resvcheck_plugin.h"

#define MAX_FENCES 4096

struct fence {
	int live;
	int refs;
	int signaled;
	long long error;
};

struct example {
	struct fence fences[MAX_FENCES];
	uint32_t used; /* fences[used..] were never initialised */
};

static void *example_create(const char *options, char *err, size_t errlen)
{
	(void)options;
	struct example *e = calloc(1, sizeof(*e));
	if (!e)
		strncpy(err, "out of memory", errlen);
	return e;
}

static void example_destroy(void *self) { free(self); }

static void example_reset(void *self) { memset(self, 0, sizeof(struct example)); }

static int example_supports(void *self, uint32_t kind)
{
	(void)self;
	switch (kind) {
	case RC_OP_FENCE_CONTEXT_ALLOC:
	case RC_OP_FENCE_INIT:
	case RC_OP_FENCE_SIGNAL:
	case RC_OP_FENCE_SET_ERROR:
	case RC_OP_FENCE_GET_STATUS:
	case RC_OP_FENCE_IS_SIGNALED:
	case RC_OP_FENCE_GET:
	case RC_OP_FENCE_PUT:
	case RC_OP_TEARDOWN:
		return 1;
	default:
		return 0;
	}
}

static int example_apply(void *self, const struct resvcheck_op *op, struct resvcheck_obs *obs)
{
	struct example *e = self;
	struct fence *f = NULL;

	if (!example_supports(self, op->kind))
		return RC_APPLY_UNSUPPORTED;
	if (op->kind == RC_OP_TEARDOWN) { /* the trace holds every reference there is */
		for (uint32_t i = 0; i < e->used; i++)
			if (e->fences[i].live) {
				e->fences[i] = (struct fence){ 0 };
				obs->released[obs->n_released++] = i;
			}
		return RC_APPLY_OK;
	}
	if (op->kind != RC_OP_FENCE_CONTEXT_ALLOC) {
		if (op->args[0] < 0 || op->args[0] >= MAX_FENCES)
			return RC_APPLY_BUG;
		f = &e->fences[op->args[0]];
	}
	switch (op->kind) {
	case RC_OP_FENCE_CONTEXT_ALLOC:
		break; /* contexts need no state here */
	case RC_OP_FENCE_INIT:
		*f = (struct fence){ .live = 1, .refs = 1 };
		if (op->args[0] >= e->used)
			e->used = (uint32_t)op->args[0] + 1;
		break;
	case RC_OP_FENCE_SIGNAL:
		obs->ret = f->signaled ? -EINVAL : 0;
		f->signaled = 1;
		break;
	case RC_OP_FENCE_SET_ERROR:
		if (f->signaled)
			obs->warnings++; /* a late error is a caller bug: say so */
		f->error = op->args[1];
		break;
	case RC_OP_FENCE_GET_STATUS:
		obs->ret = !f->signaled ? 0 : f->error ? f->error : 1;
		break;
	case RC_OP_FENCE_IS_SIGNALED:
		obs->ret = f->signaled;
		break;
	case RC_OP_FENCE_GET:
		f->refs++;
		break;
	case RC_OP_FENCE_PUT:
		if (--f->refs == 0) {
			f->live = 0;
			obs->released[obs->n_released++] = (uint32_t)op->args[0];
		}
		break;
	}
	return RC_APPLY_OK;
}

static const struct resvcheck_plugin example_plugin = {
	.abi_version = RESVCHECK_PLUGIN_ABI_VERSION,
	.name = "example",
	.profile = "contract",
	.create = example_create,
	.destroy = example_destroy,
	.reset = example_reset,
	.supports = example_supports,
	.apply = example_apply,
	.last_error = NULL,
};

__attribute__((visibility("default"))) const struct resvcheck_plugin *resvcheck_plugin_entry(void)
{
	return &example_plugin;
}
