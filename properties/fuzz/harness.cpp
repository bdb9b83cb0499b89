#include "harness.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>

#include "findings.h"
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
    std::string adapter_name;
    std::unique_ptr<Adapter> adapter;
    std::optional<Profile> profile;
    std::optional<Model> model;
    std::set<Rule> ignore;
    std::string fault;
};

Target& target(const char* name) {
    static Target* t = nullptr;
    if (t) return *t;
    t = new Target;  // lives for the process: engines exit without running destructors
    t->adapter_name = name;
    AdapterOptions ao;
    ao.fault = env("RESVCHECK_FAULT");
    t->fault = ao.fault;
    ao.kernel_src = env("RESVCHECK_KERNEL_SRC", env("KERNEL_SRC").c_str());
    if (t->adapter_name != "linux") ao.kernel_src.clear();
    auto made = make_adapter(name, ao);
    if (!made) {
        fprintf(stderr, "resvcheck fuzz target: cannot make adapter %s: %s\n", name, made.error().text().c_str());
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
    std::stringstream ss(env("RESVCHECK_FUZZ_IGNORE"));
    for (std::string id; std::getline(ss, id, ',');)
        if (auto r = rule_by_id(id)) t->ignore.insert(*r);
        else if (!id.empty()) fprintf(stderr, "resvcheck fuzz target: RESVCHECK_FUZZ_IGNORE: unknown rule '%s'\n", id.c_str());
    return *t;
}

}  // namespace

const MoveWeights& fuzz_weights() {
    static const MoveWeights& w = weights_for(env("RESVCHECK_WEIGHTS", "all"));
    return w;
}

std::vector<Record> to_records(const uint8_t* data, size_t size) {
    size_t n = std::min(size / kRecordSize, kMaxRecords);
    std::vector<Record> recs(n);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < kRecordSize; ++j) recs[i][j] = data[i * kRecordSize + j];
    return recs;
}

int run_records(const char* adapter, const uint8_t* data, size_t size) {
    Target& t = target(adapter);
    std::vector<Record> recs = to_records(data, size);
    RecordSource src(recs, fuzz_weights(), t.adapter.get());
    RunResult r = run(src, *t.model, *t.adapter, RunOptions{.record = false});  // run() resets model and adapter
    if (r.verdict != Verdict::Violation || t.ignore.count(r.divergence->rule)) return 0;
    // A finding: record the executed ops (same input, same ops), write them, then crash.
    RecordSource again(recs, fuzz_weights(), t.adapter.get());
    RunResult full = run(again, *t.model, *t.adapter);
    const Divergence& d = full.divergence ? *full.divergence : *r.divergence;
    FindingInfo info{d, t.adapter_name, t.fault.empty() ? "" : "--fault " + t.fault, std::string(t.profile->name),
                     "fuzz (fuzz-" + t.adapter_name + ", unshrunk)"};
    auto w = write_finding(env("RESVCHECK_FINDINGS", "resvcheck-findings"), full.executed, info);
    fprintf(stderr, "\nresvcheck: %s violated at op %zu: allowed %s, got %s\nresvcheck: finding %s\n",
            std::string(rule_id(d.rule)).c_str(), d.op_index, d.allowed.c_str(), d.observed.c_str(),
            w.path.empty() ? ("not written: " + w.error).c_str() : w.path.c_str());
    fflush(stderr);
    std::abort();
}

}  // namespace resvcheck::fuzz
