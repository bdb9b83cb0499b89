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
inline constexpr uint32_t kDriverLockClasses = 4;  // driver_lock cls=0..3 (the model's limit too)
using Record = std::array<uint8_t, kRecordSize>;

// The "moves" a record can ask for. Each becomes one op (or the op it needs first).
enum class Move : uint8_t {
    NewContext, NewFence, Signal, SetError, FenceQuery, IsLater, AddCallback, RemoveCallback, GetPut,
    Acquire, Lock, Unlock, LockQuery, Reserve, AddFence, Replace, Copy, Query, Walk, IterStep, NewResv, Fini,
    // fence containers: a chain link (extending the newest chain most of the time), an array,
    // a walk/unwrap/find_seqno/poll of a container, a merge, a private stub
    ChainLink, Array, ContainerQuery, Merge, Stub,
    Driver,  // a driver-side op: signalling sections, allocations, driver locks, waits, reclaim (lock order)
    // allocation failure: arms the nth allocation of the next op
    FailAlloc,
    Exec,  // drm_exec: a context's init, loop head, locks and prepares, contention from an older context
    // misuse (issue 11): an op that breaks a precondition the kernel catches (add_fence beyond
    // the reserved slots, a container added, set_error after signalling, reserve_fences(0))
    Misuse,
    kCount
};
inline constexpr size_t kMoves = static_cast<size_t>(Move::kCount);

// Relative frequency of each move: what a property or fuzz target emphasises.
using MoveWeights = std::array<uint8_t, kMoves>;

// The weights named "all" (default), "fence", "lock", "resv.add", "iter", "containers", "locking", "alloc" "drm_exec" or "misuse".
const MoveWeights& weights_for(std::string_view name);

// The record layout, for tools that write records instead of reading them (the fuzz mutator):
// bytes 0-1 select the move (by the weights), byte 3 chooses a new fence's seqno, and each move
// that takes a usage reads it from one byte.
enum class SeqnoChoice : uint8_t { InOrder = 0, Same = 3, Older = 4, Anchor = 5, NearAnchor = 6, Raw = 7 };
// Interesting seqnos: around 0, around the signed midpoint, around the 32-bit wrap.
inline constexpr uint64_t kSeqnoAnchors[] = {0, 1, 2, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x100000000, 0x100000001};
inline constexpr uint8_t kFirstWrapAnchor = 3;  // anchors from here on straddle 2^31 or 2^32
// A new fence's seqno: `choice`, with `arg` (anchor index, or the step) and `offset` (added to near anchors).
void set_seqno(Record& r, SeqnoChoice choice, uint8_t arg, uint8_t offset);
// The byte a move reads its usage from, or -1.
int usage_byte(Move m);

class OpDecoder {
public:
    explicit OpDecoder(const MoveWeights& w);
    // One record -> one candidate op for the current state, or nothing if the record is a no-op.
    std::optional<Op> decode(const uint8_t* record, const StateView& view);
    // The move a record asks for, and the selector bytes that ask for `m` (`pick` chooses among
    // them); nothing if these weights never choose m.
    Move move_of(const Record& r) const;
    bool set_move(Record& r, Move m, uint16_t pick) const;
    // Whether the op decode() last returned is meant as a misuse (Model::misuse decides whether it
    // is one: the ops it needs first, and misuses the profile does not catch, are not).
    bool misuse() const { return misuse_; }
    // Forgets the per-context seqnos, for a new trace.
    void reset() {
        last_seqno_.clear();
        after_fail_ = false;
        misuse_ = false;
        misuse_usage_ = 0;
    }

private:
    Move move_at(const uint8_t* record) const;  // bytes 0-1 through the weighted move table
    std::optional<Op> decode_container(Move move, const uint8_t* record, const StateView& view);
    std::optional<Op> decode_exec(const uint8_t* record, const StateView& view);
    std::optional<Op> decode_misuse(const uint8_t* record, const StateView& view);
    std::vector<uint8_t> move_of_;      // weighted move table: record value mod its size -> move
    std::vector<uint64_t> last_seqno_;  // per context: the seqno of its newest fence
    bool after_fail_ = false;           // the last op decoded was fail_alloc: a query is get_fences
    bool misuse_ = false;               // the last op decoded is meant as a misuse
    uint32_t misuse_usage_ = 0;         // the usage of the next add without a slot, in turn
};

}  // namespace resvcheck
