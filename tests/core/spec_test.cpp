// The spec and the model stay in step: every rule is checked by the model (a rule nobody checks
// is a promise the suite does not keep), IDs are unique and well formed.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <regex>
#include <set>
#include <string>

#include "conc_gen.h"
#include "decoder.h"
#include "model.h"
#include "plugin_adapter.h"
#include "runner.h"
#include "sim.h"
#include "text_format.h"

using namespace resvcheck;

namespace {

constexpr int kGeneratedTraces = 300;  // per weight set and profile
constexpr int kRecordsPerTrace = 100;

// Steps a trace through the model: a pinned step is judged against its pin (whatever the verdict:
// only what was checked counts here), an unpinned one performed. Stops at the first step the
// profile does not have or whose preconditions fail.
void run_trace(Model& m, const Trace& t) {
    m.reset();
    for (size_t i = 0; i < t.steps.size(); ++i) {
        const auto& st = t.steps[i];
        if (!m.has_op(st.op) || m.precondition(st.op, st.misuse) || m.ended()) return;
        if (st.pin) m.step(st.op, *st.pin, i);
        else m.perform(st.op);
    }
}

// The regression corpus (each profile-P/ folder only under P) and generated traces from a fixed
// seed, with every weight set of the decoder.
void exercise_profile(Model& m) {
    const std::string prefix = "profile-" + std::string(m.profile().name) + "/";
    for (const auto& e : std::filesystem::recursive_directory_iterator(RESVCHECK_SOURCE_DIR "/corpora/regressions")) {
        if (e.path().extension() != ".trace") continue;
        auto rel = std::filesystem::relative(e.path(), RESVCHECK_SOURCE_DIR "/corpora/regressions").generic_string();
        if (rel.starts_with("profile-") && !rel.starts_with(prefix)) continue;
        auto t = load_trace(e.path().string());
        ASSERT_TRUE(t) << rel;
        run_trace(m, *t);
    }
    std::mt19937 rng(1);
    for (const char* weights : {"all", "fence", "lock", "resv.add", "iter", "containers", "locking", "drm_exec", "misuse"}) {
        for (int n = 0; n < kGeneratedTraces; ++n) {
            OpDecoder dec(weights_for(weights));
            m.reset();
            for (int k = 0; k < kRecordsPerTrace; ++k) {
                Record rec;
                for (auto& b : rec) b = static_cast<uint8_t>(rng());
                auto op = dec.decode(rec.data(), m.view());
                if (op && m.has_op(*op) && !m.precondition(*op, dec.misuse())) m.perform(*op);
                if (m.ended()) break;  // after a predicted BUG or a container added
            }
        }
    }
    // What only threads and time show (one timeout shared by a wait's fences): concurrent cases on
    // the sim, judged by linearizability.
    auto sim = make_plugin_adapter(sim::plugin(), "", nullptr, "sim", sim::threads_plugin());
    ASSERT_TRUE(static_cast<bool>(sim));
    for (uint64_t i = 0; i < 200; ++i) run(generate_concurrent_case(1, i, 2), m, **sim, RunOptions{.record = false});
}

}  // namespace

TEST(Spec, AtLeastEightyRules) { EXPECT_GE(all_rules().size(), 80u); }

TEST(Spec, IdsAreUniqueAndWellFormed) {
    std::set<std::string_view> ids;
    const std::regex shape("[A-Z][A-Z0-9]*(-[A-Z0-9]+)+");
    for (const auto& r : all_rules()) {
        EXPECT_TRUE(ids.insert(r.id).second) << "duplicate rule ID " << r.id;
        EXPECT_TRUE(std::regex_match(std::string(r.id), shape)) << r.id;
        EXPECT_FALSE(r.area.empty()) << r.id;
        EXPECT_FALSE(r.function.empty()) << r.id;
        EXPECT_GT(r.statement.size(), 20u) << r.id;
        EXPECT_EQ(rule_by_id(r.id), r.rule);
    }
}

// A check that names no rule cannot compile (checks take a Rule); this is the other direction:
// every rule is checked by some observation under a profile it applies to.
TEST(Spec, EveryRuleIsExercisedByTheModel) {
    std::vector<bool> exercised(all_rules().size(), false);
    for (const auto& p : all_profiles()) {
        Model m(p);
        exercise_profile(m);
        for (const auto& r : all_rules())
            if (rule_applies(r, p) && m.exercised()[static_cast<size_t>(r.rule)] > 0) exercised[static_cast<size_t>(r.rule)] = true;
    }
    for (const auto& r : all_rules())
        EXPECT_TRUE(exercised[static_cast<size_t>(r.rule)]) << "rule " << r.id << " is never checked: no corpus or generated trace exercises it";
}

TEST(Spec, EveryRuleAppliesToSomeProfile) {
    for (const auto& r : all_rules()) {
        bool any = false;
        for (const auto& p : all_profiles()) any |= rule_applies(r, p);
        EXPECT_TRUE(any) << r.id;
    }
}
