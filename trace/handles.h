// handles.h - how a trace names objects: small typed handles (r0, f3, c1, i0, a0, cb2) and usages.
//
// A handle is an index per object kind, printed as its kind's prefix and the index. Handles are
// what the model, the adapters and the text format share; an adapter maps them to its own objects.
//
//   resvcheck::FenceH f{3};   // printed "f3"
//   resvcheck::Usage::WRITE   // printed "WRITE"
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>

namespace resvcheck {

enum class HandleKind : uint8_t { Resv, Fence, Ctx, Iter, Acq, Cb };
inline constexpr int kHandleKinds = 6;

template <HandleKind K>
struct Handle {
    static constexpr HandleKind kind = K;
    uint32_t id = 0;
    friend auto operator<=>(const Handle&, const Handle&) = default;
};

using ResvH = Handle<HandleKind::Resv>;
using FenceH = Handle<HandleKind::Fence>;
using CtxH = Handle<HandleKind::Ctx>;
using IterH = Handle<HandleKind::Iter>;
using AcqH = Handle<HandleKind::Acq>;
using CbH = Handle<HandleKind::Cb>;

// A handle argument that may be absent: an acquire context (dma_resv_lock(obj, NULL)), a fence
// (dma_fence_chain_init's prev, the later members of an array or a merge).
template <HandleKind K>
struct OptHandle {
    static constexpr HandleKind opt_kind = K;
    std::optional<Handle<K>> h;
    friend bool operator==(const OptHandle&, const OptHandle&) = default;
};
using OptAcqH = OptHandle<HandleKind::Acq>;
using OptFenceH = OptHandle<HandleKind::Fence>;

constexpr std::string_view handle_prefix(HandleKind k) {
    switch (k) {
    case HandleKind::Resv: return "r";
    case HandleKind::Fence: return "f";
    case HandleKind::Ctx: return "c";
    case HandleKind::Iter: return "i";
    case HandleKind::Acq: return "a";
    case HandleKind::Cb: return "cb";
    }
    return "?";
}

// enum dma_resv_usage: a query with usage U covers every fence stored with usage <= U.
enum class Usage : uint8_t { KERNEL = 0, WRITE = 1, READ = 2, BOOKKEEP = 3 };
inline constexpr int kUsages = 4;

constexpr std::string_view usage_name(Usage u) {
    switch (u) {
    case Usage::KERNEL: return "KERNEL";
    case Usage::WRITE: return "WRITE";
    case Usage::READ: return "READ";
    case Usage::BOOKKEEP: return "BOOKKEEP";
    }
    return "?";
}

}  // namespace resvcheck
