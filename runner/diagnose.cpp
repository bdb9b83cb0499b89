#include "diagnose.h"

#include <algorithm>

#include "fields.h"

namespace resvcheck {
namespace {

// Replays the failing trace's ops 0..last and adds ops of its own (probes, a teardown); the
// subclass says what comes after each of the trace's ops and after the last one.
class PrefixSource : public OpSource {
public:
    PrefixSource(const Trace& ops, size_t last, const Adapter& adapter) : adapter_(adapter), ops_(ops), last_(last) {}

protected:
    bool allowed(const Model& model, const Op& op, bool misuse = false) const {
        return model.has_op(op) && !model.precondition(op, misuse) && adapter_.supports(op);
    }
    bool trace_done() const { return pos_ > last_ || pos_ >= ops_.steps.size(); }
    // The trace's next op; nothing at its end, or if the state no longer allows it (an adoption by
    // an added op can only narrow what the contract allows, but an invalid op is never sent).
    std::optional<Op> next_of_trace(const Model& model) {
        if (trace_done()) return std::nullopt;
        Op op = ops_.steps[pos_].op;
        // iterators the added ops began took handles: the trace's own take the next free ones
        IterRenumber rn{{}, iters_, model.view().count(HandleKind::Iter), std::holds_alternative<ResvIterBegin>(op)};
        std::visit([&](auto& o) { visit_fields(o, rn); }, op);
        if (!allowed(model, op, ops_.steps[pos_].misuse)) return std::nullopt;
        ++pos_;
        return op;
    }
    // Whether the trace's last op yielded armed the next one (fail_alloc): nothing may come between.
    bool arms_next() const { return pos_ > 0 && std::holds_alternative<FailAlloc>(ops_.steps[pos_ - 1].op); }
    size_t pos_ = 0;  // the next of the trace's ops
    const Adapter& adapter_;
    const Trace& ops_;

private:
    struct IterRenumber : FieldVisitor {
        std::vector<uint32_t>& ids;  // the trace's iterator handle -> the one in this run
        uint32_t next;
        bool begins;
        void handle(const char*, IterH& h) {
            if (begins) {
                if (ids.size() <= h.id) ids.resize(h.id + 1, UINT32_MAX);
                ids[h.id] = next;
            }
            if (h.id < ids.size() && ids[h.id] != UINT32_MAX) h.id = ids[h.id];
        }
        using FieldVisitor::handle;
    };
    size_t last_;
    std::vector<uint32_t> iters_;
};

// The failing trace's ops, each followed by the probes of the state it reached. `origin[i]` is the
// index in the trace of the i-th op yielded, or -1 for a probe.
class ProbingSource final : public PrefixSource {
public:
    using PrefixSource::PrefixSource;

    std::optional<Op> next(const Model& model) override {
        if (pending_.empty() && pos_ > 0 && !probed_) {
            probed_ = true;
            if (!trace_done() && !arms_next()) pending_ = state_probes(model, &adapter_);  // none after the last op: the run ends there
            std::reverse(pending_.begin(), pending_.end());
        }
        while (!pending_.empty()) {
            Op op = std::move(pending_.back());
            pending_.pop_back();
            if (!allowed(model, op)) continue;
            origin.push_back(-1);
            return op;
        }
        const size_t at = pos_;
        if (!walked_before_ && !trace_done() && !arms_next()) {
            walked_before_ = true;
            // before a query, or before the fail_alloc that arms it
            const bool armed = std::holds_alternative<FailAlloc>(ops_.steps[at].op) && at + 1 < ops_.steps.size();
            const Op& query = ops_.steps[at + armed].op;
            if (auto walk = walk_of_query(query)) {
                // a poll of the object polls its fences: each fence polled on its own first
                if (const auto* wait = std::get_if<ResvWaitTimeout>(&query); wait && wait->timeout == 0)
                    for (uint32_t f = 0; f < model.view().count(HandleKind::Fence); ++f)
                        if (model.view().alive(HandleKind::Fence, f)) pending_.push_back(FenceWaitTimeout{FenceH{f}, wait->intr, 0, wait->sigpending});
                // then the cursor's first two steps on their own, then the whole walk
                const IterH i{model.view().count(HandleKind::Iter)};
                pending_.insert(pending_.end(), {ResvIterBegin{i, walk->r, walk->usage}, ResvIterFirstUnlocked{i}, ResvIterNextUnlocked{i}, ResvIterEnd{i}});
                if (!std::holds_alternative<ResvForEachFenceUnlocked>(query)) pending_.push_back(*walk);
                // get_singleton is built on get_fences: that on its own first
                if (const auto* single = std::get_if<ResvGetSingleton>(&query)) pending_.push_back(ResvGetFences{single->r, single->usage});
                std::reverse(pending_.begin(), pending_.end());
                return next(model);
            }
        }
        auto op = next_of_trace(model);
        if (!op) return std::nullopt;
        origin.push_back(static_cast<int>(at));
        probed_ = false;
        walked_before_ = false;
        return op;
    }

    std::vector<int> origin;

private:
    // A query that walks the list with the unlocked cursor is preceded by that walk on its own, and
    // a walk by the cursor's first steps: a cursor that loses entries or gets its restart flag
    // wrong then shows as the cursor's rule, not as each query's or walk's.
    static std::optional<ResvForEachFenceUnlocked> walk_of_query(const Op& op) {
        return std::visit(
            [](const auto& o) -> std::optional<ResvForEachFenceUnlocked> {
                using T = std::decay_t<decltype(o)>;
                if constexpr (std::is_same_v<T, ResvCopyFences>) return ResvForEachFenceUnlocked{o.src, Usage::BOOKKEEP};
                else if constexpr (std::is_same_v<T, ResvForEachFenceUnlocked>) return o;
                else if constexpr (std::is_same_v<T, ResvGetFences> || std::is_same_v<T, ResvGetSingleton> ||
                                   std::is_same_v<T, ResvTestSignaled> || std::is_same_v<T, ResvWaitTimeout> ||
                                   std::is_same_v<T, ResvSetDeadline>)
                    return ResvForEachFenceUnlocked{o.r, o.usage};
                else return std::nullopt;
            },
            op);
    }

    bool probed_ = true;
    bool walked_before_ = false;
    std::vector<Op> pending_;
};

// The failing trace's ops 0..last, then a teardown of everything left: the op teardown, or where
// the adapter lacks it iterators ended, objects unlocked and finalised, every caller reference put. A reference the implementation leaked or
// dropped too early by op `last` shows as a release that is missing, early or doubled.
// `prune`: before unlocking, every fence the caller holds is signalled and every locked object
// reserves so many slots that it reallocates, pruning those entries: their references are then
// dropped by the reserve, not by fini.
class TeardownSource final : public PrefixSource {
public:
    // `op_by_op`: unlock, fini and put one by one even where the adapter has the op teardown,
    // whose releases come as one set: a fence released by fini while the caller still holds a
    // reference (one the add never took) shows only so.
    TeardownSource(const Trace& ops, size_t last, const Adapter& adapter, bool prune = false, bool op_by_op = false)
        : PrefixSource(ops, last, adapter), prune_(prune), op_by_op_(op_by_op) {}

    std::optional<Op> next(const Model& model) override {
        if (!trace_done()) return next_of_trace(model);
        if (!tearing_) {
            tearing_ = true;
            teardown_from = pos_;
            ref_rule = model.reference_rule();  // of op `last`, the one this teardown tests
        }
        const StateView& v = model.view();
        for (uint32_t i = 0; i < v.count(HandleKind::Iter); ++i)
            if (v.iter_mode(i) >= 0 && allowed(model, ResvIterEnd{IterH{i}})) return ResvIterEnd{IterH{i}};
        if (prune_) {
            for (uint32_t f = 0; f < v.count(HandleKind::Fence); ++f)
                if (v.alive(HandleKind::Fence, f) && !v.fence_signaled(f) && allowed(model, FenceSignal{FenceH{f}})) return FenceSignal{FenceH{f}};
            for (; pruned_ < v.count(HandleKind::Resv); ++pruned_)
                if (v.alive(HandleKind::Resv, pruned_) && v.resv_locked(pruned_) &&
                    allowed(model, ResvReserveFences{ResvH{pruned_}, kMaxReserve}))
                    return ResvReserveFences{ResvH{pruned_++}, kMaxReserve};
        }
        // the op teardown where the adapter has it (one op, the one every generated case ends with)
        if (const Op td = teardown_for(model, &adapter_); !op_by_op_ && !torn_down && allowed(model, td)) {
            torn_down = true;
            return td;
        }
        if (torn_down) return std::nullopt;
        for (uint32_t r = 0; r < v.count(HandleKind::Resv); ++r)
            if (v.alive(HandleKind::Resv, r) && v.resv_locked(r) && allowed(model, ResvUnlock{ResvH{r}})) return ResvUnlock{ResvH{r}};
        for (uint32_t r = 0; r < v.count(HandleKind::Resv); ++r)
            if (v.alive(HandleKind::Resv, r) && allowed(model, ResvFini{ResvH{r}})) return ResvFini{ResvH{r}};
        for (uint32_t f = 0; f < v.count(HandleKind::Fence); ++f)
            if (v.alive(HandleKind::Fence, f) && allowed(model, FencePut{FenceH{f}})) return FencePut{FenceH{f}};
        return std::nullopt;
    }

    size_t teardown_from = SIZE_MAX;  // index of the first teardown op
    Rule ref_rule = Rule::FENCE_REF_RELEASE;
    bool torn_down = false;  // by the op teardown

private:
    bool tearing_ = false;
    bool prune_;
    bool op_by_op_;
    uint32_t pruned_ = 0;  // objects before this one have reserved
};

// The ops 0..last, then a walk of every reservation object: run with the last op performed by
// the model (RunOptions::perform_at), this shows whether that op left the lists as the contract says.
class WalkAfterSource final : public PrefixSource {
public:
    using PrefixSource::PrefixSource;

    std::optional<Op> next(const Model& model) override {
        if (!trace_done()) return next_of_trace(model);
        if (!walked_) {
            walked_ = true;
            // walks only: a fence the implementation released early must not be touched
            for (Op& op : state_probes(model, &adapter_))
                if (std::holds_alternative<ResvForEachFence>(op) || std::holds_alternative<ResvForEachFenceUnlocked>(op))
                    pending_.push_back(std::move(op));
            std::reverse(pending_.begin(), pending_.end());
        }
        if (pending_.empty()) return std::nullopt;
        Op op = std::move(pending_.back());
        pending_.pop_back();
        return op;
    }

private:
    bool walked_ = false;
    std::vector<Op> pending_;
};

}  // namespace

Diagnosis own_root(const Trace& failing, const Divergence& d) {
    Trace t = failing;
    for (auto& st : t.steps) st.pin.reset();
    const bool concurrent = std::any_of(t.steps.begin(), t.steps.end(), [](const TraceStep& st) { return st.thread >= 0; });
    if (!concurrent && d.op_index + 1 < t.steps.size()) t.steps.resize(d.op_index + 1);
    return Diagnosis{d, d, t, t};
}

std::optional<Divergence> reference_culprit(const Trace& ops, size_t before, const Profile& profile, Adapter& adapter, Trace* shown) {
    Model m(profile);
    for (size_t j = 0; j < before && j < ops.steps.size(); ++j) {
        std::optional<TeardownSource> src;
        src.emplace(ops, j, adapter);
        RunResult r = run(*src, m, adapter);
        const bool op_by_op = r.verdict != Verdict::Violation && src->torn_down;
        if (op_by_op) {
            src.emplace(ops, j, adapter, false, true);
            r = run(*src, m, adapter);
        }
        if (r.verdict != Verdict::Violation) continue;
        if (r.divergence->op_index < src->teardown_from) return std::nullopt;  // an op of the trace itself fails: not this kind
        if (shown) {
            shown->steps.clear();
            for (const auto& st : r.executed.steps) shown->steps.push_back(unpinned(st));
        }
        Divergence d = *r.divergence;
        if (d.references) d.rule = src->ref_rule;  // a reference count is off: op j's reference rule
        // Unless the entries' references balance when a reserve prunes them before fini: then
        // fini is what keeps them (the teardown ends every object with one), not op j.
        if (d.references && d.rule != Rule::RESV_FINI_DROPS_REFS && r.executed.steps.size() > src->teardown_from) {
            TeardownSource pruning(ops, j, adapter, true, op_by_op);
            if (run(pruning, m, adapter, RunOptions{.record = false}).verdict == Verdict::Conforms) d.rule = Rule::RESV_FINI_DROPS_REFS;
        }
        d.op_index = j;
        d.observed = "after op " + std::to_string(j) + ", a teardown finds: " + r.divergence->observed + " (op " +
                     std::to_string(r.divergence->op_index) + ", " + std::string(op_name(r.executed.steps[r.divergence->op_index].op)) +
                     ", as " + std::string(rule_id(r.divergence->rule)) + ")" +
                     (d.rule == Rule::RESV_FINI_DROPS_REFS && d.rule != src->ref_rule
                          ? "; it balances when a reserve prunes the entries before fini"
                          : "");
        return d;
    }
    return std::nullopt;
}

std::optional<Divergence> walk_culprit(const Trace& ops, const Profile& profile, Adapter& adapter, Trace* shown) {
    Model m(profile);
    RunResult plain = run(ops, m, adapter, RunOptions{.record = false});
    if (plain.verdict != Verdict::Violation || !plain.divergence->references) return std::nullopt;
    const size_t at = plain.divergence->op_index;
    WalkAfterSource src(ops, at, adapter);
    RunResult r = run(src, m, adapter, {.perform_at = at});
    if (r.verdict != Verdict::Violation || r.divergence->op_index <= at || r.divergence->references) return std::nullopt;
    // only a rule of the op's own kernel function blames the op; a walk's own rule (an entry
    // missing that the op's early release pruned) says no more than the release did
    if (rule_info(r.divergence->rule).function != "dma_" + std::string(op_name(ops.steps[at].op))) return std::nullopt;
    if (shown) {
        shown->steps.clear();
        for (const auto& st : r.executed.steps) shown->steps.push_back(unpinned(st));
    }
    return r.divergence;
}

namespace {

// `ops` up to `at` with op `at` (or `change_at`) changed by `change`, misuses re-marked.
template <class F>
Trace variant_of(const Trace& ops, size_t at, size_t change_at, const Profile& profile, F change) {
    Trace v;
    for (size_t i = 0; i <= at; ++i) v.steps.push_back(unpinned(ops.steps[i]));
    change(v.steps[change_at].op);
    mark_misuses(v, profile);  // an add after a changed reserve may no longer be one
    return v;
}
// The variant runs through op `at` as the contract says.
bool passes(const RunResult& v, size_t at) {
    return v.verdict == Verdict::Conforms || (v.verdict == Verdict::Violation && v.divergence->op_index > at);
}

// RESV-ITER-RESTART-ON-REALLOC at a paused unlocked walk's step: the reserves since its previous step.
std::optional<Divergence> capacity_by_restart(const Trace& ops, const RunResult& plain, const Profile& profile, Adapter& adapter) {
    const size_t at = plain.divergence->op_index;
    const auto* step = std::get_if<ResvIterNextUnlocked>(&ops.steps[at].op);
    if (!step) return std::nullopt;
    auto steps_walk = [&](const Op& op) {
        const auto* f = std::get_if<ResvIterFirstUnlocked>(&op);
        const auto* n = std::get_if<ResvIterNextUnlocked>(&op);
        return (f && f->i == step->i) || (n && n->i == step->i);
    };
    size_t since = at;  // the walk's previous step
    while (since > 0 && !steps_walk(ops.steps[since - 1].op)) --since;
    Model m(profile);
    for (size_t j = at; j-- > since;) {
        if (!std::holds_alternative<ResvReserveFences>(ops.steps[j].op)) continue;
        Trace v = variant_of(ops, at, j, profile, [](Op& op) { std::get<ResvReserveFences>(op).num_fences = kMaxReserve; });
        RunResult r = run(v, m, adapter);
        if (!passes(r, at) || r.executed.steps.size() <= at || !r.executed.steps[at].pin->restarted) continue;
        Divergence d = *plain.divergence;
        d.rule = Rule::RESV_EXACT_CAPACITY;
        d.observed += " (after " + print_op(ops.steps[j].op) + " at op " + std::to_string(j) +
                      ", which kept the list: with num_fences=" + std::to_string(kMaxReserve) + " there, the walk restarts)";
        return d;
    }
    return std::nullopt;
}

// A divergence that follows from a reserve keeping a list it had to replace (`num_fences` =
// kMaxReserve: an entry it should have pruned, an add beyond the list's end) or replacing one it
// had to keep (`num_fences` = 0: a walk restarted, an entry pruned): if one reserve before it,
// asking for that many slots, makes the ops through op `at` conform, the capacity is what is wrong.
std::optional<Divergence> capacity_by_reserve(const Trace& ops, const RunResult& plain, const Profile& profile, Adapter& adapter,
                                              uint32_t num_fences) {
    const size_t at = plain.divergence->op_index;
    Model m(profile);
    for (size_t j = at; j-- > 0;) {
        const auto* reserve = std::get_if<ResvReserveFences>(&ops.steps[j].op);
        if (!reserve || reserve->num_fences == num_fences) continue;
        Trace v = variant_of(ops, at, j, profile, [&](Op& op) { std::get<ResvReserveFences>(op).num_fences = num_fences; });
        if (!passes(run(v, m, adapter, RunOptions{.record = false}), at)) continue;
        Divergence d = *plain.divergence;
        d.rule = Rule::RESV_EXACT_CAPACITY;
        d.observed += " (after " + print_op(ops.steps[j].op) + " at op " + std::to_string(j) + ", which " +
                      (num_fences ? "kept the list" : "replaced the list") + ": with num_fences=" + std::to_string(num_fences) +
                      " there, the ops conform)";
        return d;
    }
    return std::nullopt;
}

// RESV-RESERVE-ENOMEM at a reserve that returned 0 under a failing allocation: it did not allocate.
std::optional<Divergence> capacity_by_enomem(const Trace& ops, const RunResult& plain, const Profile& profile, Adapter& adapter) {
    const size_t at = plain.divergence->op_index;
    if (!std::holds_alternative<ResvReserveFences>(ops.steps[at].op) || !plain.executed.steps[at].pin ||
        plain.executed.steps[at].pin->ret != 0)
        return std::nullopt;
    Model m(profile);
    Trace v = variant_of(ops, at, at, profile, [](Op& op) { std::get<ResvReserveFences>(op).num_fences = kMaxReserve; });
    if (!passes(run(v, m, adapter, RunOptions{.record = false}), at)) return std::nullopt;
    Divergence d = *plain.divergence;
    d.rule = Rule::RESV_EXACT_CAPACITY;
    d.observed += " (it kept a list without room: with num_fences=" + std::to_string(kMaxReserve) + " it allocates and fails)";
    return d;
}

// A walk that misses an entry, named after its filter (RESV-USAGE-FILTER) or after the entry's
// signalled fence (RESV-ITER-LOCKED-YIELDS-SIGNALED): walked again with each usage that covers the
// entry, the filter's comparison is at fault if one of them shows it; if none does while the other
// iterator lists it, the walk itself loses entries (its own rule).
std::optional<Divergence> walk_by_usage(const Trace& ops, const RunResult& plain, const Profile& profile, Adapter& adapter) {
    const size_t at = plain.divergence->op_index;
    const Op& op = ops.steps[at].op;
    const auto* locked = std::get_if<ResvForEachFence>(&op);
    const auto* unlocked = std::get_if<ResvForEachFenceUnlocked>(&op);
    if ((!locked && !unlocked) || !plain.executed.steps[at].pin) return std::nullopt;
    const ResvH r = locked ? locked->r : unlocked->r;
    Model m(profile);
    for (size_t i = 0; i < at; ++i)
        if (m.step(plain.executed.steps[i].op, *plain.executed.steps[i].pin, i)) return std::nullopt;
    const auto& seen = plain.executed.steps[at].pin->fences;
    std::optional<Entry> missing;
    for (const Entry& e : m.perform(op).fences)
        if (!missing && std::none_of(seen.begin(), seen.end(), [&](const Entry& o) { return o.fence == e.fence; })) missing = e;
    if (!missing) return std::nullopt;
    auto walk = [&](bool by_locked, Usage u) {
        Trace v = variant_of(ops, at, at, profile, [&](Op& o) { o = by_locked ? Op{ResvForEachFence{r, u}} : Op{ResvForEachFenceUnlocked{r, u}}; });
        Model mv(profile);
        return passes(run(v, mv, adapter, RunOptions{.record = false}), at);
    };
    std::optional<Usage> shows;
    for (int u = static_cast<int>(missing->usage); u <= static_cast<int>(Usage::BOOKKEEP) && !shows; ++u)
        if (walk(locked != nullptr, static_cast<Usage>(u))) shows = static_cast<Usage>(u);
    Divergence d = *plain.divergence;
    if (shows) {
        d.rule = Rule::RESV_USAGE_FILTER;
        d.observed += " (a walk with usage " + std::string(usage_name(*shows)) + " shows the entry: the filter drops it)";
    } else {
        if (!walk(locked == nullptr, Usage::BOOKKEEP)) return std::nullopt;
        d.rule = locked ? Rule::RESV_ITER_LOCKED_ALL : Rule::RESV_ITER_UNLOCKED_COMPLETE;
        d.observed += std::string(" (missing from walks with every usage that covers it, listed by the ") +
                      (locked ? "unlocked" : "locked") + " iterator: the walk loses it)";
    }
    if (d.rule == plain.divergence->rule) return std::nullopt;
    return d;
}

// An unpredicted WARN at an op that released fences may be a reference count going below zero:
// the op dropping a reference twice, the second time one the caller had already put. With the
// caller keeping those fences (its fence_puts before the op left out), an op that then releases
// them early names its reference rule (Model::reference_rule), as a teardown would.
std::optional<Divergence> refs_by_warn(const Trace& ops, const RunResult& plain, const Profile& profile, Adapter& adapter) {
    const size_t at = plain.divergence->op_index;
    const auto& pin = plain.executed.steps[at].pin;
    if (!pin || pin->released.empty()) return std::nullopt;
    Trace v;
    for (size_t i = 0; i <= at; ++i) {
        const auto* put = std::get_if<FencePut>(&ops.steps[i].op);
        if (i < at && put && std::find(pin->released.begin(), pin->released.end(), put->f) != pin->released.end()) continue;
        v.steps.push_back(unpinned(ops.steps[i]));
    }
    mark_misuses(v, profile);
    Model m(profile);
    RunResult r = run(v, m, adapter, RunOptions{.record = false});
    if (r.verdict != Verdict::Violation || r.divergence->op_index + 1 != v.steps.size() || !r.divergence->references) return std::nullopt;
    Divergence d = *plain.divergence;
    d.rule = m.reference_rule();  // of the op, as a teardown names it
    d.observed += " (with the caller keeping the fences it had put, the op releases them early: " + r.divergence->observed + ")";
    return d;
}

}  // namespace

// A signalling-section rule whose report did not come (SIG-NO-RESV, -RECLAIM-ALLOC, ...) needs the
// primed order's last step, which the wait annotation records (dma_resv_lockdep waits under the
// mmu-notifier map). If a driver lock held across a wait, then taken in a section, goes unreported
// too, the annotation is what is wrong.
std::optional<Divergence> waits_by_annotation(const RunResult& plain, const Profile& profile, Adapter& adapter) {
    const auto& pin = plain.executed.steps[plain.divergence->op_index].pin;
    if (!pin || !pin->lockdep.empty()) return std::nullopt;
    Trace w;
    for (Op op : {Op{DriverLock{0}}, Op{FenceMightWait{}}, Op{DriverUnlock{0}}, Op{SigBegin{}}, Op{DriverLock{0}}}) {
        if (!adapter.supports(op)) return std::nullopt;
        w.steps.push_back({op, std::nullopt, {}, 0});
    }
    Model m(profile);
    const RunResult r = run(w, m, adapter, RunOptions{.record = false});
    if (r.verdict != Verdict::Violation || r.divergence->rule != Rule::SIG_NO_WAIT_LOCKS) return std::nullopt;
    Divergence d = *plain.divergence;
    d.rule = Rule::SIG_NO_WAIT_LOCKS;
    d.observed += " (the wait annotation records nothing: a driver lock held across dma_fence_might_wait, then taken in a section, is not reported either)";
    return d;
}

std::optional<Divergence> witness_culprit(const Trace& ops, const Profile& profile, Adapter& adapter, Trace* shown) {
    Model m(profile);
    RunResult plain = run(ops, m, adapter);
    if (plain.verdict != Verdict::Violation) return std::nullopt;
    const size_t at = plain.divergence->op_index;
    const bool exact_capacity = rule_applies(rule_info(Rule::RESV_EXACT_CAPACITY), profile);
    std::optional<Divergence> d;
    switch (plain.divergence->rule) {
    case Rule::RESV_ITER_RESTART_ON_REALLOC:
        if (exact_capacity) d = capacity_by_restart(ops, plain, profile, adapter);
        break;
    case Rule::RESV_RESERVE_ENOMEM:
        if (exact_capacity) d = capacity_by_enomem(ops, plain, profile, adapter);
        break;
    case Rule::RESV_RESERVE_PRUNES_SIGNALED:
    case Rule::RESV_RESERVE_GUARANTEE:
    case Rule::RESV_RESERVE_OK:
    case Rule::MISUSE_ADD_BEYOND_RESERVED:
    case Rule::MISUSE_ADD_CONTAINER_WARNS:
        if (exact_capacity) d = capacity_by_reserve(ops, plain, profile, adapter, kMaxReserve);
        break;
    case Rule::RESV_ITER_NO_SPURIOUS_RESTART:
        if (exact_capacity) d = capacity_by_reserve(ops, plain, profile, adapter, 0);
        break;
    case Rule::RESV_USAGE_FILTER:
    case Rule::RESV_ITER_LOCKED_YIELDS_SIGNALED:
    case Rule::RESV_ITER_LOCKED_ALL:
    case Rule::RESV_ITER_UNLOCKED_COMPLETE:
        if (exact_capacity) d = capacity_by_reserve(ops, plain, profile, adapter, 0);  // a reserve pruned the entry
        if (!d && plain.divergence->rule != Rule::RESV_ITER_LOCKED_ALL && plain.divergence->rule != Rule::RESV_ITER_UNLOCKED_COMPLETE)
            d = walk_by_usage(ops, plain, profile, adapter);
        break;
    case Rule::WARN_ONLY_PREDICTED: d = refs_by_warn(ops, plain, profile, adapter); break;
    case Rule::SIG_NO_RESV:
    case Rule::SIG_NO_RECLAIM_ALLOC:
    case Rule::SIG_NO_USER_FAULT:
    case Rule::SIG_RUN_JOB: d = waits_by_annotation(plain, profile, adapter); break;
    default: break;
    }
    if (d && shown) {
        shown->steps.clear();
        for (size_t i = 0; i <= at; ++i) shown->steps.push_back(unpinned(ops.steps[i]));
    }
    return d;
}

std::optional<Divergence> relocate(const Trace& ops, Located how, const Profile& profile, Adapter& adapter, Trace* shown) {
    if (how == Located::Teardown) return reference_culprit(ops, ops.steps.size(), profile, adapter, shown);
    if (how == Located::Walk) return walk_culprit(ops, profile, adapter, shown);
    if (how == Located::Witness) return witness_culprit(ops, profile, adapter, shown);
    return std::nullopt;
}

std::vector<Op> state_probes(const Model& model, const Adapter* adapter) {
    const StateView& v = model.view();
    std::vector<Op> out;
    auto add = [&](Op op) {
        if (model.has_op(op) && !model.precondition(op) && (!adapter || adapter->supports(op))) out.push_back(std::move(op));
    };
    for (uint32_t r = 0; r < v.count(HandleKind::Resv); ++r) {
        if (!v.alive(HandleKind::Resv, r)) continue;
        // a locked walk also shows signalled entries the unlocked one skips
        if (v.resv_locked(r)) add(ResvForEachFence{ResvH{r}, Usage::BOOKKEEP});
        else add(ResvForEachFenceUnlocked{ResvH{r}, Usage::BOOKKEEP});
        add(ResvIsLocked{ResvH{r}});
        if (v.resv_locked(r)) add(ResvLockingCtx{ResvH{r}});
    }
    for (uint32_t f = 0; f < v.count(HandleKind::Fence); ++f) {
        if (!v.alive(HandleKind::Fence, f)) continue;
        add(FenceGetStatus{FenceH{f}});
        // the order of a context's fences decides what add_fence replaces: a wrong comparison shows
        // here, before it shows as an add that kept or replaced the wrong entry
        add(FenceIsLaterOrSame{FenceH{f}, FenceH{f}});
        for (uint32_t g = 0; g < v.count(HandleKind::Fence); ++g)
            if (g != f && v.alive(HandleKind::Fence, g) && v.fence_ctx(g) == v.fence_ctx(f)) add(FenceIsLater{FenceH{f}, FenceH{g}});
    }
    return out;
}

Diagnosis diagnose(const Trace& failing, const Divergence& symptom, const Profile& profile, Adapter& adapter) {
    Diagnosis dg;
    dg.symptom = dg.root = symptom;
    dg.trace.header = failing.header;
    for (size_t i = 0; i <= symptom.op_index && i < failing.steps.size(); ++i) dg.trace.steps.push_back(unpinned(failing.steps[i]));
    Model m(profile);
    ProbingSource src(failing, symptom.op_index, adapter);
    RunResult r = run(src, m, adapter);
    if (r.verdict != Verdict::Violation) return dg;  // the probes hid the failure: keep the symptom
    const size_t at = r.divergence->op_index;
    int before = -1;  // the last original op at or before the divergence
    for (size_t i = 0; i <= at && i < src.origin.size(); ++i)
        if (src.origin[i] >= 0) before = src.origin[i];
    // A leaked or early-dropped reference is invisible to probes: tear the state down after each
    // op before the probe's culprit and see whether the references balance.
    Trace shown;
    const size_t probe_culprit = before >= 0 ? static_cast<size_t>(before) : symptom.op_index;
    auto located = [&](Located how, const Divergence& root, size_t culprit, size_t last, const Trace& ops) {
        dg.root = root;
        dg.how = how;
        dg.earlier = culprit < symptom.op_index;  // `culprit` indexes the failing trace
        dg.trace.steps.assign(ops.steps.begin(), ops.steps.begin() + static_cast<long>(last + 1));
        for (auto& st : dg.trace.steps) st.pin.reset();
        dg.shown = std::move(shown);
        return dg;
    };
    if (auto ref = reference_culprit(failing, probe_culprit, profile, adapter, &shown))
        return located(Located::Teardown, *ref, ref->op_index, ref->op_index, failing);
    // a reference off at one of the trace's own ops: did that op also get the lists wrong?
    if (r.divergence->references && at < src.origin.size() && src.origin[at] >= 0) {
        Trace upto;
        upto.steps.assign(r.executed.steps.begin(), r.executed.steps.begin() + static_cast<long>(at + 1));
        for (auto& st : upto.steps) st.pin.reset();
        if (auto walked = walk_culprit(upto, profile, adapter, &shown)) {
            Divergence root = *walked;
            root.op_index = at;
            return located(Located::Walk, root, static_cast<size_t>(src.origin[at]), at, upto);
        }
    }
    const size_t root_at = r.divergence->op_index;
    {
        Trace upto;
        for (size_t i = 0; i <= root_at && i < r.executed.steps.size(); ++i) upto.steps.push_back(unpinned(r.executed.steps[i]));
        if (auto c = witness_culprit(upto, profile, adapter, &shown)) return located(Located::Witness, *c, probe_culprit, root_at, upto);
    }
    dg.root = *r.divergence;
    dg.root.op_index = root_at;
    dg.earlier = before >= 0 && static_cast<size_t>(before) < symptom.op_index;
    dg.trace.steps.clear();
    for (size_t i = 0; i <= root_at && i < r.executed.steps.size(); ++i) dg.trace.steps.push_back(unpinned(r.executed.steps[i]));
    dg.shown = dg.trace;
    return dg;
}

}  // namespace resvcheck
