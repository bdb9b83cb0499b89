// resvcheck fuzz --engine libfuzzer|afl --adapter NAME [--fault F] [--time S] [--jobs N] [--corpus DIR]
//
// Runs a prebuilt coverage-guided fuzz target (properties/fuzz/: build-fuzz/fuzz/fuzz-ADAPTER for
// libFuzzer, build-afl/fuzz/fuzz-ADAPTER for AFL++) on a copy of the seed corpus, shows one live
// status line, and turns every crash the engine records into a finding: the input is decoded to
// its trace (the one decoder), replayed against the adapter and judged by the model, shrunk to the
// same rule and written under --findings, with the `cp` that makes it a regression test. A crash,
// sanitizer report or hang that is not a divergence keeps its raw input and its replay command.
// Builds nothing. Exit: 0 no finding, 1 findings, 2 set-up error.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "commands.h"
#include "findings.h"
#include "properties.h"
#include "shrink_util.h"

namespace resvcheck::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kDefaultSeconds = 120;
constexpr int kMaxLen = 2048;          // 256 records, as the targets read at most
constexpr int kMaxRawCrashes = 5;      // crashes that are not divergences before the session stops
constexpr int kReplayTimeoutSec = 120; // replaying + shrinking one input

std::string env_or(const char* name, const char* dflt) {
    const char* v = std::getenv(name);
    return v && *v ? v : dflt;
}

// The source tree: the first directory above the resvcheck binary or the working directory
// that holds CMakePresets.json and corpora/.
std::optional<fs::path> find_root() {
    std::vector<fs::path> starts;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) starts.push_back(exe.parent_path());
    starts.push_back(fs::current_path(ec));
    for (auto p : starts)
        for (; !p.empty(); p = p.parent_path()) {
            if (fs::exists(p / "CMakePresets.json") && fs::is_directory(p / "corpora")) return p;
            if (p == p.parent_path()) break;
        }
    return std::nullopt;
}

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), {});
}

std::string hash8(const std::string& s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    char b[17];
    snprintf(b, sizeof b, "%08llx", static_cast<unsigned long long>(h & 0xffffffffu));
    return b;
}

struct Status {
    uint64_t execs = 0;
    double execs_per_s = 0;
    uint64_t corpus = 0;
    std::string cov;  // libFuzzer "cov: N", AFL "bitmap_cvg"
    size_t findings = 0;
    size_t engine_crashes = 0;
};

// One engine process (libFuzzer or an AFL++ instance), output into a pipe.
struct Proc {
    pid_t pid = -1;
    int fd = -1;
    std::string buf;
};

Proc spawn(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env, const fs::path& cwd) {
    int p[2];
    if (pipe(p) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);  // own group: stopped as a whole
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
        if (chdir(cwd.c_str()) != 0) _exit(127);
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        execvp(a[0], a.data());
        fprintf(stderr, "cannot run %s: %s\n", a[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    return Proc{pid, p[0], {}};
}

void stop(Proc& pr) {
    if (pr.pid <= 0) return;
    kill(-pr.pid, SIGINT);
    for (int i = 0; i < 50; ++i) {
        if (waitpid(pr.pid, nullptr, WNOHANG) == pr.pid) {
            pr.pid = -1;
            break;
        }
        usleep(100000);
    }
    if (pr.pid > 0) {
        kill(-pr.pid, SIGKILL);
        waitpid(pr.pid, nullptr, 0);
        pr.pid = -1;
    }
}

std::optional<double> number_after(const std::string& line, const std::string& key) {
    auto at = line.find(key);
    if (at == std::string::npos) return std::nullopt;
    const char* s = line.c_str() + at + key.size();
    char* end = nullptr;
    double v = strtod(s, &end);
    if (end == s) return std::nullopt;
    return v;
}

class Session {
public:
    Session(const Options& o, Setup& s) : o_(o), s_(s) {}
    int run();

private:
    void status_line(bool force);
    void pump(Proc& pr, std::ofstream& log);
    void parse_libfuzzer(const std::string& line);
    void read_afl_stats();
    void scan(const fs::path& dir, const std::string& kind_from_name);
    void process(const fs::path& input, const std::string& kind);
    double elapsed() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }
    bool out_of_budget() const {
        return elapsed() >= budget_ || findings_.size() >= max_findings_ || raw_crashes_ >= kMaxRawCrashes;
    }
    int run_libfuzzer();
    int run_afl();

    const Options& o_;
    Setup& s_;
    std::string engine_, adapter_;
    fs::path root_, build_, bin_, work_, corpus_, findings_dir_, seeds_;
    double budget_ = kDefaultSeconds;
    int jobs_ = 1;
    size_t max_findings_ = SIZE_MAX;
    Clock::time_point t0_, last_print_;
    bool progress_ = false;
    Status st_;
    std::set<fs::path> seen_;
    std::set<Rule> rules_found_;
    struct Finding {
        std::string rule, path, kind;
        size_t ops = 0;
        double seconds = 0;
    };
    std::vector<Finding> findings_;
    int raw_crashes_ = 0;
    std::vector<std::pair<std::string, std::string>> env_;
};

void Session::status_line(bool force) {
    if (!progress_) return;
    auto now = Clock::now();
    if (!force && now - last_print_ < std::chrono::milliseconds(250)) return;
    last_print_ = now;
    fprintf(stderr, "\r  %5.0f/%.0fs  %s  execs %-10llu %6.0f/s  corpus %-6llu cov %-8s findings %zu ", elapsed(), budget_,
            engine_.c_str(), static_cast<unsigned long long>(st_.execs), st_.execs_per_s, static_cast<unsigned long long>(st_.corpus),
            st_.cov.c_str(), findings_.size());
    fflush(stderr);
}

void Session::parse_libfuzzer(const std::string& line) {
    // "#12345\tNEW    cov: 1234 ft: 2345 corp: 100/5Kb exec/s: 5000 rss: 40Mb"   (single process)
    // "#12345: cov: 1234 ft: 2345 corp: 100 exec/s: 5000 oom/timeout/crash: 0/0/1 time: 12s job: 3"  (-fork)
    if (line.empty() || line[0] != '#') return;
    if (auto n = number_after(line, "#")) st_.execs = static_cast<uint64_t>(*n);
    if (auto c = number_after(line, "cov: ")) st_.cov = std::to_string(static_cast<long>(*c));
    if (auto c = number_after(line, "corp: ")) st_.corpus = static_cast<uint64_t>(*c);
    if (auto e = number_after(line, "exec/s: ")) st_.execs_per_s = *e;
}

void Session::read_afl_stats() {
    uint64_t execs = 0, corpus = 0;
    double eps = 0;
    std::string cov;
    std::error_code ec;
    for (const auto& d : fs::directory_iterator(work_ / "afl", ec)) {
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
    if (execs) {
        st_.execs = execs;
        st_.corpus = corpus;
        st_.cov = cov;
        // execs_per_sec in fuzzer_stats is refreshed every minute; the mean over the run is steadier early on
        st_.execs_per_s = eps > 0 ? eps : execs / std::max(1.0, elapsed());
    }
}

void Session::pump(Proc& pr, std::ofstream& log) {
    char b[8192];
    for (;;) {
        ssize_t n = read(pr.fd, b, sizeof b);
        if (n <= 0) break;
        log.write(b, n);
        pr.buf.append(b, static_cast<size_t>(n));
    }
    log.flush();
    size_t nl;
    while ((nl = pr.buf.find_first_of("\n\r")) != std::string::npos) {
        std::string line = pr.buf.substr(0, nl);
        pr.buf.erase(0, nl + 1);
        if (engine_ == "libfuzzer") parse_libfuzzer(line);
    }
}

// Where a finding for `rule` belongs among the regression traces.
std::string regression_dir(Rule rule, const Profile& profile) {
    const RuleInfo& ri = rule_info(rule);
    std::string area(ri.area);
    std::replace(area.begin(), area.end(), '.', '-');
    auto contract = profile_by_name("contract");
    if (contract && rule_applies(ri, *contract)) return "corpora/regressions/" + area;
    return "corpora/regressions/profile-" + std::string(profile.name) + "/" + area;
}

// Replays and shrinks one engine input in a child process (so that an adapter crash or hang while
// replaying cannot take the session down); the child reports through a pipe.
void Session::process(const fs::path& input, const std::string& kind) {
    std::string bytes = read_file(input);
    std::vector<Record> recs(std::min<size_t>(bytes.size() / kRecordSize, 256));
    for (size_t i = 0; i < recs.size(); ++i) std::memcpy(recs[i].data(), bytes.data() + i * kRecordSize, kRecordSize);
    const MoveWeights& w = weights_for(env_or("RESVCHECK_WEIGHTS", "all"));
    const std::string dir = o_.findings.empty() ? "resvcheck-findings" : o_.findings;
    double at = elapsed();

    int p[2];
    if (pipe(p) != 0) return;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        alarm(kReplayTimeoutSec);
        FILE* out = fdopen(p[1], "w");
        // the ops exactly as the fuzz target decoded them: live, against this adapter's answers
        Model m(s_.profile);
        RecordSource src(recs, w, s_.adapter.get());
        RunResult r = resvcheck::run(src, m, *s_.adapter);
        if (r.verdict != Verdict::Violation) {
            fprintf(out, "N %s\n", std::string(verdict_name(r.verdict)).c_str());
            fclose(out);
            _exit(0);
        }
        if (rules_found_.count(r.divergence->rule)) {
            fprintf(out, "D %s\n", std::string(rule_id(r.divergence->rule)).c_str());
            fclose(out);
            _exit(0);
        }
        FindingInfo info{*r.divergence, o_.adapter, s_.adapter_flags, std::string(s_.profile.name), "fuzz (" + engine_ + ", unshrunk)"};
        auto raw = write_finding(dir + "/unshrunk", r.executed, info);  // on disk before shrinking
        Shrunk sh = shrink_failure(r.executed, r.divergence->rule, s_.profile, *s_.adapter);
        info.divergence = sh.divergence;
        info.origin = "fuzz (" + engine_ + ", " + kind + " " + input.filename().string() + ")";
        auto wr = write_finding(dir, sh.trace, info);
        if (wr.path.empty()) wr.path = raw.path;
        fprintf(out, "V %s %zu %zu\n%s\n%s\n%s\n", std::string(rule_id(sh.divergence.rule)).c_str(), r.executed.steps.size(),
                sh.trace.steps.size(), wr.path.c_str(), replay_command(wr.path, info).c_str(), sh.divergence.observed.c_str());
        fclose(out);
        _exit(0);
    }
    close(p[1]);
    std::string reply;
    char b[4096];
    ssize_t n;
    while ((n = read(p[0], b, sizeof b)) > 0) reply.append(b, static_cast<size_t>(n));
    close(p[0]);
    int wst = 0;
    waitpid(pid, &wst, 0);

    if (progress_) fprintf(stderr, "\n");
    std::istringstream in(reply);
    std::string tag;
    in >> tag;
    if (tag == "V") {
        std::string rule, path, replay, observed;
        size_t before = 0, after = 0;
        in >> rule >> before >> after;
        in.ignore(1);
        std::getline(in, path);
        std::getline(in, replay);
        std::getline(in, observed);
        if (auto r = rule_by_id(rule)) rules_found_.insert(*r);
        findings_.push_back({rule, path, kind, after, at});
        std::string dst = regression_dir(*rule_by_id(rule), s_.profile);
        std::string name = rule;
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        printf("finding %zu after %.1f s: %s violated (%s %s; shrunk %zu -> %zu ops)\n  observed: %s\n  wrote %s\n  replay:  %s\n"
               "  add it as a regression test:  cp %s %s/fuzz-%s-%s.trace\n",
               findings_.size(), at, rule.c_str(), engine_.c_str(), kind.c_str(), before, after, observed.c_str(), path.c_str(),
               replay.c_str(), path.c_str(), dst.c_str(), name.c_str(), hash8(bytes).c_str());
        fflush(stdout);
        return;
    }
    if (tag == "D") return;  // a rule already reported in this session
    // Not a divergence here: an adapter crash, a sanitizer report or a hang in the engine's build,
    // or the replay itself crashed or hung. Keep the raw input and the decoded trace.
    std::string why = WIFSIGNALED(wst) ? std::string("replay died with signal ") + strsignal(WTERMSIG(wst))
                      : tag == "N"     ? "replays as '" + [&] { std::string v; in >> v; return v; }() + "' outside the engine"
                                       : "replay gave no answer";
    std::string base = dir + "/" + kind + "-" + adapter_ + "-" + hash8(bytes);
    fs::create_directories(dir);
    fs::copy_file(input, base + ".bin", fs::copy_options::overwrite_existing);
    Trace t = decode_records(recs, w, s_.profile);
    t.header.push_back(" " + kind + " of fuzz-" + adapter_ + " (" + engine_ + "): " + why);
    t.header.push_back(" raw input: " + base + ".bin; engine log: " + (work_ / "engine.log").string());
    write_text(base + ".trace", print_trace(t));
    ++raw_crashes_;
    findings_.push_back({kind, base + ".bin", kind, t.steps.size(), at});
    std::string envs = s_.adapter_flags.empty() ? "" : "RESVCHECK_FAULT=" + o_.fault + " ";
    printf("finding %zu after %.1f s: %s of the adapter, not a divergence (%s)\n  raw input %s, decoded ops %s.trace\n"
           "  reproduce: %s%s %s\n  replay the ops: %s\n",
           findings_.size(), at, kind.c_str(), why.c_str(), (base + ".bin").c_str(), base.c_str(), envs.c_str(), bin_.c_str(),
           (base + ".bin").c_str(), replay_command(base + ".trace", FindingInfo{{}, o_.adapter, s_.adapter_flags, std::string(s_.profile.name), ""}).c_str());
    fflush(stdout);
}

// New files in `dir`; the kind is "crash" or "hang" (AFL: by directory, libFuzzer: by name prefix).
void Session::scan(const fs::path& dir, const std::string& kind_from_name) {
    std::error_code ec;
    std::vector<fs::path> fresh;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string n = e.path().filename().string();
        if (!e.is_regular_file() || seen_.count(e.path()) || n == "README.txt") continue;
        fresh.push_back(e.path());
    }
    std::sort(fresh.begin(), fresh.end());
    for (const auto& p : fresh) {
        seen_.insert(p);
        std::string n = p.filename().string(), kind = kind_from_name;
        if (kind.empty()) {
            if (n.starts_with("crash-")) kind = "crash";
            else if (n.starts_with("timeout-")) kind = "hang";
            else if (n.starts_with("oom-")) kind = "oom";
            else if (n.starts_with("leak-")) kind = "leak";
            else continue;  // slow-unit-*, etc.
        }
        ++st_.engine_crashes;
        if (findings_.size() < max_findings_) process(p, kind);
    }
}

int Session::run_libfuzzer() {
    fs::path artifacts = work_ / "artifacts";
    fs::create_directories(artifacts);
    std::ofstream log(work_ / "engine.log", std::ios::app);
    while (!out_of_budget()) {
        int remaining = std::max(1, static_cast<int>(budget_ - elapsed()));
        std::vector<std::string> argv = {bin_.string(), corpus_.string(), "-max_len=" + std::to_string(kMaxLen), "-timeout=10",
                                         "-rss_limit_mb=2048", "-artifact_prefix=" + artifacts.string() + "/",
                                         "-max_total_time=" + std::to_string(remaining), "-print_final_stats=1"};
        if (!o_.seed.empty()) argv.push_back("-seed=" + o_.seed);
        if (jobs_ > 1)
            for (std::string f : {"-fork=" + std::to_string(jobs_), std::string("-ignore_crashes=1"), std::string("-ignore_timeouts=1"),
                                  std::string("-ignore_ooms=1")})
                argv.push_back(f);
        auto env = env_;
        std::string ignore;
        for (Rule r : rules_found_) ignore += (ignore.empty() ? "" : ",") + std::string(rule_id(r));
        if (!ignore.empty()) env.emplace_back("RESVCHECK_FUZZ_IGNORE", ignore);  // found rules count as passes now
        Proc pr = spawn(argv, env, work_);
        if (pr.pid < 0) return usage_error("cannot start " + bin_.string());
        bool exited = false;
        int wst = 0;
        while (!exited) {
            pollfd pf{pr.fd, POLLIN, 0};
            poll(&pf, 1, 250);
            pump(pr, log);
            status_line(false);
            if (waitpid(pr.pid, &wst, WNOHANG) == pr.pid) exited = true;
            if (jobs_ > 1) scan(artifacts, "");
            if (!exited && (elapsed() > budget_ + 15 || findings_.size() >= max_findings_ || raw_crashes_ >= kMaxRawCrashes)) {
                stop(pr);
                exited = true;
            }
        }
        pump(pr, log);
        close(pr.fd);
        size_t before = findings_.size() + raw_crashes_;
        scan(artifacts, "");
        bool crashed = findings_.size() + raw_crashes_ > before || (WIFEXITED(wst) && WEXITSTATUS(wst) != 0) || WIFSIGNALED(wst);
        if (!crashed) break;  // ran out its time
        if (WIFEXITED(wst) && WEXITSTATUS(wst) == 2 && st_.execs == 0) {
            fprintf(stderr, "\nresvcheck fuzz: %s failed to start; see %s\n", bin_.c_str(), (work_ / "engine.log").c_str());
            return kExitSetup;
        }
        // A crash ends a libFuzzer process (in -fork mode only the run's end does): go on with
        // the rest of the budget, the rules already found now counting as passes.
    }
    return -1;
}

int Session::run_afl() {
    fs::path out = work_ / "afl";
    std::error_code ec;
    fs::remove_all(out, ec);
    fs::path mut = build_ / "fuzz" / "libresvcheck-afl-mutator.so";
    std::vector<Proc> procs;
    std::ofstream log(work_ / "engine.log", std::ios::app);
    int secs = std::max(1, static_cast<int>(budget_));
    for (int j = 0; j < jobs_; ++j) {
        std::vector<std::string> argv = {"afl-fuzz", "-i", corpus_.string(), "-o", out.string(), "-V", std::to_string(secs), "-t", "10000",
                                         "-m", "none"};
        if (jobs_ > 1) {
            argv.push_back(j == 0 ? "-M" : "-S");
            argv.push_back(j == 0 ? "main" : "sec" + std::to_string(j));
        }
        if (!o_.seed.empty()) argv.insert(argv.end(), {"-s", o_.seed});
        argv.insert(argv.end(), {"--", bin_.string()});
        auto env = env_;
        env.insert(env.end(), {{"AFL_NO_UI", "1"}, {"AFL_SKIP_CPUFREQ", "1"}, {"AFL_NO_AFFINITY", "1"},
                               {"AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1"}, {"AFL_SKIP_CRASHES", "1"}, {"AFL_NO_WARN_INSTABILITY", "1"}});
        if (fs::exists(mut)) env.emplace_back("AFL_CUSTOM_MUTATOR_LIBRARY", mut.string());
        procs.push_back(spawn(argv, env, work_));
        if (procs.back().pid < 0) return usage_error("cannot start afl-fuzz");
    }
    size_t running = procs.size();
    while (running) {
        std::vector<pollfd> pf;
        for (auto& p : procs) pf.push_back(pollfd{p.fd, POLLIN, 0});
        poll(pf.data(), pf.size(), 500);
        running = 0;
        for (auto& p : procs) {
            if (p.pid < 0) continue;
            pump(p, log);
            int wst;
            if (waitpid(p.pid, &wst, WNOHANG) == p.pid) {
                p.pid = -1;
                if (WIFEXITED(wst) && WEXITSTATUS(wst) != 0 && st_.execs == 0) {
                    fprintf(stderr, "\nresvcheck fuzz: afl-fuzz failed (exit %d); see %s\n", WEXITSTATUS(wst), (work_ / "engine.log").c_str());
                    for (auto& q : procs) stop(q);
                    return kExitSetup;
                }
            } else {
                ++running;
            }
        }
        read_afl_stats();
        for (const auto& d : fs::directory_iterator(out, ec)) {
            scan(d.path() / "crashes", "crash");
            scan(d.path() / "hangs", "hang");
        }
        status_line(false);
        if (running && (out_of_budget() || elapsed() > budget_ + 30))
            for (auto& p : procs) stop(p);
    }
    for (auto& p : procs) close(p.fd);
    read_afl_stats();
    for (const auto& d : fs::directory_iterator(out, ec)) {
        scan(d.path() / "crashes", "crash");
        scan(d.path() / "hangs", "hang");
    }
    return -1;
}

int Session::run() {
    engine_ = o_.engine.empty() ? "libfuzzer" : o_.engine;
    adapter_ = o_.adapter;
    if (engine_ != "libfuzzer" && engine_ != "afl") return usage_error("--engine must be libfuzzer or afl, not '" + engine_ + "'");
    if (adapter_ != "sim" && adapter_ != "linux")
        return usage_error("no fuzz target for adapter '" + adapter_ + "'; fuzz targets: sim (fuzz-sim), linux (fuzz-linux)");
    try {
        if (!o_.time.empty()) budget_ = std::stod(o_.time);
        if (!o_.jobs.empty()) jobs_ = std::max(1, std::stoi(o_.jobs));
        if (!o_.max_findings.empty()) max_findings_ = std::stoul(o_.max_findings);
    } catch (...) {
        return usage_error("--time, --jobs and --max-findings need numbers");
    }
    auto root = find_root();
    if (!root) return usage_error("cannot find the resvcheck source tree (CMakePresets.json) above the binary or the working directory");
    root_ = *root;
    const bool lf = engine_ == "libfuzzer";
    std::string preset = lf ? "fuzz" : "afl";
    build_ = env_or("RESVCHECK_FUZZ_BUILD", "").empty() ? root_ / (lf ? "build-fuzz" : "build-afl") : fs::path(env_or("RESVCHECK_FUZZ_BUILD", ""));
    bin_ = build_ / "fuzz" / ("fuzz-" + adapter_);
    if (!fs::exists(bin_)) {
        std::string extra = adapter_ == "linux" ? " -DRESVCHECK_LINUX=ON" : "";
        return usage_error("no " + std::string(lf ? "libFuzzer" : "AFL++") + " build of fuzz-" + adapter_ + " at " + bin_.string() +
                           "; build it with:\n  cmake --preset " + preset + extra + " && cmake --build --preset " + preset);
    }
    if (!lf && system("command -v afl-fuzz >/dev/null 2>&1") != 0)
        return usage_error("afl-fuzz not found; install AFL++ (apt-get install afl++) or use --engine libfuzzer");
    seeds_ = o_.corpus.empty() ? root_ / "corpora" / "seeds" / adapter_ : fs::path(o_.corpus);
    if (o_.corpus.empty() && !fs::is_directory(seeds_)) seeds_ = root_ / "corpora" / "seeds" / "sim";  // linux shares the sim seeds
    if (!fs::is_directory(seeds_) || fs::is_empty(seeds_)) return usage_error("no seed corpus at " + seeds_.string());

    const std::string dir = o_.findings.empty() ? "resvcheck-findings" : o_.findings;
    std::string tag = engine_ + "-" + adapter_ + (o_.fault.empty() ? "" : "-" + o_.fault);
    std::error_code ec;
    fs::create_directories(dir, ec);
    work_ = fs::absolute(fs::path(dir) / ".fuzz" / tag);
    fs::remove_all(work_, ec);  // a fresh session: corpus copied anew from the seeds
    corpus_ = work_ / "corpus";
    fs::create_directories(corpus_);
    for (const auto& e : fs::directory_iterator(seeds_))
        if (e.is_regular_file()) fs::copy_file(e.path(), corpus_ / e.path().filename(), fs::copy_options::overwrite_existing, ec);

    env_ = {{"RESVCHECK_FINDINGS", fs::absolute(fs::path(dir) / "unshrunk").string()}};
    if (!o_.fault.empty()) env_.emplace_back("RESVCHECK_FAULT", o_.fault);
    if (!o_.profile.empty()) env_.emplace_back("RESVCHECK_PROFILE", o_.profile);
    if (!o_.kernel_src.empty()) env_.emplace_back("RESVCHECK_KERNEL_SRC", fs::absolute(o_.kernel_src).string());
    // A stray RESVCHECK_FUZZ_IGNORE in the environment would hide findings; the session sets its own.
    unsetenv("RESVCHECK_FUZZ_IGNORE");

    progress_ = o_.quiet.empty() && o_.json.empty() && isatty(2);
    if (o_.json.empty())
        fprintf(stderr, "resvcheck fuzz: %s, adapter %s%s, profile %s, %.0f s, %d job(s)\n  target %s\n  seeds %s -> %s\n", engine_.c_str(),
                adapter_.c_str(), o_.fault.empty() ? "" : (" --fault " + o_.fault).c_str(), std::string(s_.profile.name).c_str(), budget_,
                jobs_, bin_.c_str(), seeds_.c_str(), corpus_.c_str());
    t0_ = Clock::now();
    int rc = lf ? run_libfuzzer() : run_afl();
    if (rc >= 0) return rc;
    status_line(true);
    if (progress_) fprintf(stderr, "\n");
    double t = elapsed();
    if (!o_.json.empty()) {
        printf("{\"engine\":\"%s\",\"adapter\":\"%s\",\"fault\":\"%s\",\"seconds\":%.1f,\"execs\":%llu,\"execs_per_sec\":%.0f,"
               "\"corpus\":%llu,\"engine_crashes\":%zu,\"findings\":[",
               engine_.c_str(), adapter_.c_str(), o_.fault.c_str(), t, static_cast<unsigned long long>(st_.execs),
               st_.execs / std::max(t, 1.0), static_cast<unsigned long long>(st_.corpus), st_.engine_crashes);
        for (size_t i = 0; i < findings_.size(); ++i)
            printf("%s{\"rule\":\"%s\",\"kind\":\"%s\",\"ops\":%zu,\"seconds\":%.1f,\"trace\":\"%s\"}", i ? "," : "", findings_[i].rule.c_str(),
                   findings_[i].kind.c_str(), findings_[i].ops, findings_[i].seconds, findings_[i].path.c_str());
        printf("]}\n");
    } else {
        fprintf(stderr, "resvcheck fuzz: %.0f s, %llu execs (%.0f/s), corpus %llu, %zu finding(s); engine log %s\n", t,
                static_cast<unsigned long long>(st_.execs), st_.execs / std::max(t, 1.0), static_cast<unsigned long long>(st_.corpus),
                findings_.size(), (work_ / "engine.log").c_str());
    }
    return findings_.empty() ? kExitConforms : kExitViolation;
}

}  // namespace

int cmd_fuzz(const Options& o) {
    auto setup = make_setup(o);
    if (!setup) {
        if (o.adapter == "linux" && setup.error().message.find("unknown adapter") != std::string::npos)
            return usage_error("this resvcheck was built without the linux adapter; build both with -DRESVCHECK_LINUX=ON:\n"
                               "  cmake --preset fuzz -DRESVCHECK_LINUX=ON && cmake --build --preset fuzz\n"
                               "and run build-fuzz/resvcheck fuzz --adapter linux ...");
        return fail(setup.error());
    }
    Session session(o, *setup);
    return session.run();
}

}  // namespace resvcheck::cli
