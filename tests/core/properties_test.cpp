// The RapidCheck properties under ctest: model vs model (contract, linux-6.12) and model vs sim.
// Each property must pass and must exercise the rules it claims to (where the profile has them).
#include <gtest/gtest.h>

#include <cstdio>

#include "model_adapter.h"
#include "case_gen.h"
#include "properties.h"
#include "sim.h"
#include "plugin_adapter.h"

using namespace resvcheck;

namespace {

std::unique_ptr<Adapter> make(const std::string& name, const Profile& p) {
    if (name == "model") return std::make_unique<ModelAdapter>(p);
    auto r = make_plugin_adapter(sim::plugin(), "", nullptr, "sim");
    return std::move(*r);
}

struct Config {
    std::string adapter;
    std::string profile;
};

class Properties : public ::testing::TestWithParam<Config> {};

}  // namespace

TEST_P(Properties, HoldAndExerciseTheirRules) {
    const auto& c = GetParam();
    auto profile = *profile_by_name(c.profile);
    auto adapter = make(c.adapter, profile);
    for (const auto& p : all_properties()) {
        Model model(profile);
        PropertyParams pp;
        pp.seed = 20261122;
        pp.cases = 300;
        PropertyRun r = check_property(p, model, *adapter, pp);
        ASSERT_FALSE(r.failure) << p.name << ": " << r.message << "\n" << print_trace(r.failure->executed);
        ASSERT_TRUE(r.message.empty()) << p.name << ": " << r.message;
        for (Rule rule : p.rules) {
            if (!rule_applies(rule_info(rule), profile)) continue;
            EXPECT_GT(model.exercised()[static_cast<size_t>(rule)], 0u)
                << "property " << p.name << " claims " << rule_id(rule) << " but never exercised it (" << c.adapter << ", " << c.profile << ")";
        }
    }
}

// The sim follows linux-6.12, which breaks the contract in one corner (RESV-ITER-NO-LIST-KEEPS-FENCE),
// so it is held to its own profile here.
INSTANTIATE_TEST_SUITE_P(Adapters, Properties,
                         ::testing::Values(Config{"model", "contract"}, Config{"model", "linux-6.12"}, Config{"model", "linux-6.12-debug"},
                                           Config{"model", "linux-6.1"}, Config{"sim", "linux-6.12"}),
                         [](const auto& info) {
                             std::string n = info.param.adapter + "_" + info.param.profile;
                             for (auto& ch : n)
                                 if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             return n;
                         });

// The containers property reaches the deep cases, in the cases `check` runs (case_gen.h): a chain
// of 10+ links, and a merge or unwrap of a chain whose links hold arrays. Prints how often.
TEST(ContainerCases, ReachDeepCases) {
    const auto props = all_properties();
    size_t prop = 0;
    while (props[prop].name != "containers") ++prop;
    const auto profile = *profile_by_name("contract");
    const uint64_t n = 2 * kSizeCycle * 25;
    uint64_t long_chain = 0, nested_merge = 0;
    size_t longest = 0;
    std::vector<Record> recs;
    for (uint64_t c = 0; c < n; ++c) {
        generate_case(1, prop, c, recs);
        Trace t = decode_records(recs, weights_for(props[prop].weights), profile);
        std::vector<size_t> len;         // per fence handle: chain length (0: not a chain)
        std::vector<char> holds_array;   // per fence handle: a chain some link of which contains an array, or an array
        auto at = [](auto& v, uint32_t i) -> auto& {
            if (v.size() <= i) v.resize(i + 1);
            return v[i];
        };
        bool has_long = false, has_nested = false;
        for (const auto& st : t.steps) {
            if (const auto* ci = std::get_if<FenceChainInit>(&st.op)) {
                size_t l = 1 + (ci->prev.h ? at(len, ci->prev.h->id) : 0);
                at(len, ci->f.id) = l;
                at(holds_array, ci->f.id) = at(holds_array, ci->fence.id) || (ci->prev.h && at(holds_array, ci->prev.h->id));
                longest = std::max(longest, l);
                has_long |= l >= 10;
            } else if (const auto* ac = std::get_if<FenceArrayCreate>(&st.op)) {
                at(holds_array, ac->f.id) = 1;
            } else if (const auto* m = std::get_if<FenceUnwrapMerge>(&st.op)) {
                for (const auto& h : {OptFenceH{m->m0}, m->m1, m->m2, m->m3})
                    if (h.h && at(len, h.h->id) >= 2 && at(holds_array, h.h->id)) has_nested = true;
            }
        }
        long_chain += has_long;
        nested_merge += has_nested;
    }
    std::printf("containers cases: %llu; with a chain of 10+ links: %.1f%%; merging a chain of arrays: %.1f%%; longest chain %zu\n",
                static_cast<unsigned long long>(n), 100.0 * long_chain / n, 100.0 * nested_merge / n, longest);
    EXPECT_GE(long_chain * 10, n);   // at least 10% of the cases
    EXPECT_GE(nested_merge * 20, n); // at least 5%
}

namespace {
// The model as an implementation that cannot have the ops of `features` (Adapter::unavailable).
class Without final : public Adapter {
public:
    Without(const Profile& p, uint32_t features) : a_(p), features_(features) {}
    std::string_view name() const override { return "model-without"; }
    std::string_view default_profile() const override { return a_.default_profile(); }
    void reset() override { a_.reset(); }
    bool supports(const Op& op) const override { return op_provided(op, ~features_); }
    void apply(const Op& op, Observation& out) override { a_.apply(op, out); }

private:
    ModelAdapter a_;
    uint32_t features_;
};
}  // namespace

// What an adapter's unavailable feature makes n/a (rule_applies) is what nothing else shows:
// without the ops of fail_alloc or drm_exec, no property exercises those rules, and with them
// some do. (The lock-order rules are judged on other ops too, but only a lock-dependency
// recorder can report against them: RC_FEATURE_LOCKDEP is the recorder and its ops.)
TEST(Properties, RulesOnlyAnUnavailableFeatureShowsAreNotApplicable) {
    const auto profile = *profile_by_name("linux-6.12");
    for (uint32_t feature : {RC_FEATURE_FAIL_ALLOC, RC_FEATURE_DRM_EXEC}) {
        std::vector<uint64_t> with(kRuleCount), without(kRuleCount);
        for (bool lacking : {false, true}) {
            Without adapter(profile, lacking ? feature : 0);
            for (const auto& p : all_properties()) {
                Model model(profile);
                PropertyParams pp;
                pp.seed = 20261122;
                pp.cases = 200;
                PropertyRun r = check_property(p, model, adapter, pp);
                ASSERT_FALSE(r.failure) << p.name << ": " << r.message;
                for (size_t i = 0; i < kRuleCount; ++i) (lacking ? without : with)[i] += model.exercised()[i];
            }
        }
        size_t na = 0;
        for (const auto& ri : all_rules()) {
            if (!rule_applies(ri, profile) || rule_applies(ri, profile, feature)) continue;
            ++na;
            const auto i = static_cast<size_t>(ri.rule);
            EXPECT_EQ(without[i], 0u) << ri.id << " is n/a without feature " << feature << " but other ops exercised it";
            EXPECT_GT(with[i], 0u) << ri.id << " is not exercised even with feature " << feature;
        }
        EXPECT_GT(na, 0u) << "feature " << feature << " makes no rule n/a";
    }
}
