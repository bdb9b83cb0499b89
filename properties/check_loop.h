// check_loop.h - the hot loop of `resvcheck check`: generated cases (case_gen.h) through the
// shared decoder and the runner, with nothing recorded until a case fails.
//
// A case is named by (seed, property index, case index) and can be rerun from those alone, here
// or in another process (run_case). A failing case is rerun with recording on, so the failure
// carries the executed trace a finding is written from.
//
//   CaseHooks h{.stop = out_of_time, .on_case = [&](size_t ops) { total += ops; }};
//   CasesRun r = run_cases(adapter, model, property, seed, 0, 40, h);
//   if (r.failure) write_finding(..., r.failure->result.executed, ...);
#pragma once

#include <functional>
#include <optional>
#include <set>

#include "properties.h"

namespace resvcheck {

struct CaseHooks {
    const std::set<Rule>* ignore = nullptr;  // violations of these rules count as passes (already reported)
    std::function<bool()> stop;              // polled before every case: true ends the run early
    std::function<void(uint64_t case_index)> on_start;  // before every case (a supervisor's progress)
    std::function<void(size_t ops)> on_case; // after every case, with the ops it ran (progress)
};

struct CaseFailure {
    uint64_t case_index = 0;
    // The violation, rerun with recording on: `executed` ends with the failing op. (Should the
    // rerun not fail, the adapter is nondeterministic: then `executed` is empty and `message` says so.)
    RunResult result;
    // The executed ops of the smallest records found that still violate the same rule (chunks of
    // records dropped, bytes lowered, as RapidCheck's shrinking did): where the trace shrinker starts.
    Trace reduced;
    std::vector<Record> records;  // those smallest records (run_records reruns them, in another process too)
};

struct CasesRun {
    uint64_t cases = 0;
    uint64_t ops = 0;
    std::optional<CaseFailure> failure;  // the first failing case; the run stops there
};

// Runs case `case_index` of property `property` (an index into all_properties()).
RunResult run_case(Adapter& adapter, Model& model, size_t property, uint64_t seed, uint64_t case_index,
                   const RunOptions& opts = {});

// Runs records as a case of `property` (e.g. CaseFailure::records, from a child process).
RunResult run_records(Adapter& adapter, Model& model, size_t property, std::span<const Record> records,
                      const RunOptions& opts = {});

// Runs cases first_case .. first_case + count - 1 of `property` until one fails or hooks.stop says so.
CasesRun run_cases(Adapter& adapter, Model& model, size_t property, uint64_t seed, uint64_t first_case, uint64_t count,
                   const CaseHooks& hooks = {});

}  // namespace resvcheck
