// case_gen.h - the byte records of one `resvcheck check` test case, as a pure function of
// (seed, property index, case index).
//
// check runs millions of short cases; generating them with RapidCheck's shrinkable values cost
// far more than the code under test, so the hot loop draws its records from this generator
// (splitmix64, one 64-bit draw per record) and shrinks a failure with the trace shrinker instead.
// Sizes grow as RapidCheck's size parameter does: case i has size (i mod kSizeCycle) scaled to
// 0..max_size; a case of size s has a uniform number of records in [0, s], and each of their
// bytes has round(8 s / 100) random bits (RapidCheck's integer scaling: small cases, small bytes).
//
// The same three numbers always give the same records, in any process:
//   std::vector<Record> recs;
//   generate_case(seed, property, case_index, recs);   // reruns case `case_index` exactly
#pragma once

#include <cstdint>
#include <vector>

#include "decoder.h"

namespace resvcheck {

inline constexpr int kDefaultMaxSize = 120;
inline constexpr uint64_t kSizeCycle = 40;  // cases from size 0 to max_size

int case_size(uint64_t case_index, int max_size = kDefaultMaxSize);

// Replaces `out` with the records of the case (its capacity is kept: callers reuse one buffer).
void generate_case(uint64_t seed, size_t property, uint64_t case_index, std::vector<Record>& out,
                   int max_size = kDefaultMaxSize);

}  // namespace resvcheck
