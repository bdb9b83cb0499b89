// session.h - one `resvcheck fuzz` run: drives an engine for the time budget with a live status
// line, sends every input the engine records through the one finding pipeline (replayed in a
// child process, so an adapter crash while replaying cannot take the session down), and prints
// the report through the common renderer.
#pragma once

#include "commands.h"
#include "engine.h"

namespace resvcheck::cli::fuzz {

struct SessionConfig {
    std::string adapter;        // as given to --adapter
    std::string findings_dir;
    double budget = 120;        // seconds
    size_t max_findings = SIZE_MAX;
    bool progress = false;      // live status line on stderr
    std::string format;         // report format ("json" for --json)
    Env env;                    // the target's environment (adapter, fault, profile, findings)
    fs::path bin;               // the target, for printed reproduce commands
    unsigned threads = 1;       // > 1: inputs are concurrent cases (RESVCHECK_THREADS)
};

// Returns the exit status.
int run_session(Engine& engine, Setup& setup, const SessionConfig& cfg);

}  // namespace resvcheck::cli::fuzz
