#include "abi_codec.h"

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>

namespace hana = boost::hana;

namespace resvcheck {
namespace {
template <typename T>
struct IsHandle : std::false_type {};
template <HandleKind K>
struct IsHandle<Handle<K>> : std::true_type {};
}  // namespace

resvcheck_op encode_op(const Op& op) {
    resvcheck_op out{};
    std::visit(
        [&](const auto& o) {
            using O = std::decay_t<decltype(o)>;
            out.kind = O::abi;
            hana::for_each(hana::accessors<O>(), [&](auto pair) {
                const auto& field = hana::second(pair)(o);
                using Field = std::decay_t<decltype(field)>;
                int64_t v;
                if constexpr (IsHandle<Field>::value)
                    v = field.id;
                else if constexpr (std::is_same_v<Field, OptAcqH>)
                    v = field.h ? static_cast<int64_t>(field.h->id) : -1;
                else
                    v = static_cast<int64_t>(field);
                out.args[out.nargs++] = v;
            });
        },
        op);
    return out;
}

void decode_observation(const resvcheck_obs& in, Observation& out) {
    out.clear();
    out.ret = in.ret;
    out.restarted = in.flags & RC_OBS_RESTARTED;
    out.container = in.flags & RC_OBS_CONTAINER;
    out.warnings = in.warnings;
    auto n = [](uint32_t v) { return v > RC_OBS_MAX ? RC_OBS_MAX : v; };
    for (uint32_t i = 0; i < n(in.n_fences); ++i)
        out.fences.push_back({FenceH{in.fences[i].fence}, static_cast<Usage>(in.fences[i].usage & 3)});
    for (uint32_t i = 0; i < n(in.n_callbacks); ++i) out.callbacks.push_back(CbH{in.callbacks[i]});
    for (uint32_t i = 0; i < n(in.n_released); ++i) out.released.push_back(FenceH{in.released[i]});
    for (uint32_t i = 0; i < n(in.n_deadlines); ++i) out.deadlines.push_back(FenceH{in.deadlines[i]});
}

}  // namespace resvcheck
