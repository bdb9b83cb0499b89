// runner.h - the one place that applies ops to an adapter and has the model judge them.
//
// Every front end (replay, check, the properties, the fuzz targets, the shrinker) calls run():
// ops come from a trace (checked against their preconditions, the profile and the adapter) or
// from an OpSource (generators, fuzz decoder: they check that themselves), are applied to the
// adapter, and judged by the model. The run stops at the first
// divergence and reports the rule, the op index, what the contract allowed and what happened.
//
//   Model model(*profile_by_name("contract"));
//   RunResult r = run(trace, model, adapter);
//   if (r.verdict == Verdict::Violation) print(r.divergence->rule, r.divergence->op_index, ...);
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapter.h"
#include "linearize.h"
#include "model.h"
#include "text_format.h"

namespace resvcheck {

enum class Verdict {
    Conforms,     // every op judged, no divergence
    Violation,    // a rule was broken (divergence set)
    Unsupported,  // the adapter lacks an op of the trace (message says which)
    Invalid,      // the trace breaks a precondition: a set-up error, not a finding (message says how)
};

struct RunResult {
    Verdict verdict = Verdict::Conforms;
    std::optional<Divergence> divergence;
    std::string message;
    size_t ops_run = 0;
    // The ops that ran, each pinned with what the adapter observed; for a violation this ends
    // with the failing op (its whole concurrent block, with the schedule that ran). This is what
    // findings write to disk.
    Trace executed;
};

// Supplies ops one at a time, given the current model state (generators, fuzz decoder).
class OpSource {
public:
    virtual ~OpSource() = default;
    // The next op to run, or nothing when the sequence ends. The source guarantees that the op meets
    // its preconditions and that the model's profile and the adapter have it: the runner, whose
    // hot loop this is, does not check again.
    virtual std::optional<Op> next(const Model& model) = 0;
};

struct RunOptions {
    bool record = true;  // keep RunResult::executed (off in hot loops)
    // The op of this index is performed by the model as the contract says (Model::perform) and its
    // observation not judged: what diagnosis uses to look past a divergence at that op.
    size_t perform_at = SIZE_MAX;
    LinStats* lin = nullptr;  // concurrent blocks: linearizability cost, summed here when set
    Adapter::Block* last_block = nullptr;  // concurrent blocks: the last one's record (explore.h)
};

RunResult run(const Trace& trace, Model& model, Adapter& adapter, const RunOptions& opts = {});
// The op that ends a generated case: a teardown that judges what memory remains where the adapter
// (any, if null) can fail allocations, and so counts them (RC_FEATURE_FAIL_ALLOC).
Teardown teardown_for(const Model& model, const Adapter* adapter);
RunResult run(OpSource& source, Model& model, Adapter& adapter, const RunOptions& opts = {});

std::string_view verdict_name(Verdict v);

// Marks each sequential step `@misuse` exactly when it is a documented misuse in the state the
// model reaches there (Model::misuse); stops at the first concurrent block or undocumented broken
// precondition. The shrinker's candidates lose or gain misuses as ops are dropped: this keeps
// their marks honest.
void mark_misuses(Trace& t, const Profile& profile);

}  // namespace resvcheck
