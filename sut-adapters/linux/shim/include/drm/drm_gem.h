#ifndef _SHIM_DRM_DRM_GEM_H
#define _SHIM_DRM_DRM_GEM_H
/*
 * The part of a GEM object that drivers/gpu/drm/drm_exec.c touches: its reference count and its
 * reservation object. The adapter's drm_exec glue (adapter/drm_exec.c) makes one per reservation
 * object of a trace, pointing resv at it, and defines what the last put does.
 */
#include <linux/kref.h>
#include <linux/dma-resv.h>
#include <linux/module.h>	/* MODULE_*: the kernel's drm_gem.h reaches it through its includes */

struct drm_gem_object {
	struct kref refcount;
	struct dma_resv *resv;	/* the object's reservation: _resv, or one it shares */
	struct dma_resv _resv;
};

void drm_gem_object_free(struct kref *kref);	/* the glue's */

static inline void drm_gem_object_get(struct drm_gem_object *obj)
{
	kref_get(&obj->refcount);
}

/* NULL is allowed, as drm_exec_fini relies on */
static inline void drm_gem_object_put(struct drm_gem_object *obj)
{
	if (obj)
		kref_put(&obj->refcount, drm_gem_object_free);
}

#endif
