// shrinker.h - delta debugging over traces that come from anywhere (fuzzers, users, generators).
//
// Given a trace and a predicate "still fails the same way" (for resvcheck: the same rule is
// violated), it first tries the last op with only the ops that made what it names, then drops chunks of ops, then single ops, renumbers handles densely, lowers numbers
// (seqnos, slot counts, errors), and points uses of a handle at older objects of its kind (so
// the op that made the newer one can go), for as long as the predicate holds. The result is the
// smallest trace it found; pins are dropped (runner/finding_pipeline.h re-pins it when writing).
//
//   Trace small = shrink_trace(big, [&](const Trace& t) { return fails_with(t, rule); });
#pragma once

#include <functional>

#include "text_format.h"

namespace resvcheck {

struct ShrinkStats {
    size_t tries = 0;       // predicate evaluations
    size_t ops_before = 0;
    size_t ops_after = 0;
};

Trace shrink_trace(const Trace& input, const std::function<bool(const Trace&)>& still_fails, ShrinkStats* stats = nullptr,
                   size_t max_tries = 20000);

// Renumbers every handle kind densely in order of creation (f0, f1, ... as the ops create them).
Trace normalize_handles(const Trace& t);

}  // namespace resvcheck
