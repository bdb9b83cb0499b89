// properties.h - stateful RapidCheck properties: model vs adapter, one per area.
//
// A property is a weighting of the decoder's moves plus the rules it is meant to exercise. Its
// test cases are vectors of byte records, generated and shrunk by RapidCheck in the ctest suite
// (check_property) and by case_gen.h / check_loop.h in `resvcheck check`; the shared decoder
// (trace/decoder.h) turns them into ops and the runner judges them. So RapidCheck, the fuzzers
// and the CLI all go through the same decoder and the same runner.
//
//   PropertyRun r = check_property(all_properties()[0], model, adapter, {.seed = 42, .cases = 100});
//   if (r.failure) pipeline.finish(r.failure->executed, *r.failure->divergence, adapter, "property");
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "decoder.h"
#include "runner.h"

namespace resvcheck {

struct PropertyDef {
    std::string_view name;
    std::string_view weights;  // decoder weight profile
    std::string_view description;
    std::vector<Rule> rules;   // the rules the property is there to exercise
};

std::span<const PropertyDef> all_properties();

// Ops from byte records, skipping those that break a precondition or that the adapter lacks, then
// a teardown (when the state and the adapter allow one).
class RecordSource final : public OpSource {
public:
    RecordSource(std::span<const Record> records, const MoveWeights& weights, const Adapter* adapter)
        : records_(records), decoder_(weights), adapter_(adapter) {}
    std::optional<Op> next(const Model& model) override;
    // Starts over on `records` (the hot loop reuses one source and its buffers for every case).
    void restart(std::span<const Record> records);

private:
    std::span<const Record> records_;
    size_t pos_ = 0;
    bool torn_down_ = false;
    OpDecoder decoder_;
    const Adapter* adapter_;
};

// The records of a fuzz input: whole 8-byte records, at most kMaxRecords (longer inputs are cut,
// as the engines are told); a trailing partial record is ignored.
inline constexpr size_t kMaxRecords = 256;
std::vector<Record> to_records(const uint8_t* data, size_t size);
// The decoder weights fuzz inputs are decoded with: RESVCHECK_WEIGHTS, default "all".
const MoveWeights& fuzz_weights();

// Decodes records into the trace they mean (for printing fuzz inputs and corpora).
Trace decode_records(const std::vector<Record>& records, const MoveWeights& weights, const Profile& profile);

struct PropertyParams {
    uint64_t seed = 0;
    int cases = 100;
    int max_size = 120;             // records per case at the largest size
    std::set<Rule> ignore;          // violations of these rules count as passes (already reported)
    std::function<bool()> stop;     // polled between cases: true ends the batch early
    std::function<void(const RunResult&)> on_case;  // after every case (progress)
    // Called with the first failing case, before shrinking: a finding is on disk before anything else.
    std::function<void(const RunResult&)> on_first_failure;
};

struct PropertyRun {
    uint64_t cases = 0;
    uint64_t ops = 0;
    std::optional<RunResult> failure;  // the minimal failing case RapidCheck shrank to
    std::string message;               // RapidCheck's failure or give-up text
};

PropertyRun check_property(const PropertyDef& p, Model& model, Adapter& adapter, const PropertyParams& params);

}  // namespace resvcheck
