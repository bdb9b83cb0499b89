/*
 * drm_exec.h - the linux adapter's drm_exec glue (resvcheck_plugin.h 180-187): the tree's own
 * drivers/gpu/drm/drm_exec.c driven over GEM objects whose reservation objects are the trace's.
 * Built only for trees that have drm_exec.c (RC_LINUX_HAVE_DRM_EXEC). Kernel-side TU.
 */
#ifndef RESVCHECK_LINUX_DRM_EXEC_H
#define RESVCHECK_LINUX_DRM_EXEC_H
#include "resvcheck_plugin.h"
struct dma_resv;
/* Applies a drm_exec op; r is its object's reservation (NULL for the ops without one); h its handle. */
int la_drm_exec_apply(const struct resvcheck_op *op, struct resvcheck_obs *obs, struct dma_resv *r);
/* Forgets the context and frees the GEM objects, after the adapter has unlocked and finished the
 * reservation objects (reset). */
void la_drm_exec_reset(void);
#endif
