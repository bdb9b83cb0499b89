// report.h - the per-rule result of a run (replay, check, fuzz) and its views: terminal table,
// Markdown, JUnit XML and JSON are all renderings of one Report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model.h"

namespace resvcheck::cli {

struct Finding {
    Rule rule;
    size_t op_index = 0;
    std::string allowed;
    std::string observed;
    std::string trace;   // path of the replayable trace
    std::string replay;  // command that replays it
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
