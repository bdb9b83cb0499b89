#include "runner.h"

namespace resvcheck {
namespace {

// Whether the profile or the adapter lacks the trace's op `index` (then `r` says which).
bool unsupported(const Op& op, size_t index, const Model& model, const Adapter& adapter, RunResult& r) {
    if (!model.has_op(op)) {
        r.verdict = Verdict::Unsupported;
        r.message = "op " + std::to_string(index) + ": profile " + std::string(model.profile().name) + " has no " + std::string(op_name(op));
        return true;
    }
    if (!adapter.supports(op)) {
        r.verdict = Verdict::Unsupported;
        r.message = "op " + std::to_string(index) + ": adapter " + std::string(adapter.name()) + " does not provide " +
                    std::string(op_name(op));
        return true;
    }
    if (!adapter.runs(op)) {
        r.verdict = Verdict::Unsupported;
        r.message = "op " + std::to_string(index) + ": adapter " + std::string(adapter.name()) +
                    " has no virtual clock (it does not provide sleep), and this wait may sleep out its timeout";
        return true;
    }
    return false;
}

// Applies one op (which the profile and adapter have and whose preconditions hold) and judges
// it. `pins` (if any) follows the trace's pinned observations: a pin must be allowed along the
// pins' own history, which may differ from the adapter's where the profile leaves freedom.
// `alts` (if any): the other states a concurrent block may have left the model in; the op keeps
// those that accept it, and fails only when none does. Returns false when the run must stop.
bool run_step(const Op& op, const std::optional<Observation>& pin, int line, size_t index, Model& model, Model* pins,
              Adapter& adapter, Observation& obs, RunResult& r, const RunOptions& opts, std::vector<Model>* alts = nullptr) {
    // recorded as `@misuse` when it is one (the hot loop records nothing and asks nothing)
    const bool misuse = opts.record && model.misuse(op);
    adapter.apply(op, obs);
    if (opts.record) {
        r.executed.steps.push_back(TraceStep{op, obs, {}, line});
        r.executed.steps.back().misuse = misuse;
    }
    ++r.ops_run;
    if (obs.status == Observation::Status::Unsupported) {
        r.verdict = Verdict::Unsupported;
        r.message = "op " + std::to_string(index) + ": adapter " + std::string(adapter.name()) + " does not provide " +
                    std::string(op_name(op));
        return false;
    }
    if (index == opts.perform_at) {
        model.perform(op);
        if (alts)
            for (auto& alt : *alts) alt.perform(op);
        return true;
    }
    auto d = model.step(op, obs, index);
    if (alts && !alts->empty()) {
        std::vector<Model> kept;
        if (!d) kept.push_back(std::move(model));
        for (auto& alt : *alts)
            if (!alt.step(op, obs, index)) kept.push_back(std::move(alt));
        alts->clear();
        if (!kept.empty()) {
            d.reset();
            model = std::move(kept.front());
            alts->assign(std::make_move_iterator(kept.begin() + 1), std::make_move_iterator(kept.end()));
        }
    }
    if (d) {
        r.verdict = Verdict::Violation;
        r.divergence = std::move(d);
        return false;
    }
    if (pins) {
        if (auto d = pins->step(op, pin ? *pin : obs, index); d && pin) {
            d->observed = "the trace pins " + print_observation(op, *pin) + " (" + d->observed + ")";
            r.verdict = Verdict::Violation;
            r.divergence = std::move(d);
            return false;
        }
    }
    return true;
}

// Runs the concurrent block trace.steps[i, j) (its steps tagged with threads) as one history and
// judges it by linearizability; `sched` is where the block's choices start in trace.schedule.
bool run_block(const Trace& trace, size_t i, size_t j, size_t& sched, Model& model, std::vector<Model>& alts, Model* pins,
               Adapter& adapter, RunResult& r, const RunOptions& opts, uint32_t& last_default) {
    std::vector<Op> ops;
    std::vector<uint8_t> threads;
    for (size_t k = i; k < j; ++k) {
        if (trace.steps[k].misuse) {  // the parser refuses both tags on one op; a built trace may have them
            r.verdict = Verdict::Invalid;
            r.message = "op " + std::to_string(k) + ": a misuse op runs sequentially, not on a thread";
            return false;
        }
        // fail_alloc arms the next op; in a block no op is the next one (and an op of another thread
        // could make the failing allocation first), so an arming in or just before a block means nothing
        const bool in = std::holds_alternative<FailAlloc>(trace.steps[k].op);
        if (in || (k == i && k > 0 && std::holds_alternative<FailAlloc>(trace.steps[k - 1].op))) {
            r.verdict = Verdict::Invalid;
            r.message = "op " + std::to_string(in ? k : k - 1) + ": fail_alloc arms the next op, and in a concurrent block " +
                        "no op is the next one: arm a sequential op";
            return false;
        }
        if (unsupported(trace.steps[k].op, k, model, adapter, r)) return false;
        ops.push_back(trace.steps[k].op);
        threads.push_back(static_cast<uint8_t>(trace.steps[k].thread));
    }
    if (!block_feasible(model, ops, threads)) {
        r.verdict = Verdict::Invalid;
        r.message = "ops " + std::to_string(i) + ".." + std::to_string(j - 1) +
                    ": no interleaving of the block's threads meets every op's preconditions (a lock never released?)";
        return false;
    }
    // In a block, a wait is one another thread ends: the block's sleeps must all fit in every timed wait.
    uint64_t sleeps = 0;
    for (const auto& op : ops)
        if (const auto* s = std::get_if<Sleep>(&op)) sleeps += s->jiffies;
    for (size_t k = 0; k < ops.size(); ++k) {
        int64_t timeout = 0;
        if (const auto* w = std::get_if<FenceWaitTimeout>(&ops[k])) timeout = w->timeout;
        if (const auto* w = std::get_if<ResvWaitTimeout>(&ops[k])) timeout = w->timeout;
        if (const auto* w = std::get_if<FenceWaitAnyTimeout>(&ops[k])) timeout = w->timeout;
        if (timeout > 0 && static_cast<uint64_t>(timeout) <= sleeps) {
            r.verdict = Verdict::Invalid;
            r.message = "op " + std::to_string(i + k) + ": a timed wait in a concurrent block needs a timeout longer than the block's sleeps (" +
                        std::to_string(sleeps) + " jiffies): a wait that times out is not modelled";
            return false;
        }
    }
    if (!adapter.supports_threads()) {
        r.verdict = Verdict::Unsupported;
        r.message = "op " + std::to_string(i) + ": adapter " + std::string(adapter.name()) + " runs no threads";
        return false;
    }
    Adapter::Block b;
    std::span<const uint8_t> want(trace.schedule);
    want = want.subspan(std::min(sched, want.size()));
    adapter.apply_block(ops, threads, want, b);
    sched += b.realised.size();
    if (opts.last_block) *opts.last_block = b;
    r.ops_run += ops.size();
    if (opts.record) {
        for (size_t k = i; k < j; ++k) {
            r.executed.steps.push_back(TraceStep{ops[k - i], b.obs[k - i], {}, trace.steps[k].line});
            r.executed.steps.back().thread = trace.steps[k].thread;
        }
        r.executed.schedule.insert(r.executed.schedule.end(), b.realised.begin(), b.realised.end());
        last_default = b.ndefault;
    }
    for (size_t k = 0; k < ops.size(); ++k)
        if (b.obs[k].status == Observation::Status::Unsupported) {
            r.verdict = Verdict::Unsupported;
            r.message = "op " + std::to_string(i + k) + ": adapter " + std::string(adapter.name()) + " does not provide " +
                        std::string(op_name(ops[k]));
            return false;
        }
    // A BUG (first) or a deadlock is judged as the sequential model judges one: at the first such op.
    size_t bad = ops.size();
    for (size_t k = 0; k < ops.size(); ++k)
        if (b.obs[k].status == Observation::Status::Bug) {
            bad = k;
            break;
        }
    for (size_t k = 0; k < ops.size() && bad == ops.size(); ++k)
        if (b.obs[k].status != Observation::Status::Ok) bad = k;
    for (size_t k = bad; k < ops.size() && k == bad; ++k)
        if (b.obs[k].status != Observation::Status::Ok) {
            r.verdict = Verdict::Violation;
            const auto st = b.obs[k].status;
            r.divergence = Divergence{st == Observation::Status::Bug           ? op_bug_rule(ops[k])
                                      : st == Observation::Status::Crash       ? Rule::ADAPTER_CRASH
                                      : st == Observation::Status::OutOfMemory ? Rule::ADAPTER_OOM
                                                                               : Rule::ADAPTER_HANG,
                                      i + k, "the op returns", b.obs[k].message};
            return false;
        }
    LinStats local;
    LinStats& stats = opts.lin ? *opts.lin : local;
    const uint64_t hits = stats.budget_hits;
    std::vector<Model> states;
    states.push_back(std::move(model));
    for (auto& alt : alts) states.push_back(std::move(alt));
    auto d = linearize(states, BlockHistory{ops, b.obs, b.start, b.end, i}, stats);
    model = std::move(states.front());
    alts.assign(std::make_move_iterator(states.begin() + 1), std::make_move_iterator(states.end()));
    if (d) {
        r.verdict = Verdict::Violation;
        r.divergence = std::move(d);
        return false;
    }
    if (stats.budget_hits != hits) return false;  // unjudged: the model no longer knows the state
    // Pins are the observations of one history: they must linearize too.
    if (pins) {
        std::vector<Observation> pinned(b.obs);
        for (size_t k = i; k < j; ++k)
            if (trace.steps[k].pin) pinned[k - i] = *trace.steps[k].pin;
        std::vector<Model> pin_states{*pins};
        auto pd = linearize(pin_states, BlockHistory{ops, pinned, b.start, b.end, i}, stats);
        *pins = std::move(pin_states.front());
        if (auto& d = pd) {
            d->observed = "the trace's pins (" + d->observed + ")";
            r.verdict = Verdict::Violation;
            r.divergence = std::move(d);
            return false;
        }
    }
    return true;
}

}  // namespace

std::string_view verdict_name(Verdict v) {
    switch (v) {
    case Verdict::Conforms: return "conforms";
    case Verdict::Violation: return "violation";
    case Verdict::Unsupported: return "unsupported";
    case Verdict::Invalid: return "invalid";
    }
    return "?";
}

namespace {
void run_steps(const Trace& trace, Model& model, Model* pins, Adapter& adapter, const RunOptions& opts, RunResult& r,
               Observation& obs, size_t& sched, uint32_t& last_default);
}

RunResult run(const Trace& trace, Model& model, Adapter& adapter, const RunOptions& opts) {
    RunResult r;
    r.executed.header = trace.header;
    std::optional<Model> pins;
    for (const auto& st : trace.steps)
        if (st.pin) {
            pins.emplace(model.profile());
            break;
        }
    model.reset();
    adapter.reset();
    Observation obs;
    size_t sched = 0;
    uint32_t last_default = 0;
    run_steps(trace, model, pins ? &*pins : nullptr, adapter, opts, r, obs, sched, last_default);
    // The executed schedule ends without the choices the default rule makes anyway.
    r.executed.schedule.resize(r.executed.schedule.size() - std::min<size_t>(last_default, r.executed.schedule.size()));
    return r;
}

namespace {
void run_steps(const Trace& trace, Model& model, Model* pins, Adapter& adapter, const RunOptions& opts, RunResult& r,
               Observation& obs, size_t& sched, uint32_t& last_default) {
    std::vector<Model> alts;  // other states the last concurrent block may have left
    for (size_t i = 0; i < trace.steps.size(); ++i) {
        const auto& st = trace.steps[i];
        if (st.thread >= 0) {
            size_t j = i;
            while (j < trace.steps.size() && trace.steps[j].thread >= 0) ++j;
            last_default = 0;
            if (!run_block(trace, i, j, sched, model, alts, pins, adapter, r, opts, last_default)) return;
            i = j - 1;
            continue;
        }
        if (auto why = model.precondition(st.op, st.misuse)) {
            r.verdict = Verdict::Invalid;
            r.message = "op " + std::to_string(i) + " (line " + std::to_string(st.line) + ", " + print_op(st.op) + ") " +
                        (st.misuse ? "cannot be a misuse: " + *why : "breaks a precondition: " + *why);
            if (!st.misuse && model.misuse(st.op))
                r.message += " (the kernel catches this misuse with " + std::string(rule_info(*model.misuse(st.op)).id) +
                             ": mark the op @misuse if it is meant)";
            return;
        }
        if (unsupported(st.op, i, model, adapter, r)) return;
        if (!run_step(st.op, st.pin, st.line, i, model, pins, adapter, obs, r, opts, &alts)) return;
        if (model.ended() && i + 1 < trace.steps.size()) {
            r.verdict = Verdict::Invalid;
            r.message = "op " + std::to_string(i + 1) + " (line " + std::to_string(trace.steps[i + 1].line) +
                        ") follows a misuse after which nothing is defined (a BUG taints the kernel; a container in a "
                        "reservation object is followed no further): end the trace at op " + std::to_string(i);
            return;
        }
    }
}
}  // namespace

void mark_misuses(Trace& t, const Profile& profile) {
    Model m(profile);
    for (auto& st : t.steps) {
        if (st.thread >= 0 || m.ended()) return;
        st.misuse = m.misuse(st.op).has_value();
        if (!m.has_op(st.op) || m.precondition(st.op, st.misuse)) return;
        m.perform(st.op);
    }
}

Teardown teardown_for(const Model& model, const Adapter* adapter) {
    const Op fail = FailAlloc{1};
    return Teardown{model.has_op(fail) && (!adapter || adapter->supports(fail))};
}

RunResult run(OpSource& source, Model& model, Adapter& adapter, const RunOptions& opts) {
    RunResult r;
    model.reset();
    adapter.reset();
    Observation obs;
    // The source vouches for each op (OpSource::next), so nothing is checked twice per op.
    for (size_t i = 0;; ++i) {
        auto op = source.next(model);
        if (!op) break;
        if (!run_step(*op, std::nullopt, 0, i, model, nullptr, adapter, obs, r, opts)) return r;
        if (model.ended()) break;  // a misuse the trace cannot go on from
    }
    return r;
}

}  // namespace resvcheck
