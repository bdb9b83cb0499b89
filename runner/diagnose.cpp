#include "diagnose.h"

#include <algorithm>

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
        if (trace_done() || !allowed(model, ops_.steps[pos_].op, ops_.steps[pos_].misuse)) return std::nullopt;
        return ops_.steps[pos_++].op;
    }
    // Whether the trace's last op yielded armed the next one (fail_alloc): nothing may come between.
    bool arms_next() const { return pos_ > 0 && std::holds_alternative<FailAlloc>(ops_.steps[pos_ - 1].op); }
    size_t pos_ = 0;  // the next of the trace's ops
    const Adapter& adapter_;
    const Trace& ops_;

private:
    size_t last_;
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
        if (!pending_.empty()) {
            Op op = std::move(pending_.back());
            pending_.pop_back();
            origin.push_back(-1);
            return op;
        }
        const size_t at = pos_;
        if (!walked_before_ && !trace_done() && !arms_next()) {
            walked_before_ = true;
            if (auto walk = walk_of_query(ops_.steps[at].op); walk && allowed(model, *walk)) {
                origin.push_back(-1);
                return walk;
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
    // A query that walks the list with the unlocked cursor is preceded by that walk on its own: a
    // cursor that loses entries then shows as the cursor's rule, not as each query's.
    static std::optional<Op> walk_of_query(const Op& op) {
        return std::visit(
            [](const auto& o) -> std::optional<Op> {
                using T = std::decay_t<decltype(o)>;
                if constexpr (std::is_same_v<T, ResvCopyFences>) return ResvForEachFenceUnlocked{o.src, Usage::BOOKKEEP};
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

// The failing trace's ops 0..last, then a teardown of everything left: iterators ended, objects
// unlocked and finalised, every caller reference put. A reference the implementation leaked or
// dropped too early by op `last` shows as a release that is missing, early or doubled.
class TeardownSource final : public PrefixSource {
public:
    using PrefixSource::PrefixSource;

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

private:
    bool tearing_ = false;
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
        TeardownSource src(ops, j, adapter);
        RunResult r = run(src, m, adapter);
        if (r.verdict != Verdict::Violation) continue;
        if (r.divergence->op_index < src.teardown_from) return std::nullopt;  // an op of the trace itself fails: not this kind
        if (shown) {
            shown->steps.clear();
            for (const auto& st : r.executed.steps) shown->steps.push_back(unpinned(st));
        }
        Divergence d = *r.divergence;
        if (d.references) d.rule = src.ref_rule;  // a reference count is off: op j's reference rule
        d.op_index = j;
        d.observed = "after op " + std::to_string(j) + ", a teardown finds: " + r.divergence->observed + " (op " +
                     std::to_string(r.divergence->op_index) + ", " + std::string(op_name(r.executed.steps[r.divergence->op_index].op)) +
                     ", as " + std::string(rule_id(r.divergence->rule)) + ")";
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

std::optional<Divergence> relocate(const Trace& ops, Located how, const Profile& profile, Adapter& adapter, Trace* shown) {
    if (how == Located::Teardown) return reference_culprit(ops, ops.steps.size(), profile, adapter, shown);
    if (how == Located::Walk) return walk_culprit(ops, profile, adapter, shown);
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
    dg.root = *r.divergence;
    dg.root.op_index = root_at;
    dg.earlier = before >= 0 && static_cast<size_t>(before) < symptom.op_index;
    dg.trace.steps.clear();
    for (size_t i = 0; i <= root_at && i < r.executed.steps.size(); ++i) dg.trace.steps.push_back(unpinned(r.executed.steps[i]));
    dg.shown = dg.trace;
    return dg;
}

}  // namespace resvcheck
