// raw_ops.h - the benchmarks' raw op sequence: prebuilt resvcheck_op structs that drive a plugin
// through apply() with no model and no runner, i.e. what the implementation's code itself costs.
// One trace: set-up, then `rounds` x {fence_init, resv_lock, resv_reserve_fences,
// resv_add_fence, resv_unlock, fence_signal, fence_put}.
#pragma once

#include <initializer_list>
#include <vector>

#include "resvcheck_plugin.h"

namespace resvcheck::bench {

inline std::vector<resvcheck_op> raw_ops(int rounds) {
    std::vector<resvcheck_op> v;
    auto op = [&](uint32_t kind, std::initializer_list<int64_t> args) {
        resvcheck_op o{};
        o.kind = kind;
        for (int64_t a : args) o.args[o.nargs++] = a;
        v.push_back(o);
    };
    op(RC_OP_FENCE_CONTEXT_ALLOC, {0, 0});
    op(RC_OP_RESV_INIT, {0});
    for (int i = 0; i < rounds; ++i) {
        op(RC_OP_FENCE_INIT, {i, 0, i + 1});
        op(RC_OP_RESV_LOCK, {0, -1});
        op(RC_OP_RESV_RESERVE_FENCES, {0, 1});
        op(RC_OP_RESV_ADD_FENCE, {0, i, RC_USAGE_WRITE});
        op(RC_OP_RESV_UNLOCK, {0});
        op(RC_OP_FENCE_SIGNAL, {i});
        op(RC_OP_FENCE_PUT, {i});
    }
    return v;
}

}  // namespace resvcheck::bench
