// explore.h - bounded exhaustive search of a concurrent trace's interleavings.
//
// Runs the trace under every schedule with at most `bound` preemptions (a switch away from a
// thread that could have gone on), depth first: each run reports the choice made and the threads
// runnable at every switch point, and every point past the run's prefix branches to the other
// runnable threads. Distinct interleavings are counted by the choices made. Stops at the first
// violation (its executed trace carries the schedule) or after `max_runs` runs.
//
//   ExploreResult e = explore(trace, model, adapter, 2, 100000);
//   if (e.failure) pipeline.handle(e.failure->executed, *e.failure->divergence, adapter, "explore");
#pragma once

#include <cstdint>
#include <optional>

#include "runner.h"

namespace resvcheck {

struct ExploreResult {
    uint64_t runs = 0;
    uint64_t distinct = 0;       // distinct interleavings (sequences of choices) run
    bool complete = true;        // every schedule within the bound was run
    std::optional<RunResult> failure;
};

ExploreResult explore(const Trace& trace, Model& model, Adapter& adapter, unsigned bound, uint64_t max_runs,
                      const RunOptions& opts = {});

}  // namespace resvcheck
