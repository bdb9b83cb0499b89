/*
 * sim.h - the `sim` adapter: an independent userspace implementation of dma_resv + dma_fence.
 *
 * Written from the rule catalogue (not from kernel code, and sharing nothing with model/), it
 * reproduces Linux 6.12 (non-debug, x86-64) behaviour exactly and claims profile "linux-6.12".
 * It is the second opinion that keeps the reference model honest, and with a fault switch it is a
 * known-buggy implementation that the suite must catch.
 *
 * It exposes the stable plugin ABI (resvcheck_plugin.h) in-process:
 *
 *   const resvcheck_plugin* p = resvcheck::sim::plugin();
 *   char err[256];
 *   void* sim = p->create("fault=add-no-seqno-check", err, sizeof err);  // NULL or "" = clean
 *   p->reset(sim);
 *   resvcheck_op op{RC_OP_RESV_INIT, 1, {0}};
 *   resvcheck_obs obs;
 *   p->apply(sim, &op, &obs);   // RC_APPLY_OK, or RC_APPLY_BUG with p->last_error(sim)
 *   p->destroy(sim);
 *
 * Every fault is listed by faults() (name + one line); an unknown name makes create() fail with
 * a message listing them.
 */
#ifndef RESVCHECK_SIM_SIM_H
#define RESVCHECK_SIM_SIM_H

#include "resvcheck_plugin.h"

#include <span>

namespace resvcheck::sim {

/* The plugin ABI struct: name "sim", profile "linux-6.12". */
const resvcheck_plugin *plugin();
/* Its concurrency entry: blocks of ops on threads under the deterministic scheduler (rc_sched.h). */
const resvcheck_plugin_threads *threads_plugin();

struct FaultInfo {
	const char *name;
	const char *description;
};

/* Every fault switch accepted by create("fault=NAME"). */
std::span<const FaultInfo> faults();

} // namespace resvcheck::sim

#endif
