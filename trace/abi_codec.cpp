#include "abi_codec.h"

#include "fields.h"

namespace resvcheck {
namespace {
struct Encoder : FieldVisitor {
    resvcheck_op& out;
    explicit Encoder(resvcheck_op& o) : out(o) {}
    void put(int64_t v) { out.args[out.nargs++] = v; }
    template <HandleKind K>
    void handle(const char*, const Handle<K>& h) { put(h.id); }
    template <HandleKind K>
    void opt_handle(const char*, const OptHandle<K>& a) { put(a.h ? static_cast<int64_t>(a.h->id) : -1); }
    void usage(const char*, Usage u) { put(static_cast<int64_t>(u)); }
    void flag(const char*, bool b) { put(b); }
    void number(const char*, auto n) { put(static_cast<int64_t>(n)); }
};
}  // namespace

resvcheck_op encode_op(const Op& op) {
    resvcheck_op out{};
    std::visit(
        [&](const auto& o) {
            out.kind = o.abi;
            Encoder e{out};
            visit_fields(o, e);
        },
        op);
    return out;
}

void decode_observation(const resvcheck_obs& in, Observation& out) {
    out.clear();
    out.ret = in.ret;
    out.restarted = in.flags & RC_OBS_RESTARTED;
    out.container = in.flags & RC_OBS_CONTAINER;
    out.leaked = in.flags & RC_OBS_LEAKED;
    out.warnings = in.warnings;
    out.slept = in.slept;
    auto n = [](uint32_t v) { return v > RC_OBS_MAX ? RC_OBS_MAX : v; };
    for (uint32_t i = 0; i < n(in.n_fences); ++i)
        out.fences.push_back({FenceH{in.fences[i].fence}, static_cast<Usage>(in.fences[i].usage & 3)});
    for (uint32_t i = 0; i < n(in.n_callbacks); ++i) out.callbacks.push_back(CbH{in.callbacks[i]});
    for (uint32_t i = 0; i < n(in.n_released); ++i) out.released.push_back(FenceH{in.released[i]});
    for (uint32_t i = 0; i < n(in.n_deadlines); ++i) out.deadlines.push_back(FenceH{in.deadlines[i]});
}

}  // namespace resvcheck
