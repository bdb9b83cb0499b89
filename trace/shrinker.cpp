#include "shrinker.h"

#include <array>
#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <unordered_map>

namespace hana = boost::hana;

namespace resvcheck {
namespace {

template <typename O, HandleKind K>
constexpr bool creates() {
    return (std::is_same_v<O, FenceContextAlloc> && K == HandleKind::Ctx) || (std::is_same_v<O, FenceInit> && K == HandleKind::Fence) ||
           (std::is_same_v<O, ResvInit> && K == HandleKind::Resv) || (std::is_same_v<O, ResvIterBegin> && K == HandleKind::Iter) ||
           (std::is_same_v<O, WwAcquireInit> && K == HandleKind::Acq) || (std::is_same_v<O, FenceAddCallback> && K == HandleKind::Cb);
}

struct Renumber {
    std::array<std::unordered_map<uint32_t, uint32_t>, kHandleKinds> map;
    std::array<uint32_t, kHandleKinds> next{};

    template <typename O, HandleKind K>
    void fix(Handle<K>& h) {
        auto& m = map[static_cast<size_t>(K)];
        auto it = m.find(h.id);
        if (it != m.end()) {
            h.id = it->second;
        } else if (creates<O, K>()) {
            h.id = m[h.id] = next[static_cast<size_t>(K)]++;
        } else {
            h.id = 100000 + h.id;  // names nothing: the trace is now invalid, and the predicate says so
        }
    }
    void operator()(Op& op) {
        std::visit(
            [&](auto& o) {
                using O = std::decay_t<decltype(o)>;
                hana::for_each(hana::accessors<O>(), [&](auto pair) {
                    auto& field = hana::second(pair)(o);
                    using F = std::decay_t<decltype(field)>;
                    if constexpr (std::is_same_v<F, OptAcqH>) {
                        if (field.h) fix<O>(*field.h);
                    } else if constexpr (requires { F::kind; }) {
                        fix<O>(field);
                    }
                });
            },
            op);
    }
};

// A number field of an op that can be set to another value (magnitude for negative errors).
struct NumberField {
    uint64_t magnitude;
    std::function<Op(uint64_t)> with;  // the op with the field set to that magnitude
};

std::vector<NumberField> number_fields(const Op& op) {
    std::vector<NumberField> out;
    std::visit(
        [&](const auto& o) {
            using O = std::decay_t<decltype(o)>;
            hana::for_each(hana::accessors<O>(), [&](auto pair) {
                using F = std::decay_t<decltype(hana::second(pair)(o))>;
                if constexpr (std::is_integral_v<F> && !std::is_same_v<F, bool>) {
                    F v = hana::second(pair)(o);
                    bool neg = std::is_signed_v<F> && v < 0;
                    uint64_t mag = neg ? static_cast<uint64_t>(-static_cast<int64_t>(v)) : static_cast<uint64_t>(v);
                    out.push_back({mag, [o, neg, pair](uint64_t m) {
                                       O c = o;
                                       hana::second(pair)(c) = neg ? static_cast<F>(-static_cast<int64_t>(m)) : static_cast<F>(m);
                                       return Op{c};
                                   }});
                }
            });
        },
        op);
    return out;
}

// The op with every field of type F set to `simplest`, if that changes it (usages to KERNEL,
// flags off).
template <typename F>
std::optional<Op> simplified(const Op& op, F simplest) {
    std::optional<Op> out;
    std::visit(
        [&](const auto& o) {
            using O = std::decay_t<decltype(o)>;
            O c = o;
            bool changed = false;
            hana::for_each(hana::accessors<O>(), [&](auto pair) {
                if constexpr (std::is_same_v<std::decay_t<decltype(hana::second(pair)(c))>, F>) {
                    changed |= hana::second(pair)(c) != simplest;
                    hana::second(pair)(c) = simplest;
                }
            });
            if (changed) out = Op{c};
        },
        op);
    return out;
}

// Replaces "resv_iter_begin i r U; ...; resv_iter_first(_unlocked) i" by one whole walk of r at
// the first step, dropping every other use of i: one op instead of two or more.
std::optional<Trace> collapse_iterator(const Trace& t, size_t begin) {
    const auto* b = std::get_if<ResvIterBegin>(&t.steps[begin].op);
    if (!b) return std::nullopt;
    Trace out;
    out.header = t.header;
    bool replaced = false;
    for (size_t j = 0; j < t.steps.size(); ++j) {
        if (j == begin) continue;
        const Op& op = t.steps[j].op;
        auto uses_i = [&](IterH i) { return i.id == b->i.id; };
        if (const auto* f = std::get_if<ResvIterFirst>(&op); f && uses_i(f->i) && !replaced) {
            out.steps.push_back({ResvForEachFence{b->r, b->usage}, std::nullopt, {}, 0});
            replaced = true;
            continue;
        }
        if (const auto* f = std::get_if<ResvIterFirstUnlocked>(&op); f && uses_i(f->i) && !replaced) {
            out.steps.push_back({ResvForEachFenceUnlocked{b->r, b->usage}, std::nullopt, {}, 0});
            replaced = true;
            continue;
        }
        bool other_use = std::visit(
            [&](const auto& o) {
                if constexpr (requires { o.i; }) return uses_i(o.i);
                return false;
            },
            op);
        if (!other_use) out.steps.push_back(t.steps[j]);
    }
    if (!replaced) return std::nullopt;
    return out;
}

}  // namespace

Trace normalize_handles(const Trace& t) {
    Trace out = t;
    Renumber r;
    for (auto& st : out.steps) r(st.op);
    return out;
}

Trace shrink_trace(const Trace& input, const std::function<bool(const Trace&)>& still_fails, ShrinkStats* stats, size_t max_tries) {
    Trace best = input;
    for (auto& st : best.steps) st.pin.reset();
    size_t tries = 0;
    auto attempt = [&](const Trace& cand) {
        if (tries >= max_tries) return false;
        ++tries;
        return still_fails(cand);
    };
    if (Trace n = normalize_handles(best); attempt(n)) best = n;
    bool progress = true;
    while (progress && tries < max_tries) {
        progress = false;
        // ddmin: remove chunks, halving the chunk size down to single ops.
        for (size_t chunk = std::max<size_t>(1, best.steps.size() / 2); chunk >= 1; chunk /= 2) {
            for (size_t start = 0; start < best.steps.size();) {
                Trace cand = best;
                size_t end = std::min(best.steps.size(), start + chunk);
                cand.steps.erase(cand.steps.begin() + static_cast<long>(start), cand.steps.begin() + static_cast<long>(end));
                cand = normalize_handles(cand);
                if (!cand.steps.empty() && attempt(cand)) {
                    best = std::move(cand);
                    progress = true;
                } else {
                    start += chunk;
                }
            }
            if (chunk == 1) break;
        }
        // Lower each number by binary search for the smallest value that still fails (errors
        // towards -1), so boundaries such as the 32-bit wrap show up as such.
        for (size_t i = 0; i < best.steps.size(); ++i) {
            auto fields = number_fields(best.steps[i].op);
            for (size_t k = 0; k < fields.size(); ++k) {
                auto f = number_fields(best.steps[i].op)[k];
                uint64_t lo = 0, hi = f.magnitude;
                while (lo < hi) {
                    uint64_t mid = lo + (hi - lo) / 2;
                    Trace cand = best;
                    cand.steps[i].op = f.with(mid);
                    if (attempt(cand)) {
                        hi = mid;
                        best = std::move(cand);
                        progress = true;
                    } else {
                        lo = mid + 1;
                    }
                }
            }
            for (auto k : {simplified(best.steps[i].op, Usage::KERNEL), simplified(best.steps[i].op, false)}) {
                if (!k) continue;
                Trace cand = best;
                cand.steps[i].op = *k;
                if (attempt(cand)) {
                    best = std::move(cand);
                    progress = true;
                }
            }
        }
        for (size_t i = 0; i < best.steps.size(); ++i) {
            if (auto cand = collapse_iterator(best, i); cand && attempt(normalize_handles(*cand))) {
                best = normalize_handles(*cand);
                progress = true;
            }
        }
    }
    if (stats) *stats = {tries, input.steps.size(), best.steps.size()};
    return best;
}

}  // namespace resvcheck
