#include "supervised_cases.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <new>

namespace resvcheck::cli {
namespace {

// The child's side of the shared memory beyond Progress: written by the child only, except `stop`.
struct Shared {
    std::atomic<bool> stop{false};   // the parent says the run is over
    std::atomic<bool> ready{false};  // the child has its adapter
    std::atomic<uint64_t> batch{0}, property{0}, traces{0}, ops{0};
    std::atomic<uint64_t> exercised[kRuleCount]{};
    // A failing case, written before the child returns (the parent reads it after reaping the child).
    uint64_t failed_case = 0;
    size_t n_records = 0;
    Record records[kDefaultMaxSize];
};

constexpr int kCaseFailed = 1;
constexpr auto kRelaxed = std::memory_order_relaxed;

// Publishes every op before it runs: the op index the parent reports, and the watchdog's heartbeat.
class Heartbeat final : public Adapter {
public:
    Heartbeat(Adapter& a, Progress& p) : a_(a), p_(p) {}
    std::string_view name() const override { return a_.name(); }
    std::string_view default_profile() const override { return a_.default_profile(); }
    bool supports(const Op& op) const override { return a_.supports(op); }
    void reset() override {
        next_ = 0;
        p_.beat();
        a_.reset();
    }
    void apply(const Op& op, Observation& out) override {
        p_.begin_op(next_++);
        a_.apply(op, out);
    }

private:
    Adapter& a_;
    Progress& p_;
    uint64_t next_ = 0;
};

int child(const SupervisedCases& sc, Progress& p, Shared& sh, CasePosition from, const std::set<Rule>& ignore,
          const std::function<bool()>& over) {
    auto made = make_adapter(sc.adapter, sc.options);
    if (!made) {
        fprintf(stderr, "%s\n", made.error().text().c_str());  // the parent finds it in the stderr tail
        return 0;
    }
    Heartbeat a(**made, p);
    Model model(sc.profile);
    sh.ready.store(true, kRelaxed);
    CaseHooks hooks;
    hooks.ignore = &ignore;
    hooks.stop = [&] { return sh.stop.load(kRelaxed) || over(); };
    hooks.on_start = [&](uint64_t c) { p.begin_case(c); };
    hooks.on_case = [&](size_t ops) {
        sh.traces.store(sh.traces.load(kRelaxed) + 1, kRelaxed);
        sh.ops.store(sh.ops.load(kRelaxed) + ops, kRelaxed);
    };
    for (CasePosition at = from; !hooks.stop(); at = next_position(at)) {
        sh.batch.store(at.batch, kRelaxed);
        sh.property.store(at.property, kRelaxed);
        CasesRun cr = run_cases(a, model, at.property, sc.seed, at.batch * kCasesPerBatch, kCasesPerBatch, hooks);
        for (size_t r = 0; r < kRuleCount; ++r) sh.exercised[r].store(model.exercised()[r], kRelaxed);
        if (cr.failure) {
            sh.failed_case = cr.failure->case_index;
            sh.n_records = std::min(cr.failure->records.size(), std::size(sh.records));
            std::copy_n(cr.failure->records.begin(), sh.n_records, sh.records);
            return kCaseFailed;
        }
    }
    return 0;
}

void snapshot(const Shared& sh, ChildRun& r) {
    r.at = {sh.batch.load(kRelaxed), static_cast<size_t>(sh.property.load(kRelaxed))};
    r.traces = sh.traces.load(kRelaxed);
    r.ops = sh.ops.load(kRelaxed);
    for (size_t i = 0; i < kRuleCount; ++i) r.exercised[i] = sh.exercised[i].load(kRelaxed);
}

}  // namespace

CasePosition next_position(CasePosition at) {
    return at.property + 1 < all_properties().size() ? CasePosition{at.batch, at.property + 1} : CasePosition{at.batch + 1, 0};
}

ChildRun SupervisedCases::run(CasePosition from, const std::set<Rule>& ignore, const std::function<bool()>& over,
                              const std::function<void(const ChildRun&)>& tick) const {
    ChildRun out;
    out.at = from;
    out.exercised.resize(kRuleCount);
    void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        out.end = ChildRun::End::StartFailed;
        out.supervised.reason = "cannot map memory to share with the child";
        return out;
    }
    auto* sh = new (mem) Shared;
    out.supervised = supervise([&](Progress& p) { return child(*this, p, *sh, from, ignore, over); }, limits,
                               [&](const Progress&) {
                                   if (over()) sh->stop.store(true, kRelaxed);
                                   snapshot(*sh, out);
                                   if (tick) tick(out);
                               });
    snapshot(*sh, out);
    const SuperviseResult& sr = out.supervised;
    out.case_index = sr.case_index;
    out.op_index = sr.op_index;
    if (!sh->ready.load(kRelaxed)) {
        out.end = ChildRun::End::StartFailed;
    } else if (sr.outcome != SuperviseResult::Outcome::Finished) {
        out.end = ChildRun::End::Died;
    } else if (sr.exit_code == kCaseFailed) {
        out.end = ChildRun::End::Failed;
        out.case_index = sh->failed_case;
        out.records.assign(sh->records, sh->records + sh->n_records);
    }
    sh->~Shared();
    munmap(mem, sizeof(Shared));
    return out;
}

}  // namespace resvcheck::cli
