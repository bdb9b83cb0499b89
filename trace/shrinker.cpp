#include "shrinker.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "fields.h"

namespace resvcheck {
namespace {

// Renumbers handles densely in order of creation; a handle no earlier op created names nothing.
template <typename O>
struct Renumber : FieldVisitor {
    std::array<std::unordered_map<uint32_t, uint32_t>, kHandleKinds>& map;
    std::array<uint32_t, kHandleKinds>& next;

    template <HandleKind K>
    void handle(const char*, Handle<K>& h) {
        auto& m = map[static_cast<size_t>(K)];
        auto it = m.find(h.id);
        if (it != m.end()) {
            h.id = it->second;
        } else if (O::creates == K) {
            h.id = m[h.id] = next[static_cast<size_t>(K)]++;
        } else {
            h.id = 100000 + h.id;  // names nothing: the trace is now invalid, and the predicate says so
        }
    }
    template <HandleKind K>
    void opt_handle(const char* name, OptHandle<K>& a) {
        if (a.h) handle(name, *a.h);
    }
};

// The number fields of an op, in order: their magnitudes (errors are negative) and a setter.
struct Numbers : FieldVisitor {
    std::vector<uint64_t> magnitudes;
    void number(const char*, auto v) {
        bool neg = std::is_signed_v<decltype(v)> && v < 0;
        magnitudes.push_back(neg ? static_cast<uint64_t>(-static_cast<int64_t>(v)) : static_cast<uint64_t>(v));
    }
};
struct SetNumber : FieldVisitor {
    size_t want;
    uint64_t magnitude;
    size_t k = 0;
    void number(const char*, auto& v) {
        using F = std::remove_cvref_t<decltype(v)>;
        if (k++ != want) return;
        bool neg = std::is_signed_v<F> && v < 0;
        v = neg ? static_cast<F>(-static_cast<int64_t>(magnitude)) : static_cast<F>(magnitude);
    }
};

std::vector<uint64_t> number_magnitudes(const Op& op) {
    Numbers n;
    std::visit([&](const auto& o) { visit_fields(o, n); }, op);
    return n.magnitudes;
}
Op with_number(Op op, size_t index, uint64_t magnitude) {
    SetNumber set{{}, index, magnitude};
    std::visit([&](auto& o) { visit_fields(o, set); }, op);
    return op;
}

// Every handle an op names, in field order, and a setter for the k-th of them.
struct HandleFields : FieldVisitor {
    std::vector<std::pair<HandleKind, uint32_t>> fields;
    template <HandleKind K>
    void handle(const char*, const Handle<K>& h) {
        fields.emplace_back(K, h.id);
    }
    template <HandleKind K>
    void opt_handle(const char* name, const OptHandle<K>& a) {
        if (a.h) handle(name, *a.h);
    }
};
struct SetHandle : FieldVisitor {
    size_t want;
    uint32_t id;
    size_t k = 0;
    template <HandleKind K>
    void handle(const char*, Handle<K>& h) {
        if (k++ == want) h.id = id;
    }
    template <HandleKind K>
    void opt_handle(const char* name, OptHandle<K>& a) {
        if (a.h) handle(name, *a.h);
    }
};

std::vector<std::pair<HandleKind, uint32_t>> handle_fields(const Op& op) {
    HandleFields h;
    std::visit([&](const auto& o) { visit_fields(o, h); }, op);
    return h.fields;
}
Op with_handle(Op op, size_t index, uint32_t id) {
    SetHandle set{{}, index, id};
    std::visit([&](auto& o) { visit_fields(o, set); }, op);
    return op;
}

// The op with every usage set to KERNEL or every flag cleared, if that changes it.
struct Simplify : FieldVisitor {
    bool usages;  // else flags
    bool changed = false;
    void usage(const char*, Usage& u) {
        if (!usages || u == Usage::KERNEL) return;
        u = Usage::KERNEL;
        changed = true;
    }
    void flag(const char*, bool& b) {
        if (usages || !b) return;
        b = false;
        changed = true;
    }
};
std::optional<Op> simplified(Op op, bool usages) {
    Simplify s{{}, usages};
    std::visit([&](auto& o) { visit_fields(o, s); }, op);
    if (!s.changed) return std::nullopt;
    return op;
}

// Replaces "resv_iter_begin i r U; ...; resv_iter_first(_unlocked) i" by one whole walk of r at
// the first step, dropping every other use of i: one op instead of two or more.
std::optional<Trace> collapse_iterator(const Trace& t, size_t begin) {
    const auto* b = std::get_if<ResvIterBegin>(&t.steps[begin].op);
    if (!b) return std::nullopt;
    Trace out;
    out.schedule = t.schedule;
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

// The last op and the ops that made the objects it names, transitively (an object is made by the
// first op that names it): what a failure of the last op alone needs, if it needs no other state.
// Tried first, as one candidate: a crash or hang costs a watchdog per try, and this is often it.
std::optional<Trace> creation_slice(const Trace& t) {
    if (t.steps.size() < 3 || !t.schedule.empty()) return std::nullopt;
    std::map<std::pair<HandleKind, uint32_t>, size_t> maker;
    for (size_t i = 0; i < t.steps.size(); ++i)
        for (const auto& h : handle_fields(t.steps[i].op)) maker.try_emplace(h, i);
    std::vector<bool> keep(t.steps.size(), false);
    std::vector<size_t> todo{t.steps.size() - 1};
    while (!todo.empty()) {
        size_t i = todo.back();
        todo.pop_back();
        if (keep[i]) continue;
        keep[i] = true;
        for (const auto& h : handle_fields(t.steps[i].op)) todo.push_back(maker.at(h));
    }
    Trace out = t;
    out.steps.clear();
    for (size_t i = 0; i < t.steps.size(); ++i)
        if (keep[i]) out.steps.push_back(t.steps[i]);
    if (out.steps.size() == t.steps.size()) return std::nullopt;
    return normalize_handles(out);
}

}  // namespace

Trace normalize_handles(const Trace& t) {
    Trace out = t;
    std::array<std::unordered_map<uint32_t, uint32_t>, kHandleKinds> map;
    std::array<uint32_t, kHandleKinds> next{};
    for (auto& st : out.steps)
        std::visit(
            [&](auto& o) {
                Renumber<std::decay_t<decltype(o)>> r{{}, map, next};
                visit_fields(o, r);
            },
            st.op);
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
    if (auto slice = creation_slice(best); slice && attempt(*slice)) best = std::move(*slice);
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
            size_t fields = number_magnitudes(best.steps[i].op).size();
            for (size_t k = 0; k < fields; ++k) {
                uint64_t lo = 0, hi = number_magnitudes(best.steps[i].op)[k];
                while (lo < hi) {
                    uint64_t mid = lo + (hi - lo) / 2;
                    Trace cand = best;
                    cand.steps[i].op = with_number(best.steps[i].op, k, mid);
                    if (attempt(cand)) {
                        hi = mid;
                        best = std::move(cand);
                        progress = true;
                    } else {
                        lo = mid + 1;
                    }
                }
            }
            for (auto k : {simplified(best.steps[i].op, true), simplified(best.steps[i].op, false)}) {
                if (!k) continue;
                Trace cand = best;
                cand.steps[i].op = *k;
                if (attempt(cand)) {
                    best = std::move(cand);
                    progress = true;
                }
            }
        }
        // Point each use of a handle at an older object of its kind (a merge of a chain and an
        // array becomes a merge of two plain fences), so the next round can drop what made the
        // newer one. Only towards lower ids, so the pass ends.
        {
            std::array<std::vector<uint32_t>, kHandleKinds> seen;  // ids named by earlier ops, by kind
            for (size_t i = 0; i < best.steps.size(); ++i) {
                auto fields = handle_fields(best.steps[i].op);
                for (size_t k = 0; k < fields.size(); ++k) {
                    const auto& older = seen[static_cast<size_t>(fields[k].first)];
                    if (std::find(older.begin(), older.end(), fields[k].second) == older.end()) continue;  // made here
                    for (uint32_t to : older) {
                        if (to >= fields[k].second) continue;
                        Trace cand = best;
                        cand.steps[i].op = with_handle(best.steps[i].op, k, to);
                        if (attempt(cand)) {
                            best = std::move(cand);
                            progress = true;
                            break;
                        }
                    }
                }
                for (const auto& [kind, id] : handle_fields(best.steps[i].op)) {
                    auto& ids = seen[static_cast<size_t>(kind)];
                    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
                }
            }
        }
        for (size_t i = 0; i < best.steps.size(); ++i) {
            if (auto cand = collapse_iterator(best, i); cand && attempt(normalize_handles(*cand))) {
                best = normalize_handles(*cand);
                progress = true;
            }
        }
        // Concurrency: fewer choices in the schedule (chunks, then single ones), then ops taken
        // off their thread (run sequentially where they stand: a block splits in two).
        for (size_t chunk = std::max<size_t>(1, best.schedule.size() / 2); !best.schedule.empty() && chunk >= 1; chunk /= 2) {
            for (size_t start = 0; start < best.schedule.size();) {
                Trace cand = best;
                cand.schedule.erase(cand.schedule.begin() + static_cast<long>(start),
                                    cand.schedule.begin() + static_cast<long>(std::min(best.schedule.size(), start + chunk)));
                if (attempt(cand)) {
                    best = std::move(cand);
                    progress = true;
                } else {
                    start += chunk;
                }
            }
            if (chunk == 1) break;
        }
        for (size_t i = 0; i < best.steps.size(); ++i) {
            if (best.steps[i].thread < 0) continue;
            Trace cand = best;
            cand.steps[i].thread = -1;
            if (attempt(cand)) {
                best = std::move(cand);
                progress = true;
            }
        }
    }
    if (stats) *stats = {tries, input.steps.size(), best.steps.size()};
    return best;
}

}  // namespace resvcheck
