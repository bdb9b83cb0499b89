// SPDX-License-Identifier: MIT
/*
 * drm_exec.c - see drm_exec.h. One drm_exec context per trace; every reservation handle gets a
 * GEM object (made at its first drm_exec op) whose resv points at the adapter's reservation
 * object, with the harness's one reference. The loop drm_exec_until_all_locked expands to is the
 * trace's: drm_exec_cleanup is its head, the body is the ops until the next cleanup, and
 * drm_exec_retry_on_contention is the trace going back to the head after -EDEADLK.
 */
#include "rc_linux_features.h"
#ifdef RC_LINUX_HAVE_DRM_EXEC
#include <linux/slab.h>
#include <linux/dma-resv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <linux/bug.h>
#include <shim/kernel.h>
#include "drm_exec.h"

static struct drm_exec exec;
static bool exec_live;

struct gem_slot {
	struct dma_resv *resv;
	struct drm_gem_object *obj;
};
static struct gem_slot *gems;
static u32 n_gems, cap_gems;

/* the harness holds a reference, so the last put is a reference-count bug: kept for the refs probe */
void drm_gem_object_free(struct kref *kref)
{
}

static struct drm_gem_object *gem(struct dma_resv *r)
{
	struct drm_gem_object *obj;

	for (u32 i = 0; i < n_gems; i++)
		if (gems[i].resv == r)
			return gems[i].obj;
	if (n_gems == cap_gems) {
		cap_gems = cap_gems ? 2 * cap_gems : 16;
		gems = shim_harness_krealloc(gems, cap_gems * sizeof(*gems));
		if (!gems)
			shim_bug(__FILE__, __LINE__, "adapter: out of memory for GEM objects");
	}
	obj = shim_harness_kzalloc(sizeof(*obj));
	if (!obj)
		shim_bug(__FILE__, __LINE__, "adapter: out of memory for a GEM object");
	kref_init(&obj->refcount);
	obj->resv = r;
	gems[n_gems++] = (struct gem_slot){r, obj};
	return obj;
}

int la_drm_exec_apply(const struct resvcheck_op *op, struct resvcheck_obs *obs, struct dma_resv *r)
{
	const s64 *a = op->args;
	struct drm_gem_object *obj;

	if (op->kind != RC_OP_DRM_EXEC_INIT && op->kind != RC_OP_DRM_GEM_OBJECT_REFS && !exec_live)
		shim_bug(__FILE__, __LINE__, "adapter: drm_exec op without drm_exec_init");
	switch (op->kind) {
	case RC_OP_DRM_EXEC_INIT:
		drm_exec_init(&exec, (u32)a[0] & (DRM_EXEC_INTERRUPTIBLE_WAIT | DRM_EXEC_IGNORE_DUPLICATES), 0);
		exec_live = true;
		break;
	case RC_OP_DRM_EXEC_CLEANUP: obs->ret = drm_exec_cleanup(&exec); break;
	case RC_OP_DRM_EXEC_LOCK_OBJ: obs->ret = drm_exec_lock_obj(&exec, gem(r)); break;
	case RC_OP_DRM_EXEC_PREPARE_OBJ: obs->ret = drm_exec_prepare_obj(&exec, gem(r), (unsigned int)a[1]); break;
	case RC_OP_DRM_EXEC_UNLOCK_OBJ: drm_exec_unlock_obj(&exec, gem(r)); break;
	case RC_OP_DRM_EXEC_FINI:
		drm_exec_fini(&exec);
		exec_live = false;
		break;
	case RC_OP_DRM_EXEC_LISTED: {
		struct drm_gem_object *want = gem(r);

		drm_exec_for_each_locked_object(&exec, obj)
			obs->ret += obj == want;
		break;
	}
	case RC_OP_DRM_GEM_OBJECT_REFS: obs->ret = kref_read(&gem(r)->refcount); break;
	default: return RC_APPLY_UNSUPPORTED;
	}
	return RC_APPLY_OK;
}

void la_drm_exec_reset(void)
{
	/* the adapter has unlocked and finished every object already: only the context's memory */
	if (exec_live)
		kvfree(exec.objects);
	exec_live = false;
	for (u32 i = 0; i < n_gems; i++)
		kfree(gems[i].obj);
	n_gems = 0;
}
#endif
