// shrink_util.h - shrinking a failing trace so that it still violates the same rule.
#pragma once

#include "runner.h"
#include "shrinker.h"

namespace resvcheck::cli {

struct Shrunk {
    Trace trace;
    Divergence divergence;  // of the shrunk trace
    ShrinkStats stats;
};

// `failing` violates `rule` on `adapter` under `profile`; returns the smallest trace found that
// still does, with its divergence.
Shrunk shrink_failure(const Trace& failing, Rule rule, const Profile& profile, Adapter& adapter);

}  // namespace resvcheck::cli
