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
    return false;
}

// Applies one op (which the profile and adapter have and whose preconditions hold) and judges
// it. `pins` (if any) follows the trace's pinned observations: a pin must be allowed along the
// pins' own history, which may differ from the adapter's where the profile leaves freedom.
// Returns false when the run must stop.
bool run_step(const Op& op, const std::optional<Observation>& pin, int line, size_t index, Model& model, Model* pins,
              Adapter& adapter, Observation& obs, RunResult& r, const RunOptions& opts) {
    adapter.apply(op, obs);
    if (opts.record) r.executed.steps.push_back(TraceStep{op, obs, {}, line});
    ++r.ops_run;
    if (obs.status == Observation::Status::Unsupported) {
        r.verdict = Verdict::Unsupported;
        r.message = "op " + std::to_string(index) + ": adapter " + std::string(adapter.name()) + " does not provide " +
                    std::string(op_name(op));
        return false;
    }
    if (index == opts.perform_at) {
        model.perform(op);
        return true;
    }
    if (auto d = model.step(op, obs, index)) {
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
    for (size_t i = 0; i < trace.steps.size(); ++i) {
        const auto& st = trace.steps[i];
        if (auto why = model.precondition(st.op)) {
            r.verdict = Verdict::Invalid;
            r.message = "op " + std::to_string(i) + " (line " + std::to_string(st.line) + ", " + print_op(st.op) +
                        ") breaks a precondition: " + *why;
            return r;
        }
        if (unsupported(st.op, i, model, adapter, r)) return r;
        if (!run_step(st.op, st.pin, st.line, i, model, pins ? &*pins : nullptr, adapter, obs, r, opts)) return r;
    }
    return r;
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
    }
    return r;
}

}  // namespace resvcheck
