// AFL++: one afl-fuzz (or -M main and -S secK instances on one output directory), status from
// each instance's fuzzer_stats, artifacts from its crashes/ and hangs/ directories.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "engine.h"

namespace resvcheck::cli::fuzz {
namespace {

class Afl final : public Engine {
public:
    explicit Afl(EngineConfig cfg) : Engine(std::move(cfg)), out_(cfg_.work / "afl"), t0_(std::chrono::steady_clock::now()) {
        std::error_code ec;
        fs::remove_all(out_, ec);
        log_.open(log_path(), std::ios::app);
    }
    std::string_view name() const override { return "afl"; }

    std::string start(int seconds, const Env& env) override {
        fs::path mut = cfg_.build / "fuzz" / "libresvcheck-afl-mutator.so";
        for (int j = 0; j < cfg_.jobs; ++j) {
            std::vector<std::string> argv = {"afl-fuzz", "-i", cfg_.corpus.string(), "-o", out_.string(), "-V", std::to_string(seconds),
                                             "-t", "10000", "-m", "none"};
            if (cfg_.jobs > 1) argv.insert(argv.end(), {j == 0 ? "-M" : "-S", j == 0 ? "main" : "sec" + std::to_string(j)});
            if (!cfg_.seed.empty()) argv.insert(argv.end(), {"-s", cfg_.seed});
            argv.insert(argv.end(), {"--", cfg_.bin.string()});
            Env e = env;
            e.insert(e.end(), {{"AFL_NO_UI", "1"}, {"AFL_SKIP_CPUFREQ", "1"}, {"AFL_NO_AFFINITY", "1"},
                               {"AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1"}, {"AFL_SKIP_CRASHES", "1"}, {"AFL_NO_WARN_INSTABILITY", "1"}});
            if (fs::exists(mut)) e.emplace_back("AFL_CUSTOM_MUTATOR_LIBRARY", mut.string());
            procs_.push_back(spawn(argv, e, cfg_.work));
            if (procs_.back().pid < 0) return "cannot start afl-fuzz";
        }
        return "";
    }

    State poll(int ms) override {
        std::vector<pollfd> pf;
        for (auto& p : procs_)
            if (p.pid > 0) pf.push_back(pollfd{p.fd, POLLIN, 0});
        if (pf.empty()) return State::Finished;
        ::poll(pf.data(), pf.size(), ms);
        bool running = false, failed = false;
        for (auto& p : procs_) {
            if (p.pid < 0) continue;
            pump(p, log_, nullptr);
            int wst = 0;
            if (waitpid(p.pid, &wst, WNOHANG) != p.pid) {
                running = true;
                continue;
            }
            p.pid = -1;
            close(p.fd);
            failed |= WIFEXITED(wst) && WEXITSTATUS(wst) != 0 && stats_.execs == 0;
        }
        read_stats();
        collect();
        if (failed) {
            stop();
            return State::FailedToStart;
        }
        return running ? State::Running : State::Finished;
    }

    std::vector<Artifact> take_artifacts() override { return std::exchange(pending_, {}); }

    void stop() override {
        for (auto& p : procs_)
            if (p.pid > 0) {
                fuzz::stop(p);
                close(p.fd);
            }
        read_stats();
        collect();
    }

    const EngineStats& stats() const override { return stats_; }

private:
    void read_stats() {
        uint64_t execs = 0, corpus = 0;
        double eps = 0;
        std::string cov;
        std::error_code ec;
        for (const auto& d : fs::directory_iterator(out_, ec)) {
            std::ifstream f(d.path() / "fuzzer_stats");
            std::map<std::string, std::string> kv;
            for (std::string l; std::getline(f, l);)
                if (auto c = l.find(':'); c != std::string::npos) {
                    std::string k = l.substr(0, c), v = l.substr(c + 1);
                    k.erase(k.find_last_not_of(' ') + 1);
                    v.erase(0, v.find_first_not_of(' '));
                    kv[k] = v;
                }
            if (kv.empty()) continue;
            execs += std::strtoull(kv["execs_done"].c_str(), nullptr, 10);
            eps += std::strtod(kv["execs_per_sec"].c_str(), nullptr);
            corpus = std::max<uint64_t>(corpus, std::strtoull(kv["corpus_count"].c_str(), nullptr, 10));
            if (cov.empty() || d.path().filename() == "main") cov = kv["bitmap_cvg"];
        }
        if (!execs) return;
        stats_.execs = execs;
        stats_.corpus = corpus;
        stats_.coverage = cov;
        // execs_per_sec in fuzzer_stats is refreshed every minute; the mean over the run is steadier early on
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
        stats_.execs_per_sec = eps > 0 ? eps : execs / std::max(1.0, secs);
    }

    void collect() {
        std::error_code ec;
        for (const auto& d : fs::directory_iterator(out_, ec)) {
            for (const auto& p : fresh_files(d.path() / "crashes", seen_)) pending_.push_back({p, "crash"});
            for (const auto& p : fresh_files(d.path() / "hangs", seen_)) pending_.push_back({p, "hang"});
        }
    }

    fs::path out_;
    std::chrono::steady_clock::time_point t0_;
    std::ofstream log_;
    std::vector<Proc> procs_;
    EngineStats stats_;
    std::vector<fs::path> seen_;
    std::vector<Artifact> pending_;
};

}  // namespace

std::unique_ptr<Engine> make_afl(EngineConfig cfg) { return std::make_unique<Afl>(std::move(cfg)); }

}  // namespace resvcheck::cli::fuzz
