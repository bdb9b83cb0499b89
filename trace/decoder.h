// decoder.h - the one decoder from bytes to ops, shared by RapidCheck generation, the fuzzers and
// the fuzz corpus tools (Hypothesis-style: every test case is a choice sequence of bytes).
//
// Input is a sequence of fixed-size records; each record decodes to at most one op, chosen for
// the state reached so far (StateView) so that it nearly always meets its preconditions: a
// record that asks for "add a fence" when nothing is locked decodes to the lock it needs first.
// Removing a record removes one op and lowering a byte simplifies it, so shrinking the bytes
// shrinks the trace. Callers still check the model's preconditions and skip what fails.
//
//   OpDecoder dec(weights_for("resv.add"));
//   for (auto rec : records) if (auto op = dec.decode(rec.data(), model.view())) ...
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ops.h"
#include "state_view.h"

namespace resvcheck {

inline constexpr size_t kRecordSize = 8;
using Record = std::array<uint8_t, kRecordSize>;

// The "moves" a record can ask for. Each becomes one op (or the op it needs first).
enum class Move : uint8_t {
    NewContext, NewFence, Signal, SetError, FenceQuery, IsLater, AddCallback, RemoveCallback, GetPut,
    Acquire, Lock, Unlock, LockQuery, Reserve, AddFence, Replace, Copy, Query, Walk, IterStep, NewResv, Fini,
    kCount
};
inline constexpr size_t kMoves = static_cast<size_t>(Move::kCount);

// Relative frequency of each move: what a property or fuzz target emphasises.
using MoveWeights = std::array<uint8_t, kMoves>;

// The weights named "all" (default), "fence", "lock", "resv.add" or "iter".
const MoveWeights& weights_for(std::string_view name);

class OpDecoder {
public:
    explicit OpDecoder(const MoveWeights& w);
    // One record -> one candidate op for the current state, or nothing if the record is a no-op.
    std::optional<Op> decode(const uint8_t* record, const StateView& view);
    // Forgets the per-context seqnos, for a new trace.
    void reset() { last_seqno_.clear(); }

private:
    std::vector<uint8_t> move_of_;      // weighted move table: record value mod its size -> move
    std::vector<uint64_t> last_seqno_;  // per context: the seqno of its newest fence
};

}  // namespace resvcheck
