// abi_codec.h - converts ops and observations between the C++ vocabulary and the plugin C ABI.
//
// Fields are flattened in declaration order into resvcheck_op::args (handles as their index, an
// absent acquire context as -1, usages and flags as integers), exactly as resvcheck_plugin.h lists.
#pragma once

#include "observation.h"
#include "ops.h"

namespace resvcheck {

resvcheck_op encode_op(const Op& op);
// Copies what the plugin reported into `out` (out is cleared first).
void decode_observation(const resvcheck_obs& in, Observation& out);

}  // namespace resvcheck
