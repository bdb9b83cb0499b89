// The RapidCheck properties under ctest: model vs model (contract, linux-6.12) and model vs sim.
// Each property must pass and must exercise the rules it claims to (where the profile has them).
#include <gtest/gtest.h>

#include "model_adapter.h"
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
