// findings.h - the finding file: its text, its name, and writing it so that nothing is lost.
//
// A finding trace holds the ops up to the failing one, each pinned with what a conforming
// implementation of the profile observes (so the file doubles as a regression test: placed under
// corpora/regressions/ it passes on correct adapters and fails on the broken one), a header that
// names the rule, the op index, what was allowed and what happened, and the replay command.
// Files are written atomically: a kill at any moment leaves the old file, the new one or none,
// never an empty or partial .trace. finding_pipeline.h is what front ends call.
#pragma once

#include <string>

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

// The text of a finding file that will live at `path`.
std::string render_finding(const Trace& ops, const FindingInfo& info, const std::string& path);
// Where the finding goes under `dir`: named after the rule and a hash of the ops and flags.
std::string finding_path(const std::string& dir, const Trace& ops, const FindingInfo& info);
// The command that replays a finding file.
std::string replay_command(const std::string& path, const FindingInfo& info);

// Writes `text` to `path` through a temporary file in the same directory (".NAME.XXXXXX", so
// never a *.trace), fsync'd and renamed over `path`; parent directories are created. Returns an
// error message, or "" on success.
Status write_atomic(const std::string& path, const std::string& text);

// Creates `dir` and checks that files can be created in it; an error message, or "".
Status prepare_findings_dir(const std::string& dir);

}  // namespace resvcheck
