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
    // Whether the op may be sent: the adapter supports its kind, and a wait that may sleep out its
    // timeout finds a virtual clock (sleep supported).
    bool runs(const Op& op) const { return supports(op) && (!may_sleep_out(op) || supports(Op{Sleep{}})); }
    // What the implementation can never have, by API feature (RC_FEATURE_* bits), each with why
    // (a stock kernel has no fault injection, no lockdep): not a gap to be closed, so its ops are
    // not reported missing, and the rules only that feature can show are not applicable to the
    // run (rule_applies) instead of untested.
    struct Unavailable {
        uint32_t features = 0;
        std::string why;
    };
    virtual std::vector<Unavailable> unavailable() const { return {}; }
    // Runs `op`; `out` is cleared first. A BUG() or crash-like failure is reported through
    // out.status == Bug with a message, an op it lacks through Status::Unsupported.
    virtual void apply(const Op& op, Observation& out) = 0;
    // Optional, for adapters whose every op is a round trip (kmod): runs several cases in one
    // exchange, each after a reset. Case i is ops[ends[i-1] .. ends[i]) (ends[-1] = 0); `out` gets
    // one observation per op in that order, and stops at the op that killed the implementation
    // (its observation says how; the cases after it did not run). false: not provided, use
    // reset() and apply().
    virtual bool apply_batch(std::span<const Op> ops, std::span<const size_t> ends, std::vector<Observation>& out) {
        (void)ops, (void)ends, (void)out;
        return false;
    }

    // Concurrency (optional): runs a block of ops on threads, one runnable at a time, switching at
    // the implementation's synchronisation points as `schedule` says (trace/text_format.h).
    struct Block {
        std::vector<Observation> obs;   // per op, in block order
        std::vector<uint32_t> start;    // switch point count when the op began / returned: the
        std::vector<uint32_t> end;      // real-time order linearizability respects
        std::vector<uint8_t> realised;  // the choice made at each switch point with a choice
        std::vector<uint8_t> runnable;  // bit mask of the threads that could run there
        uint32_t ndefault = 0;          // trailing choices the default rule (keep running) makes too
        bool deadlock = false;          // every unfinished thread blocked (message says where)
        std::string message;
    };
    virtual bool supports_threads() const { return false; }
    virtual void apply_block(std::span<const Op> ops, std::span<const uint8_t> threads,
                             std::span<const uint8_t> schedule, Block& out) {
        (void)threads, (void)schedule;
        out = Block{};
        out.obs.resize(ops.size());
        for (auto& o : out.obs) o.status = Observation::Status::Unsupported;
        out.message = "the adapter runs no threads";
    }
};

}  // namespace resvcheck
