// adapter.h - the C++ interface an implementation under test is driven through.
//
// An adapter owns the implementation's objects for one trace at a time: reset() forgets them,
// apply() runs one op (which meets the contract's preconditions) and reports what happened.
// Plugins written in any language implement the C ABI in plugin/resvcheck_plugin.h instead;
// PluginAdapter wraps them.
//
//   auto a = make_adapter("sim", {});          // registry.h
//   Observation obs;
//   (*a)->reset();
//   (*a)->apply(Op{ResvInit{ResvH{0}}}, obs);
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "observation.h"
#include "ops.h"

namespace resvcheck {

class Adapter {
public:
    virtual ~Adapter() = default;
    virtual std::string_view name() const = 0;
    // The model profile the implementation claims to follow ("contract", "linux-6.12", ...).
    virtual std::string_view default_profile() const = 0;
    virtual void reset() = 0;
    virtual bool supports(const Op& op) const = 0;
    // Runs `op`; `out` is cleared first. A BUG() or crash-like failure is reported through
    // out.status == Bug with a message, an op it lacks through Status::Unsupported.
    virtual void apply(const Op& op, Observation& out) = 0;
    // Optional, for adapters whose every op is a round trip (kmod): resets, then runs `ops` in one
    // exchange, one observation each (fewer if the implementation died: the last one says how).
    // false: not provided, use reset() and apply().
    virtual bool apply_batch(std::span<const Op> ops, std::vector<Observation>& out) {
        (void)ops, (void)out;
        return false;
    }
};

}  // namespace resvcheck
