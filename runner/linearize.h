// linearize.h - the oracle for a concurrent block: linearizability against the sequential model.
//
// A block's history (each op's observation and the switch-point counts when it began and
// returned) is accepted when some order of its ops that keeps real-time order (a before b when a
// returned before b began; a thread's ops in program order) is accepted op by op by the model
// (Wing & Gong's search: depth first over the ops that may come next, backtracking on the first
// rejected step). Whole unlocked walks are not atomic in the kernel (appends after their start are
// not seen, in-place replacements may be), so they are judged by the contract's promise over the
// states their interval spans: every entry listed and unsignalled in all of them is yielded, none
// that is listed in no one of them is, and a restart needs a writer of the object during the walk.
//
//   LinStats stats;
//   std::vector<Model> states{model};
//   if (auto d = linearize(states, history, stats)) report(*d);   // else: the states it may be in now
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model.h"
#include "observation.h"
#include "ops.h"

namespace resvcheck {

struct BlockHistory {
    std::span<const Op> ops;
    std::span<const Observation> obs;
    std::span<const uint32_t> start, end;
    size_t first_index = 0;  // trace index of ops[0]: what divergences name
};

struct LinStats {
    uint64_t histories = 0;
    uint64_t model_steps = 0;  // judged steps over all orders tried
    uint64_t orders = 0;       // complete orders reached
    uint64_t budget_hits = 0;  // searches given up (accepted unjudged) at the step budget
};

// Whether some interleaving of the block's thread programs (each thread's ops in order) meets
// every op's preconditions: a block none of whose interleavings does is a set-up error, as a
// sequential op that breaks its precondition is (a lock never released, ...). Stops at the first.
bool block_feasible(const Model& model, std::span<const Op> ops, std::span<const uint8_t> threads);

// `candidates`: the states the model may be in before the block (an earlier block may have left
// several). Nothing when the history linearizes from one of them: `candidates` then holds the
// states after the accepted orders (up to 24), which the next ops may tell apart; else the
// divergence of the order that got furthest.
std::optional<Divergence> linearize(std::vector<Model>& candidates, const BlockHistory& h, LinStats& stats);

}  // namespace resvcheck
