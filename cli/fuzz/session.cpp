#include "session.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>

#include "conc_gen.h"
#include "finding_pipeline.h"
#include "findings.h"
#include "interrupt.h"
#include "properties.h"

namespace resvcheck::cli::fuzz {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxRawCrashes = 5;       // crashes that are not divergences before the session stops
constexpr int kReplayTimeoutSec = 120;  // replaying + shrinking one input
constexpr double kGraceSec = 30;        // an engine that overruns the budget by this much is stopped

std::string hash8(const std::string& s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    char b[17];
    snprintf(b, sizeof b, "%08llx", static_cast<unsigned long long>(h & 0xffffffffu));
    return b;
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

// A Finding across the pipe from the replaying child: length-prefixed fields.
void put(std::string& out, const std::string& s) { out += std::to_string(s.size()) + ":" + s; }
std::string get(std::string_view& in) {
    size_t colon = in.find(':');
    if (colon == std::string_view::npos) return {};
    size_t n = std::strtoull(std::string(in.substr(0, colon)).c_str(), nullptr, 10);
    std::string s(in.substr(colon + 1, n));
    in.remove_prefix(std::min(in.size(), colon + 1 + n));
    return s;
}
std::string encode(const Finding& f) {
    std::string o;
    for (const auto& s : {std::string(rule_id(*f.rule)), std::to_string(f.op_index), f.allowed, f.observed, f.trace, f.replay,
                          std::to_string(f.ops), std::to_string(f.ops_unshrunk), std::to_string(f.shrink_tries), std::to_string(f.seconds), f.note})
        put(o, s);
    return o;
}
Finding decode(std::string_view in) {
    Finding f;
    f.rule = rule_by_id(get(in));
    f.op_index = std::stoull("0" + get(in));
    f.allowed = get(in);
    f.observed = get(in);
    f.trace = get(in);
    f.replay = get(in);
    f.ops = std::stoull("0" + get(in));
    f.ops_unshrunk = std::stoull("0" + get(in));
    f.shrink_tries = std::stoull("0" + get(in));
    f.seconds = std::strtod(get(in).c_str(), nullptr);
    f.note = get(in);
    return f;
}

class Session {
public:
    Session(Engine& e, Setup& s, const SessionConfig& c)
        : engine_(e), s_(s), cfg_(c),
          pipeline_({.dir = c.findings_dir, .adapter = c.adapter, .adapter_flags = s.adapter_flags,
                     .origin = "fuzz (" + std::string(e.name()) + ")", .stop = interrupted},
                    s.profile) {}
    int run();

private:
    double elapsed() const { return pipeline_.elapsed(); }
    bool out_of_budget() const {
        return elapsed() >= cfg_.budget || rep_.findings.size() >= cfg_.max_findings || raw_crashes_ >= kMaxRawCrashes || interrupted();
    }
    Env target_env() const;
    void status_line(bool force);
    void sample(bool force);
    void take_artifacts();
    void process(const Artifact& a);
    void keep_raw(const Artifact& a, const std::string& bytes, const std::vector<Record>& recs, const MoveWeights& w, const std::string& why);

    Engine& engine_;
    Setup& s_;
    const SessionConfig& cfg_;
    FindingPipeline pipeline_;
    Report rep_;
    std::set<Rule> rules_found_;
    int raw_crashes_ = 0;
    size_t crashes_seen_ = 0;  // inputs the engine recorded
    Clock::time_point last_print_;
    std::vector<FuzzSample> samples_;
};

Env Session::target_env() const {
    Env env = cfg_.env;
    std::string ignore;
    for (Rule r : rules_found_) ignore += (ignore.empty() ? "" : ",") + std::string(rule_id(r));
    if (!ignore.empty()) env.emplace_back("RESVCHECK_FUZZ_IGNORE", ignore);  // found rules count as passes now
    return env;
}

void Session::status_line(bool force) {
    if (!cfg_.progress) return;
    auto now = Clock::now();
    if (!force && now - last_print_ < std::chrono::milliseconds(250)) return;
    last_print_ = now;
    const auto& st = engine_.stats();
    fprintf(stderr, "\r  %5.0f/%.0fs  %.*s  execs %-10llu %6.0f/s  corpus %-6llu cov %-8s findings %zu ", elapsed(), cfg_.budget,
            static_cast<int>(engine_.name().size()), engine_.name().data(), static_cast<unsigned long long>(st.execs), st.execs_per_sec,
            static_cast<unsigned long long>(st.corpus), st.coverage.c_str(), rep_.findings.size());
    fflush(stderr);
}

// About 200 points over the budget (at most one a second) for the report's plot.
void Session::sample(bool force) {
    const double t = elapsed(), step = std::max(1.0, cfg_.budget / 200);
    if (!force && !samples_.empty() && t - samples_.back().seconds < step) return;
    const auto& st = engine_.stats();
    samples_.push_back({t, st.execs, st.corpus, std::strtod(st.coverage.c_str(), nullptr), rep_.findings.size()});
}

void Session::take_artifacts() {
    for (const auto& a : engine_.take_artifacts()) {
        ++crashes_seen_;
        if (rep_.findings.size() < cfg_.max_findings) process(a);
    }
}

// Replays one engine input the way the target decoded it, in a child that runs the pipeline.
void Session::process(const Artifact& a) {
    std::string bytes = [&] {
        std::ifstream f(a.path, std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(f)), {});
    }();
    std::vector<Record> recs = to_records(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    const MoveWeights& w = fuzz_weights();  // as the target decoded it

    int p[2];
    if (pipe(p) != 0) return;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        alarm(kReplayTimeoutSec);
        Model m(s_.profile);
        RecordSource src(recs, w, s_.adapter.get());
        RunResult r = cfg_.threads > 1 ? resvcheck::run(concurrent_case_of_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), cfg_.threads),
                                                        m, *s_.adapter)
                                       : resvcheck::run(src, m, *s_.adapter);
        std::string reply;
        if (r.verdict != Verdict::Violation) reply = "N" + std::string(verdict_name(r.verdict));
        else if (rules_found_.count(r.divergence->rule)) reply = "D";
        else reply = "V" + encode(pipeline_.handle(r.executed, *r.divergence, *s_.adapter, a.kind + " " + a.path.filename().string()));
        for (size_t done = 0; done < reply.size();) {
            ssize_t n = write(p[1], reply.data() + done, reply.size() - done);
            if (n <= 0) break;
            done += static_cast<size_t>(n);
        }
        _exit(0);
    }
    close(p[1]);
    std::string reply;
    char b[4096];
    for (ssize_t n; (n = read(p[0], b, sizeof b)) > 0;) reply.append(b, static_cast<size_t>(n));
    close(p[0]);
    int wst = 0;
    waitpid(pid, &wst, 0);

    if (cfg_.progress) fputc('\n', stderr);
    if (reply.starts_with("D")) return;  // a rule already reported in this session
    if (reply.starts_with("V")) {
        Finding f = decode(std::string_view(reply).substr(1));
        if (!f.rule) return;
        f.kind = a.kind;
        rules_found_.insert(*f.rule);
        if (cfg_.format != "json") {
            std::string rule(rule_id(*f.rule)), name = rule;
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            fprintf(stderr,
                    "finding %zu after %.1f s: %s violated (%.*s %s; shrunk %zu -> %zu ops)\n  observed: %s\n  wrote %s\n  replay:  %s\n"
                    "  add it as a regression test:  cp %s %s/fuzz-%s-%s.trace\n",
                    rep_.findings.size() + 1, f.seconds, rule.c_str(), static_cast<int>(engine_.name().size()), engine_.name().data(),
                    a.kind.c_str(), f.ops_unshrunk, f.ops, f.observed.c_str(), f.trace.empty() ? "(not written)" : f.trace.c_str(),
                    f.replay.c_str(), f.trace.c_str(), regression_dir(*f.rule, s_.profile).c_str(), name.c_str(), hash8(bytes).c_str());
        }
        rep_.findings.push_back(std::move(f));
        return;
    }
    // Not a divergence here: an adapter crash, a sanitizer report or a hang in the engine's build,
    // or the replay itself crashed or hung.
    keep_raw(a, bytes, recs, w,
             WIFSIGNALED(wst)          ? std::string("replay died with signal ") + strsignal(WTERMSIG(wst))
             : reply.starts_with("N") ? "replays as '" + reply.substr(1) + "' outside the engine"
                                      : "replay gave no answer");
}

// Keeps the raw input and the ops it decodes to, and reports it as a finding without a rule.
void Session::keep_raw(const Artifact& a, const std::string& bytes, const std::vector<Record>& recs, const MoveWeights& w,
                       const std::string& why) {
    std::string adapter_tag = cfg_.adapter.starts_with("plugin:") ? "plugin" : cfg_.adapter;
    std::string base = cfg_.findings_dir + "/" + a.kind + "-" + adapter_tag + "-" + hash8(bytes);
    Trace t = cfg_.threads > 1 ? concurrent_case_of_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), cfg_.threads)
                               : decode_records(recs, w, s_.profile);
    t.header.push_back(" " + a.kind + " of " + cfg_.bin.filename().string() + " (" + std::string(engine_.name()) + "): " + why);
    t.header.push_back(" raw input: " + base + ".bin; engine log: " + engine_.log_path().string());
    Finding f;
    f.kind = a.kind;
    f.observed = why;
    f.ops = t.steps.size();
    f.seconds = elapsed();
    f.trace = base + ".bin";
    Status written = write_atomic(base + ".bin", bytes);
    if (written) written = write_atomic(base + ".trace", print_trace(t));
    const std::string err = written ? "" : written.error().text();
    std::string envs;
    for (const auto& [k, v] : cfg_.env)
        if (k != "RESVCHECK_FINDINGS") envs += k + "=" + v + " ";
    f.replay = envs + cfg_.bin.string() + " " + base + ".bin";
    f.note = err.empty() ? "decoded ops: " + base + ".trace (" +
                               replay_command(base + ".trace", FindingInfo{{}, cfg_.adapter, s_.adapter_flags, std::string(s_.profile.name), ""}) +
                               ")"
                         : err;
    if (!err.empty()) printf("resvcheck: %s; the input's ops in full:\n%s\n", err.c_str(), print_trace(t).c_str());
    ++raw_crashes_;
    if (cfg_.format != "json")
        fprintf(stderr, "finding %zu after %.1f s: %s of the adapter, not a divergence (%s)\n  raw input %s\n  reproduce: %s\n  %s\n",
                rep_.findings.size() + 1, f.seconds, a.kind.c_str(), why.c_str(), f.trace.c_str(), f.replay.c_str(), f.note.c_str());
    rep_.findings.push_back(std::move(f));
}

int Session::run() {
    if (auto err = engine_.start(std::max(1, static_cast<int>(cfg_.budget)), target_env()); !err.empty()) return usage_error(err);
    for (;;) {
        Engine::State st = engine_.poll(250);
        take_artifacts();
        sample(false);
        status_line(false);
        if (st == Engine::State::FailedToStart) {
            if (cfg_.progress) fputc('\n', stderr);
            return usage_error(cfg_.bin.string() + " failed to start; see " + engine_.log_path().string());
        }
        if (st == Engine::State::Finished) break;
        if (st == Engine::State::Crashed) {
            // libFuzzer stops at a crash (in -fork mode only the run's end does): go on with the
            // rest of the budget, the rules already found now counting as passes.
            if (out_of_budget()) break;
            if (auto err = engine_.start(std::max(1, static_cast<int>(cfg_.budget - elapsed())), target_env()); !err.empty())
                return usage_error(err);
            continue;
        }
        if (out_of_budget() || elapsed() > cfg_.budget + kGraceSec) {
            engine_.stop();
            take_artifacts();
            break;
        }
    }
    status_line(true);
    sample(true);
    if (cfg_.progress) fputc('\n', stderr);
    rep_.command = "fuzz";
    rep_.adapter = cfg_.adapter;
    rep_.adapter_flags = s_.adapter_flags;
    rep_.profile = std::string(s_.profile.name);
    rep_.seconds = elapsed();
    rep_.engine = engine_.stats();
    rep_.engine->name = std::string(engine_.name());
    rep_.engine->crashes = crashes_seen_;
    rep_.engine->samples = std::move(samples_);
    rep_.notes.push_back("engine log: " + engine_.log_path().string());
    if (interrupted())
        rep_.notes.push_back(std::string("interrupted by ") + interrupt_name() + " after " + std::to_string(static_cast<int>(rep_.seconds)) +
                             " s: this is the report so far");
    fputs(render(rep_, cfg_.format).c_str(), stdout);
    return rep_.exit_code();
}

}  // namespace

int run_session(Engine& engine, Setup& setup, const SessionConfig& cfg) {
    catch_interrupts();
    Session s(engine, setup, cfg);
    return s.run();
}

}  // namespace resvcheck::cli::fuzz
