// isolated_adapter.h - runs an adapter in a child process, so that its crash, hang or memory
// exhaustion becomes an observation instead of the end of the run.
//
// The child creates the adapter through the registry (make_adapter) and is driven op by op over a
// socket; the parent keeps everything else (model, trace so far). When the child dies or an op
// does not answer within the watchdog, apply() reports Status::Crash, Hang or OutOfMemory with a
// message naming the op, the signal and the tail of the child's stderr; the runner turns that into
// an ADAPTER-CRASH / ADAPTER-HANG / ADAPTER-OOM divergence, and the next reset() starts a fresh child.
//
//   auto a = make_isolated_adapter("linux", {}, {.watchdog = std::chrono::seconds(5)});
//   if (!a) die(a.error().text());
//   RunResult r = run(trace, model, *std::get<std::unique_ptr<Adapter>>(a));
//
// The child is a fork without exec: make the adapter isolated before the parent runs its code itself
// (threads the code started in the parent, such as liburcu's call_rcu worker, do not exist in a fork).
// Each op costs a round trip between processes (see bench/isolation_bench.cpp); hot loops that
// must keep millions of ops per second isolate whole batches with supervise() (supervisor.h).
#pragma once

#include <memory>
#include <string_view>
#include <variant>

#include "child.h"
#include "registry.h"

namespace resvcheck {

// Starts a child running adapter `name` and waits until it is ready; a set-up error of the adapter
// (unknown name, a kernel tree that does not compile) or a crash while starting is a set-up Error.
Expected<std::unique_ptr<Adapter>> make_isolated_adapter(std::string_view name, const AdapterOptions& opts,
                                                                         const IsolationLimits& limits = {});

}  // namespace resvcheck
