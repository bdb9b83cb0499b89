// report.h - the per-rule result of a run (replay, check, fuzz) and its views: terminal table,
// Markdown, JUnit XML and JSON are all renderings of one Report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <optional>

#include "finding_pipeline.h"
#include "model.h"

namespace resvcheck::cli {

// fuzz: what the engine reported.
struct EngineStats {
    std::string name;  // libfuzzer, afl
    uint64_t execs = 0;
    double execs_per_sec = 0;
    uint64_t corpus = 0;
    std::string coverage;
    size_t crashes = 0;  // inputs the engine recorded as crashing or hanging
};

struct Report {
    std::string command;   // replay, check, fuzz
    std::string adapter;
    std::string profile;
    uint64_t traces = 0;
    uint64_t ops = 0;
    double seconds = 0;
    std::vector<uint64_t> exercised;  // by Rule index
    std::vector<Finding> findings;
    std::vector<std::string> problems;  // unsupported ops: not violations, but not a clean pass
    std::vector<std::string> notes;     // e.g. rules the budget did not exercise
    std::optional<EngineStats> engine;  // fuzz only; a fuzz report has no per-rule counts
    bool rule_table = true;  // the table view's per-rule rows (off with --quiet, and for one replayed trace)

    bool violated(Rule r) const;
    int exit_code() const;  // 0 conforms, 1 violated, 3 unsupported ops only
};

std::string render_table(const Report& r);
std::string render_markdown(const Report& r);
std::string render_junit(const Report& r);
std::string render_json(const Report& r);

// Picks the renderer named by --format / --json; empty string means "table".
std::string render(const Report& r, const std::string& format);

}  // namespace resvcheck::cli
