// finding_pipeline.h - the one path from a failing run to a finding on disk and in the report,
// shared by check, fuzz, shrink and the fuzz targets:
//
//   record   the unshrunk trace goes to disk before anything else (a crash while shrinking loses nothing)
//   localise the root cause (diagnose.h): the first op whose effect breaks the contract (a crash,
//            hang or memory exhaustion, ADAPTER-*, is its own root cause: the op it happened in)
//   shrink   delta debugging with "the same root cause on this adapter" as the predicate
//   write    the shrunk trace, re-pinned; then the unshrunk file is removed
//   report   the Finding record the report renders
//
// Every file is written atomically (findings.h). A finding that cannot be written is printed in
// full on stdout and the Finding says so; the run goes on.
//
//   FindingPipeline fp({.dir = "resvcheck-findings", .adapter = "sim", .origin = "check --seed 1"}, profile);
//   if (auto ready = fp.prepare(); !ready) return fail(ready.error());
//   fp.record(first.executed, *first.divergence, "property resv");      // optional early copy
//   Finding f = fp.finish(smaller.executed, *smaller.divergence, adapter, "property resv");
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "diagnose.h"
#include "runner.h"

namespace resvcheck {

// One finding as reports show it.
struct Finding {
    std::optional<Rule> rule;  // unset for an engine crash or hang that is not a divergence
    size_t op_index = 0;
    std::string allowed;
    std::string observed;
    std::string trace;   // path of the replayable trace; empty if it could not be written
    std::string replay;  // command that replays it
    std::string kind = "violation";  // or the fuzz engine's crash, hang, oom, leak
    size_t ops = 0;           // ops in the written trace
    size_t ops_unshrunk = 0;  // ops up to the failure before shrinking
    size_t shrink_tries = 0;
    double seconds = 0;       // from the start of the run to the finding
    std::string note;         // e.g. why it was not written or not shrunk
    std::vector<Rule> symptoms;  // rules this root cause was first noticed as, or also broke
};

struct PipelineConfig {
    std::string dir;            // findings directory
    std::string adapter;        // as given to --adapter
    std::string adapter_flags;  // flags that recreate the adapter, for replay commands
    std::string origin;         // "check --seed 42", "fuzz (libfuzzer)": the file's "found by"
    std::string out;            // if set, the shrunk finding is written exactly here (shrink --out)
    std::function<bool()> stop; // polled while shrinking: true keeps the smallest trace so far
};

class FindingPipeline {
public:
    FindingPipeline(PipelineConfig cfg, const Profile& profile);

    // Creates the findings directory and checks it is writable.
    Status prepare() const;

    // Writes `executed` (ending with the failing op) unshrunk; finish() removes it once the
    // shrunk trace is on disk. `how` is added to the origin ("property resv").
    void record(const Trace& executed, const Divergence& d, const std::string& how);

    // The root cause of `failing` (violating d.rule on `adapter`), or nothing if it does not fail
    // the same way on replay (a nondeterministic adapter).
    std::optional<Diagnosis> localise(const Trace& failing, const Divergence& d, Adapter& adapter) const;

    // Localises `failing` (unless `dg` is given), shrinks it to the same root cause, writes it and
    // returns the finding, named by the root cause with d.rule among its symptoms. If the trace
    // does not fail the same way on replay, it is written unshrunk with `d`, and the note says so.
    Finding finish(const Trace& failing, const Divergence& d, Adapter& adapter, const std::string& how,
                   std::optional<Diagnosis> dg = std::nullopt);

    // Drops the unshrunk file record() wrote: the failure was another symptom of a finding already made.
    void discard();
    // Leaves it on disk, unshrunk, and returns its path ("" if it could not be written).
    std::string keep();

    // record() then finish() on the same trace.
    Finding handle(const Trace& executed, const Divergence& d, Adapter& adapter, const std::string& how);

    double elapsed() const;

private:
    std::string write(const Trace& ops, const Divergence& d, const std::string& how, const std::string& path, Finding* f);

    PipelineConfig cfg_;
    Profile profile_;
    std::chrono::steady_clock::time_point t0_;
    std::string pending_;  // the unshrunk file record() wrote
    double pending_at_ = -1;
};

}  // namespace resvcheck
