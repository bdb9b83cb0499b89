#include "linearize.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "text_format.h"

namespace resvcheck {
namespace {

constexpr uint64_t kStepBudget = 200000;
constexpr size_t kMaxEnds = 24;

bool is_walk(const Op& op) { return std::holds_alternative<ResvForEachFenceUnlocked>(op); }

// Ops that change which entries an object lists (a walk may restart over them).
std::optional<uint32_t> writes_list_of(const Op& op) {
    return std::visit(
        [](const auto& o) -> std::optional<uint32_t> {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, ResvAddFence> || std::is_same_v<T, ResvReserveFences> ||
                          std::is_same_v<T, ResvReplaceFences> || std::is_same_v<T, ResvUnlock>)
                return o.r.id;
            else if constexpr (std::is_same_v<T, ResvCopyFences>)
                return o.dst.id;
            else
                return std::nullopt;
        },
        op);
}

struct Search {
    const BlockHistory& h;
    LinStats& stats;
    std::vector<size_t> atomic, walks;  // indexes into h.ops
    std::vector<size_t> order;          // atomic ops placed so far
    std::vector<Model> states;          // states[d]: after order[0..d)
    std::optional<Divergence> best;
    size_t best_depth = 0;
    uint64_t steps = 0;
    std::vector<Model>* ends = nullptr;  // the states after every accepted order (up to kMaxEnds)

    bool before(size_t a, size_t b) const { return h.end[a] < h.start[b]; }

    void fail(Divergence d, size_t depth) {
        if (!best || depth > best_depth) best = std::move(d), best_depth = depth;
    }

    // Judges walk `w` over the states its interval spans in this order.
    std::optional<Divergence> judge_walk(size_t w) {
        const auto& walk = std::get<ResvForEachFenceUnlocked>(h.ops[w]);
        const Observation& seen = h.obs[w];
        // The states from before the first op that overlaps the walk to after the last: a writer's
        // effect is not atomic (add_fence decides on a slot, then publishes it), so each may be
        // seen anywhere in its own interval.
        size_t lo = 0, hi = order.size();
        for (size_t p = 0; p < order.size(); ++p) {
            if (before(order[p], w)) lo = std::max(lo, p + 1);
            if (before(w, order[p])) hi = std::min(hi, p);
        }
        for (size_t p = 0; p < order.size(); ++p)
            if (!before(order[p], w) && !before(w, order[p])) lo = std::min(lo, p), hi = std::max(hi, p + 1);
        hi = std::max(hi, lo);
        std::optional<Divergence> atomic_d;
        for (size_t j = lo; j <= hi; ++j) {  // atomic at one of them: the common case
            Model c = states[j];
            if (c.precondition(h.ops[w])) continue;
            ++steps;
            auto d = c.step(h.ops[w], seen, h.first_index + w);
            if (!d) return std::nullopt;
            if (!atomic_d) atomic_d = std::move(d);
        }
        if (!seen.callbacks.empty() || !seen.released.empty() || !seen.deadlines.empty() || seen.warnings)
            return atomic_d;
        using E = std::pair<uint32_t, int>;
        std::set<E> all, any, yielded;
        bool first = true;
        for (size_t j = lo; j <= hi; ++j) {
            Model c = states[j];
            if (c.precondition(h.ops[w])) continue;
            std::set<E> now;
            for (const auto& e : c.perform(h.ops[w]).fences) now.insert({e.fence.id, static_cast<int>(e.usage)});
            if (first) all = now;
            else
                std::erase_if(all, [&](const E& e) { return !now.count(e); });
            any.insert(now.begin(), now.end());
            first = false;
        }
        auto div = [&](Rule r, std::string allowed) {
            return Divergence{r, h.first_index + w, std::move(allowed), print_observation(h.ops[w], seen)};
        };
        for (const auto& e : seen.fences)
            if (!yielded.insert({e.fence.id, static_cast<int>(e.usage)}).second)
                return div(Rule::RESV_ITER_ONCE_PER_ENTRY, "each entry once (a concurrent walk)");
        for (const auto& e : yielded)
            if (!any.count(e))
                return div(Rule::RESV_NO_PHANTOM, "only entries listed and unsignalled at some point of the walk: f" +
                                                      std::to_string(e.first) + " never was");
        for (const auto& e : all)
            if (!yielded.count(e))
                return div(Rule::RESV_ITER_UNLOCKED_COMPLETE, "f" + std::to_string(e.first) +
                                                                  ", listed and unsignalled for the whole walk");
        if (seen.restarted) {
            bool writer = false;
            for (size_t a : atomic)
                if (writes_list_of(h.ops[a]) == walk.r.id && !before(a, w) && !before(w, a)) writer = true;
            if (!writer) return div(Rule::RESV_ITER_NO_SPURIOUS_RESTART, "no restart: nothing wrote r" + std::to_string(walk.r.id) + " during the walk");
        }
        return std::nullopt;
    }

    bool dfs(uint64_t done) {
        if (steps > kStepBudget) return true;
        if (order.size() == atomic.size()) {
            ++stats.orders;
            for (size_t w : walks)
                if (auto d = judge_walk(w)) {
                    fail(std::move(*d), order.size());
                    return false;
                }
            ends->push_back(states.back());
            return ends->size() >= kMaxEnds;
        }
        for (size_t i = 0; i < atomic.size(); ++i) {
            if (done >> i & 1) continue;
            const size_t a = atomic[i];
            bool minimal = true;  // nothing left that returned before it began
            for (size_t j = 0; j < atomic.size() && minimal; ++j)
                if (!(done >> j & 1) && j != i && before(atomic[j], a)) minimal = false;
            if (!minimal) continue;
            Model next = states.back();
            if (next.precondition(h.ops[a])) continue;  // cannot come here: a lock still held, ...
            ++steps;
            if (auto d = next.step(h.ops[a], h.obs[a], h.first_index + a)) {
                fail(std::move(*d), order.size() + 1);
                continue;
            }
            order.push_back(a);
            states.push_back(std::move(next));
            if (dfs(done | uint64_t{1} << i)) return true;
            order.pop_back();
            states.pop_back();
        }
        return false;
    }
};

// A walk holds a reference on the fence it visits, so a release the model expects of a writer
// (the replaced entry's last reference) may come when an overlapping walk drops its own: every
// way of giving a walk's releases back to an overlapping op, up to kMaxMoves of them.
std::vector<std::vector<Observation>> release_moves(const BlockHistory& h) {
    constexpr size_t kMaxMoves = 64;
    std::vector<std::vector<Observation>> out{std::vector<Observation>(h.obs.begin(), h.obs.end())};
    for (size_t w = 0; w < h.ops.size(); ++w) {
        if (!is_walk(h.ops[w])) continue;
        for (FenceH f : h.obs[w].released) {
            std::vector<std::vector<Observation>> next;
            for (auto& obs : out)
                for (size_t a = 0; a < h.ops.size() && next.size() < kMaxMoves; ++a) {
                    if (is_walk(h.ops[a]) || h.end[a] < h.start[w] || h.end[w] < h.start[a]) continue;
                    auto moved = obs;
                    std::erase(moved[w].released, f);
                    moved[a].released.push_back(f);
                    next.push_back(std::move(moved));
                }
            for (auto& obs : out) next.push_back(std::move(obs));  // or the walk's own release
            out = std::move(next);
            if (out.size() > kMaxMoves) out.resize(kMaxMoves);
        }
    }
    return out;
}

// The object an op needs its thread to hold the lock of (the model knows a lock is held, not by
// which thread), or the object it locks (lock) or lets go (unlock).
struct LockUse {
    std::optional<uint32_t> needs, takes, drops;
};
LockUse lock_use(const Op& op) {
    return std::visit(
        [](const auto& o) -> LockUse {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, ResvLock> || std::is_same_v<T, ResvLockInterruptible> ||
                          std::is_same_v<T, ResvLockSlow> || std::is_same_v<T, ResvLockSlowInterruptible>)
                return {{}, o.r.id, {}};
            else if constexpr (std::is_same_v<T, ResvUnlock>)
                return {o.r.id, {}, o.r.id};
            else if constexpr (std::is_same_v<T, ResvAddFence> || std::is_same_v<T, ResvReserveFences> ||
                               std::is_same_v<T, ResvReplaceFences> || std::is_same_v<T, ResvForEachFence>)
                return {o.r.id, {}, {}};
            else if constexpr (std::is_same_v<T, ResvCopyFences>)
                return {o.dst.id, {}, {}};
            else
                return {};
        },
        op);
}

bool feasible_from(const Model& m, std::span<const Op> ops, std::span<const uint8_t> threads, std::vector<size_t>& next,
                   uint64_t& budget) {
    bool all_done = true;
    for (size_t th = 0; th < next.size(); ++th) {
        size_t i = next[th];
        while (i < ops.size() && threads[i] != th) ++i;
        if (i == ops.size()) continue;
        all_done = false;
        if (m.precondition(ops[i]) || !budget) continue;
        --budget;
        Model after = m;
        after.perform(ops[i]);
        const size_t saved = next[th];
        next[th] = i + 1;
        const bool ok = feasible_from(after, ops, threads, next, budget);
        next[th] = saved;
        if (ok) return true;
    }
    return all_done;
}

}  // namespace

bool block_feasible(const Model& model, std::span<const Op> ops, std::span<const uint8_t> threads) {
    // A thread works only under locks it took itself, in the block.
    std::vector<std::set<uint32_t>> held(kMaxThreads);
    for (size_t i = 0; i < ops.size(); ++i) {
        const LockUse u = lock_use(ops[i]);
        auto& mine = held[threads[i]];
        if (u.needs && !mine.count(*u.needs)) return false;
        if (u.takes) mine.insert(*u.takes);
        if (u.drops) mine.erase(*u.drops);
    }
    std::vector<size_t> next(kMaxThreads, 0);
    uint64_t budget = 100000;  // model steps: a block this hard to order is taken as it is
    Model in_block = model;
    in_block.set_in_block(true);
    return feasible_from(in_block, ops, threads, next, budget) || !budget;
}

std::optional<Divergence> linearize(std::vector<Model>& candidates, const BlockHistory& given, LinStats& stats) {
    ++stats.histories;
    std::vector<Model> ends;
    std::optional<Divergence> best;
    size_t best_depth = 0;
    uint64_t steps = 0;
    bool budget = false;
    for (const auto& obs : release_moves(given)) {
        const BlockHistory h{given.ops, obs, given.start, given.end, given.first_index};
        for (const Model& start : candidates) {
            Search s{h, stats, {}, {}, {}, {}, {}, 0, 0, &ends};
            for (size_t i = 0; i < h.ops.size(); ++i) (is_walk(h.ops[i]) ? s.walks : s.atomic).push_back(i);
            s.states.push_back(start);
            s.states.back().set_in_block(true);
            s.dfs(0);
            steps += s.steps;
            if (s.best && (!best || s.best_depth > best_depth)) best = std::move(s.best), best_depth = s.best_depth;
            budget |= s.steps > kStepBudget;
            if (budget || ends.size() >= kMaxEnds) break;
        }
        if (budget || !ends.empty()) break;
    }
    stats.model_steps += steps;
    if (budget) ++stats.budget_hits;
    if (ends.empty()) {
        if (budget) return std::nullopt;  // unjudged: the caller stops the run here
        if (best) return best;
        return Divergence{Rule::WW_LOCK_UNCONTENDED, given.first_index, "one holder of a lock at a time: an order of the block that meets every op's preconditions",
                          "none: every order breaks one (two threads held one lock at once)"};
    }
    for (auto& m : ends) m.set_in_block(false);
    candidates = std::move(ends);
    return std::nullopt;
}

}  // namespace resvcheck
