#ifndef _SHIM_TRACE_EVENTS_DMA_FENCE_H
#define _SHIM_TRACE_EVENTS_DMA_FENCE_H
/* Tracepoints are not observed by resvcheck: no-ops that still type-check their argument. */
#include <linux/types.h>
struct dma_fence;
static inline void trace_dma_fence_emit(struct dma_fence *f) { (void)f; }
static inline void trace_dma_fence_init(struct dma_fence *f) { (void)f; }
static inline void trace_dma_fence_destroy(struct dma_fence *f) { (void)f; }
static inline void trace_dma_fence_enable_signal(struct dma_fence *f) { (void)f; }
static inline void trace_dma_fence_signaled(struct dma_fence *f) { (void)f; }
static inline void trace_dma_fence_wait_start(struct dma_fence *f) { (void)f; }
static inline void trace_dma_fence_wait_end(struct dma_fence *f) { (void)f; }
/* 7.x asks whether a tracepoint is on before computing its arguments */
static inline bool trace_dma_fence_wait_end_enabled(void) { return false; }
#endif
