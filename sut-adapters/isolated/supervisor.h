// supervisor.h - runs a batch of work (generated cases) in a child process and says where it was
// when it crashed or stopped making progress, at the cost of a few stores per op.
//
// IsolatedAdapter pays one round trip between processes per op; a hot check loop (millions of ops
// per second) instead runs whole batches in one child with supervise(). The child publishes its
// position in a block of shared memory (Progress): the case it is in, the op it is about to apply,
// a count of ops done. The parent watches that block: when the child dies, or the count stands
// still for the watchdog time, the parent kills it and returns the last published position, from
// which the case can be regenerated (seed, property, case index) and replayed for the finding.
//
//   SuperviseResult r = supervise([&](Progress& p) {
//       for (uint64_t c = first; c < last; ++c) {
//           p.begin_case(c);
//           for (uint64_t i = 0; i < n_ops(c); ++i) { p.begin_op(i); apply(c, i); }
//           p.counters[0] += 1;        // results the parent reads after the child ends
//       }
//       return 0;
//   }, {.watchdog = std::chrono::seconds(10)});
//   if (r.outcome != SuperviseResult::Outcome::Finished) report(r.case_index, r.op_index, r.reason, r.stderr_tail);
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "child.h"

namespace resvcheck {

// Shared between the child (the only writer) and the parent. Relaxed atomics: a store is all a
// publication costs; the parent needs a recent value, not an ordered one.
struct Progress {
    static constexpr size_t kCounters = 16;

    std::atomic<uint64_t> case_index{0};  // the case in progress
    std::atomic<uint64_t> op_index{0};    // the op of that case in progress (published before it runs)
    std::atomic<uint64_t> ops_done{0};    // every begin_op counts: the heartbeat the watchdog watches
    std::atomic<uint64_t> beats{0};       // beat(): progress that is not an op (e.g. generating a case)
    std::atomic<uint64_t> counters[kCounters]{};  // results, free for the caller to define
    std::atomic<bool> done{false};        // set by supervise() when fn returned

    void begin_case(uint64_t c) {
        case_index.store(c, std::memory_order_relaxed);
        op_index.store(0, std::memory_order_relaxed);
        beat();
    }
    void begin_op(uint64_t i) {
        op_index.store(i, std::memory_order_relaxed);
        ops_done.store(ops_done.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    void beat() { beats.store(beats.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
};
static_assert(std::atomic<uint64_t>::is_always_lock_free, "Progress lives in memory shared between processes");

struct SuperviseResult {
    enum class Outcome {
        Finished,     // fn returned; exit_code is its result
        Crash,        // died by a signal, or exited before fn returned (exit, sanitizer report)
        Hang,         // no begin_case/begin_op/beat for the watchdog time; killed
        OutOfMemory,  // died out of memory (see ChildEnd)
    };
    Outcome outcome = Outcome::Finished;
    int exit_code = 0;
    int signal = 0;
    // The last published position: where the crash or hang happened.
    uint64_t case_index = 0, op_index = 0, ops_done = 0;
    std::array<uint64_t, Progress::kCounters> counters{};
    std::string reason;       // "killed by SIGSEGV (Segmentation fault)", "no progress for 10.0 s; killed with SIGKILL"
    std::string stderr_tail;  // the last limits.stderr_tail bytes the child wrote to stdout and stderr
};

// Runs fn in a forked child under `limits` (watchdog = longest time without progress) and waits
// for it, calling `tick` (if given) with the child's progress every few milliseconds meanwhile (a
// progress line, a stop request through memory the caller shares with the child). A set-up failure
// (no fork, no shared memory) is a Crash whose reason says so.
SuperviseResult supervise(const std::function<int(Progress&)>& fn, const IsolationLimits& limits = {},
                          const std::function<void(const Progress&)>& tick = {});

}  // namespace resvcheck
