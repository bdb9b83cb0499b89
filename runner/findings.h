// findings.h - turning a failing run into a readable, replayable trace file on disk.
//
// A finding trace holds the ops up to the failing one, each pinned with what a conforming
// implementation of the profile observes (so the file doubles as a regression test: placed under
// corpora/regressions/ it passes on correct adapters and fails on the broken one), a header that
// names the rule, the op index, what was allowed and what happened, and the replay command.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "runner.h"

namespace resvcheck {

// The same ops, each pinned with the observation a conforming `profile` implementation gives.
Trace pin_expected(const Trace& ops, const Profile& profile);

struct FindingInfo {
    Divergence divergence;
    std::string adapter;        // as given to --adapter
    std::string adapter_flags;  // e.g. "--fault seqno-no-wrap" (for the replay command)
    std::string profile;
    std::string origin;         // "check --seed 42", "fuzz (libfuzzer)", "replay x.trace"
};

struct WrittenFinding {
    std::string path;   // set on success
    std::string error;  // set on failure
};
// The text of a finding file that will live at `path`.
std::string render_finding(const Trace& ops, const FindingInfo& info, const std::string& path);
// Writes `text` to `path` (parent directories created). Returns an error message or "".
std::string write_text(const std::string& path, const std::string& text);

// Writes the finding under `dir`, named after the rule and a hash of the ops.
WrittenFinding write_finding(const std::string& dir, const Trace& ops, const FindingInfo& info);

// The command that replays a finding file.
std::string replay_command(const std::string& path, const FindingInfo& info);

}  // namespace resvcheck
