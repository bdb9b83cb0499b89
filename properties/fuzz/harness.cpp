#include "harness.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>

#include "conc_gen.h"
#include "finding_pipeline.h"
#include "properties.h"
#include "registry.h"
#include "runner.h"

namespace resvcheck::fuzz {
namespace {

std::string env(const char* name, const char* dflt = "") {
    const char* v = std::getenv(name);
    return v && *v ? v : dflt;
}

struct Target {
    std::string adapter_name;  // as the registry spells it: sim, linux, model, plugin:PATH[,OPTIONS]
    std::unique_ptr<Adapter> adapter;
    std::optional<Profile> profile;
    std::optional<Model> model;
    std::set<Rule> ignore;
    std::string adapter_flags;  // for replay commands
    unsigned threads = 1;       // RESVCHECK_THREADS: > 1, inputs are concurrent cases
};

Target& target(const char* dflt) {
    static Target* t = nullptr;
    if (t) return *t;
    t = new Target;  // lives for the process: engines exit without running destructors
    t->adapter_name = env("RESVCHECK_ADAPTER", dflt);
    AdapterOptions ao;
    ao.fault = env("RESVCHECK_FAULT");
    ao.kernel_src = env("RESVCHECK_KERNEL_SRC", env("KERNEL_SRC").c_str());
    if (t->adapter_name != "linux") ao.kernel_src.clear();
    if (!ao.fault.empty()) t->adapter_flags = "--fault " + ao.fault;
    if (!ao.kernel_src.empty()) t->adapter_flags += (t->adapter_flags.empty() ? "" : " ") + std::string("--kernel-src ") + ao.kernel_src;
    auto made = make_adapter(t->adapter_name, ao);
    if (!made) {
        fprintf(stderr, "resvcheck fuzz target: cannot make adapter %s (RESVCHECK_ADAPTER): %s\n", t->adapter_name.c_str(), made.error().text().c_str());
        std::exit(2);
    }
    t->adapter = std::move(*made);
    std::string prof = env("RESVCHECK_PROFILE", std::string(t->adapter->default_profile()).c_str());
    t->profile = profile_by_name(prof);
    if (!t->profile) {
        fprintf(stderr, "resvcheck fuzz target: unknown profile '%s' (RESVCHECK_PROFILE)\n", prof.c_str());
        std::exit(2);
    }
    t->model.emplace(*t->profile);
    t->threads = static_cast<unsigned>(std::strtoul(env("RESVCHECK_THREADS", "1").c_str(), nullptr, 10));
    if (t->threads < 1 || t->threads > kMaxThreads) {
        fprintf(stderr, "resvcheck fuzz target: RESVCHECK_THREADS must be 1..8\n");
        std::exit(2);
    }
    std::stringstream ss(env("RESVCHECK_FUZZ_IGNORE"));
    for (std::string id; std::getline(ss, id, ',');)
        if (auto r = rule_by_id(id)) t->ignore.insert(*r);
        else if (!id.empty()) fprintf(stderr, "resvcheck fuzz target: RESVCHECK_FUZZ_IGNORE: unknown rule '%s'\n", id.c_str());
    return *t;
}

}  // namespace

int run_records(const char* default_adapter, const uint8_t* data, size_t size) {
    Target& t = target(default_adapter);
    std::vector<Record> recs = to_records(data, size);
    // Concurrent: the input is a case and its schedule; sequential: records the decoder turns into ops.
    auto run_input = [&](bool record) {
        if (t.threads > 1) return run(concurrent_case_of_bytes(data, size, t.threads), *t.model, *t.adapter, RunOptions{.record = record});
        RecordSource src(recs, fuzz_weights(), t.adapter.get());
        return run(src, *t.model, *t.adapter, RunOptions{.record = record});  // run() resets model and adapter
    };
    RunResult r = run_input(false);
    if (r.verdict != Verdict::Violation || t.ignore.count(r.divergence->rule)) return 0;
    // A finding: record the executed ops (same input, same ops), then the one finding pipeline.
    RunResult full = run_input(true);
    if (!full.divergence) {  // nothing to write that would replay: say so, and still let the engine keep the input
        fprintf(stderr, "\nresvcheck: %s violated at op %zu, but not when the input ran again (%s): nondeterministic adapter\n",
                std::string(rule_id(r.divergence->rule)).c_str(), r.divergence->op_index, std::string(verdict_name(full.verdict)).c_str());
        std::abort();
    }
    // Shrinking must end well inside the engine's per-input timeout (resvcheck fuzz: -timeout=10).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    FindingPipeline fp({.dir = env("RESVCHECK_FINDINGS", "resvcheck-findings"), .adapter = t.adapter_name, .adapter_flags = t.adapter_flags,
                        .origin = "fuzz-" + t.adapter_name, .stop = [deadline] { return std::chrono::steady_clock::now() > deadline; }},
                       *t.profile);
    Finding f = fp.handle(full.executed, *full.divergence, *t.adapter, "");
    fprintf(stderr, "\nresvcheck: %s violated at op %zu: allowed %s, got %s\nresvcheck: finding %s (%zu ops, %zu before shrinking)\n",
            std::string(rule_id(*f.rule)).c_str(), f.op_index, f.allowed.c_str(), f.observed.c_str(),
            f.trace.empty() ? ("not written: " + f.note).c_str() : f.trace.c_str(), f.ops, f.ops_unshrunk);
    fflush(stderr);
    std::abort();
}

}  // namespace resvcheck::fuzz
