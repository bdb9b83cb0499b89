// supervised_cases.h - check's generated cases in supervised child processes (supervisor.h), for
// adapters that run foreign or kernel code (--isolate).
//
// One child creates the adapter in-process and runs cases at in-process speed, publishing in shared
// memory where it is (batch, property, case, op: the watchdog's heartbeat) and what it did (cases,
// ops, the rules its model exercised). It runs until the run is over, a case fails (its smallest
// records come back, for the parent to rerun through an isolated adapter and the finding pipeline),
// or it crashes, hangs or runs out of memory: then the parent knows the case and op from the last
// published position, and goes on in a fresh child.
//
//   SupervisedCases sc{"linux", options, profile, limits, seed};
//   for (CasePosition at; !over();) {
//       ChildRun r = sc.run(at, found, over, show_progress);
//       if (r.end == ChildRun::End::Died) rerun_isolated(r.at.property, r.case_index);
//       at = next_position(r.at);
//   }
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "case_gen.h"
#include "check_loop.h"
#include "registry.h"
#include "supervisor.h"

namespace resvcheck::cli {

// check's order of cases: every property in turn, kCasesPerBatch cases (one cycle of sizes) at a time.
inline constexpr uint64_t kCasesPerBatch = kSizeCycle;

struct CasePosition {
    uint64_t batch = 0;
    size_t property = 0;  // index into all_properties()
};
// The property after `at`'s, wrapping to the next batch.
CasePosition next_position(CasePosition at);

// What one child did.
struct ChildRun {
    enum class End {
        Over,         // the run is over (time, interrupt): every case it started finished
        Failed,       // a case violated a rule not in `ignore`: case_index, records
        Died,         // crashed, hung or ran out of memory in case_index at op_index (supervised says how)
        StartFailed,  // died or failed before it had the adapter (supervised, stderr tail)
    };
    End end = End::Over;
    CasePosition at;  // the batch and property it was in
    uint64_t case_index = 0, op_index = 0;
    uint64_t traces = 0, ops = 0;      // cases and ops it finished
    std::vector<uint64_t> exercised;   // by rule, its model's counts
    std::vector<Record> records;       // Failed: the failing case's smallest records (run_records)
    SuperviseResult supervised;
};

struct SupervisedCases {
    std::string adapter;  // as given to --adapter
    AdapterOptions options;
    Profile profile;
    IsolationLimits limits;
    uint64_t seed = 0;

    // Runs one child from `from` on. over() is polled in the child before every case and in the
    // parent while it waits (where an interrupt is seen: the child ignores SIGINT); tick sees the
    // child's counts while it runs.
    ChildRun run(CasePosition from, const std::set<Rule>& ignore, const std::function<bool()>& over,
                 const std::function<void(const ChildRun&)>& tick) const;
};

}  // namespace resvcheck::cli
