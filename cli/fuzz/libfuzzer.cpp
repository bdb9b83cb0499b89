// libFuzzer: one target process (or -fork=N), status from its "#N ... cov: ... exec/s:" lines,
// artifacts by name prefix (crash-, timeout-, oom-, leak-) in work/artifacts/.
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>

#include "engine.h"

namespace resvcheck::cli::fuzz {
namespace {

constexpr int kMaxLen = 2048;  // 256 records, as the targets read at most

std::optional<double> number_after(const std::string& line, const std::string& key) {
    auto at = line.find(key);
    if (at == std::string::npos) return std::nullopt;
    const char* s = line.c_str() + at + key.size();
    char* end = nullptr;
    double v = strtod(s, &end);
    if (end == s) return std::nullopt;
    return v;
}

class LibFuzzer final : public Engine {
public:
    explicit LibFuzzer(EngineConfig cfg) : Engine(std::move(cfg)), artifacts_(cfg_.work / "artifacts") {
        fs::create_directories(artifacts_);
        log_.open(log_path(), std::ios::app);
    }
    std::string_view name() const override { return "libfuzzer"; }

    std::string start(int seconds, const Env& env) override {
        std::vector<std::string> argv = {cfg_.bin.string(), cfg_.corpus.string(), "-max_len=" + std::to_string(kMaxLen), "-timeout=10",
                                         "-rss_limit_mb=2048", "-artifact_prefix=" + artifacts_.string() + "/",
                                         "-max_total_time=" + std::to_string(seconds), "-print_final_stats=1"};
        if (!cfg_.seed.empty()) argv.push_back("-seed=" + cfg_.seed);
        if (cfg_.jobs > 1)
            for (std::string f : {"-fork=" + std::to_string(cfg_.jobs), std::string("-ignore_crashes=1"), std::string("-ignore_timeouts=1"),
                                  std::string("-ignore_ooms=1")})
                argv.push_back(f);
        proc_ = spawn(argv, env, cfg_.work);
        return proc_.pid < 0 ? "cannot start " + cfg_.bin.string() : "";
    }

    State poll(int ms) override {
        if (proc_.pid < 0) return State::Finished;
        pollfd pf{proc_.fd, POLLIN, 0};
        ::poll(&pf, 1, ms);
        pump(proc_, log_, [this](const std::string& l) { parse(l); });
        int wst = 0;
        if (waitpid(proc_.pid, &wst, WNOHANG) != proc_.pid) {
            if (cfg_.jobs > 1) collect();  // -fork keeps going after a crash
            return State::Running;
        }
        proc_.pid = -1;
        pump(proc_, log_, [this](const std::string& l) { parse(l); });
        close(proc_.fd);
        size_t before = pending_.size();
        collect();
        if (WIFEXITED(wst) && WEXITSTATUS(wst) == 0 && pending_.size() == before) return State::Finished;  // ran out its time
        if (stats_.execs == 0 && pending_.size() == before) return State::FailedToStart;
        return State::Crashed;  // a crash ends a libFuzzer process: the session may start it again
    }

    std::vector<Artifact> take_artifacts() override { return std::exchange(pending_, {}); }

    void stop() override {
        if (proc_.pid < 0) return;
        fuzz::stop(proc_);
        pump(proc_, log_, [this](const std::string& l) { parse(l); });
        close(proc_.fd);
        collect();
    }

    const EngineStats& stats() const override { return stats_; }

private:
    // "#12345\tNEW    cov: 1234 ft: 2345 corp: 100/5Kb exec/s: 5000 rss: 40Mb"   (single process)
    // "#12345: cov: 1234 ft: 2345 corp: 100 exec/s: 5000 oom/timeout/crash: 0/0/1 time: 12s job: 3"  (-fork)
    void parse(const std::string& line) {
        if (line.empty() || line[0] != '#') return;
        if (auto n = number_after(line, "#")) stats_.execs = static_cast<uint64_t>(*n);
        if (auto c = number_after(line, "cov: ")) stats_.coverage = std::to_string(static_cast<long>(*c));
        if (auto c = number_after(line, "corp: ")) stats_.corpus = static_cast<uint64_t>(*c);
        if (auto e = number_after(line, "exec/s: ")) stats_.execs_per_sec = *e;
    }

    void collect() {
        for (const auto& p : fresh_files(artifacts_, seen_)) {
            std::string n = p.filename().string();
            std::string kind = n.starts_with("crash-") ? "crash" : n.starts_with("timeout-") ? "hang" : n.starts_with("oom-") ? "oom"
                               : n.starts_with("leak-") ? "leak" : "";
            if (!kind.empty()) pending_.push_back({p, kind});  // slow-unit-* and the like are not findings
        }
    }

    fs::path artifacts_;
    std::ofstream log_;
    Proc proc_;
    EngineStats stats_;
    std::vector<fs::path> seen_;
    std::vector<Artifact> pending_;
};

}  // namespace

std::unique_ptr<Engine> make_libfuzzer(EngineConfig cfg) { return std::make_unique<LibFuzzer>(std::move(cfg)); }

}  // namespace resvcheck::cli::fuzz
