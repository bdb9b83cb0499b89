// report.h - the per-rule result of a run (replay, check, fuzz) and its views: terminal table,
// Markdown, JUnit XML, KTAP and JSON are all renderings of one Report (report/html.h renders many).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <optional>
#include <span>

#include "finding_pipeline.h"
#include "model.h"

namespace resvcheck::cli {

// fuzz: the engine's progress at one moment (for the report's plot over time).
struct FuzzSample {
    double seconds = 0;
    uint64_t execs = 0;
    uint64_t corpus = 0;
    double coverage = 0;  // the engine's coverage figure (libFuzzer: edges; AFL++: map %)
    size_t findings = 0;
};

// fuzz: what the engine reported.
struct EngineStats {
    std::string name;  // libfuzzer, afl
    uint64_t execs = 0;
    double execs_per_sec = 0;
    uint64_t corpus = 0;
    std::string coverage;
    size_t crashes = 0;  // inputs the engine recorded as crashing or hanging
    std::vector<FuzzSample> samples;
};

struct Report {
    std::string command;   // replay, check, fuzz
    std::string adapter;
    std::string adapter_flags;  // --fault, --kernel-src ...: with adapter and profile, what a report column is
    std::string profile;
    uint32_t unavailable = 0;  // API features the adapter cannot have (Adapter::unavailable): their rules are n/a
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

// A rule's state in one result; every view reads it from here.
enum class RuleStatus { Ok, Violated, NotExercised, NotApplicable, NotCounted /* fuzz: no per-rule counts */ };
RuleStatus rule_status(const Report& r, const RuleInfo& ri);
std::string_view status_text(RuleStatus s);
std::string_view status_text(const Report& r, const RuleInfo& ri);  // says whether n/a is the profile's or the adapter's
uint64_t exercised_of(const Report& r, Rule rule);
// `s` with < > & " escaped, for XML and HTML views.
std::string markup_escape(std::string_view s);

std::string render_table(const Report& r);
std::string render_markdown(const Report& r);
std::string render_junit(const Report& r);
std::string render_json(const Report& r);
std::string render_ktap(const Report& r);  // KTAP v1, one subtest per rule, as kunit.py parses it

// Many results (report --junit / --ktap): one suite per result, one case per rule.
std::string render_junit(std::span<const Report> rs);
std::string render_ktap(std::span<const Report> rs);
// "sim --fault x (linux-6.12)": names a result's column, suite or test group.
std::string result_label(const Report& r);

// Picks the renderer named by --format / --json; empty string means "table".
std::string render(const Report& r, const std::string& format);

}  // namespace resvcheck::cli
