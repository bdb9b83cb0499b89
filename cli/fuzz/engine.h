// engine.h - a coverage-guided fuzz engine (libFuzzer, AFL++) as `resvcheck fuzz` drives it:
// start its processes on a corpus, poll their output for the status line, collect the inputs it
// records as crashing or hanging, stop it. The session (session.h) turns those inputs into
// findings; the engines know nothing about rules or traces.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "report.h"

namespace resvcheck::cli::fuzz {

namespace fs = std::filesystem;
using Env = std::vector<std::pair<std::string, std::string>>;

struct EngineConfig {
    fs::path bin;     // the fuzz target
    fs::path build;   // its build directory (AFL++: the custom mutator lives there)
    fs::path corpus;  // a fresh copy of the seeds, grown by the engine
    fs::path work;    // scratch: artifacts, AFL++ output, engine.log
    int jobs = 1;
    std::string seed;  // empty: the engine's own
};

// An input the engine recorded: kind is crash, hang, oom or leak.
struct Artifact {
    fs::path path;
    std::string kind;
};

class Engine {
public:
    enum class State { Running, Finished, Crashed, FailedToStart };
    virtual ~Engine() = default;
    virtual std::string_view name() const = 0;
    // Starts the engine for `seconds` with `env` added to the target's environment; after a
    // Crashed state, starts it again for the rest of the budget. Returns an error or "".
    virtual std::string start(int seconds, const Env& env) = 0;
    // Waits up to `ms` for output and parses it.
    virtual State poll(int ms) = 0;
    // Inputs recorded since the last call, oldest first.
    virtual std::vector<Artifact> take_artifacts() = 0;
    // Stops every process of the engine (SIGINT, then SIGKILL) and waits for them.
    virtual void stop() = 0;
    // execs, execs/s, corpus, coverage so far (name and crashes are the session's).
    virtual const EngineStats& stats() const = 0;
    fs::path log_path() const { return cfg_.work / "engine.log"; }

protected:
    explicit Engine(EngineConfig cfg) : cfg_(std::move(cfg)) {}
    EngineConfig cfg_;
};

std::unique_ptr<Engine> make_libfuzzer(EngineConfig cfg);
std::unique_ptr<Engine> make_afl(EngineConfig cfg);

// --- shared by the engine drivers ---

// One engine process in its own process group, stdout and stderr into a non-blocking pipe.
struct Proc {
    pid_t pid = -1;
    int fd = -1;
    std::string buf;
};
Proc spawn(const std::vector<std::string>& argv, const Env& env, const fs::path& cwd);
// SIGINT to the group, SIGKILL after 5 s; reaps it.
void stop(Proc& p);
// Copies what the process wrote to `log` and hands every complete line to `line`.
void pump(Proc& p, std::ofstream& log, const std::function<void(const std::string&)>& line);
// Regular files in `dir` not in `seen` (added to it), sorted.
std::vector<fs::path> fresh_files(const fs::path& dir, std::vector<fs::path>& seen);

}  // namespace resvcheck::cli::fuzz
