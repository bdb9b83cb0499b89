// mutator.h - structure-aware mutation of fuzz inputs at the level of 8-byte records (ops).
//
// Byte mutators break records apart; these keep them whole: insert, delete, duplicate, swap and
// move records; retarget handles (the selector bytes the decoder picks handles with); nudge
// seqnos across the 32-bit wrap (records that decode to fence_init get an anchor near 2^31 or
// 2^32); change usages. The record layout (which move a record asks for, which byte holds a seqno
// choice or a usage) is the one decoder's (trace/decoder.h encode helpers), never re-derived here.
// Used by the libFuzzer targets (LLVMFuzzerCustomMutator, CustomCrossOver) and by the AFL++ custom
// mutator library (libresvcheck-afl-mutator.so, afl_custom_fuzz).
//
//   RecordMutator m(weights_for("all"));
//   size = m.mutate(data, size, max_size, seed, byte_fallback);
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "decoder.h"

namespace resvcheck::fuzz {

class RecordMutator {
public:
    explicit RecordMutator(const MoveWeights& w);
    // Mutates `data` (size bytes, capacity max_size) in place; returns the new size (a multiple
    // of 8). `bytes` (may be null) is a byte-level mutator used now and then (LLVMFuzzerMutate).
    size_t mutate(uint8_t* data, size_t size, size_t max_size, uint32_t seed, size_t (*bytes)(uint8_t*, size_t, size_t) = nullptr);
    // Record-aligned crossover of a and b into out; returns its size.
    size_t cross_over(const uint8_t* a, size_t na, const uint8_t* b, size_t nb, uint8_t* out, size_t max_size, uint32_t seed);

private:
    bool is_fence_init(const Record& r) const;
    OpDecoder decoder_;  // the record layout (which bytes mean what) is the decoder's
};

}  // namespace resvcheck::fuzz
