// The spec and the checks stay in step: every rule has a check in the model, or for the "adapter"
// rules (the implementation's process must not crash or hang) in the runner (a rule nobody checks
// is a promise the suite does not keep); IDs are unique and well formed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "model.h"

using namespace resvcheck;

namespace {
std::string sources(const char* dir) {
    std::string all;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(RESVCHECK_SOURCE_DIR) / dir)) {
        if (e.path().extension() != ".cpp" && e.path().extension() != ".h") continue;
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        all += ss.str();
    }
    return all;
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

// A check that names no rule cannot compile (checks take a Rule); this is the other direction.
TEST(Spec, EveryRuleHasACheck) {
    std::string model = sources("model"), runner = sources("runner");
    ASSERT_FALSE(model.empty());
    ASSERT_FALSE(runner.empty());
#define RULE(ident, id, area, scope, function, statement, note61)                                           \
    if (std::string_view(area) == "adapter")                                                                \
        EXPECT_NE(runner.find("Rule::" #ident), std::string::npos) << "rule " id " has no check in runner/"; \
    else                                                                                                    \
        EXPECT_NE(model.find("Rule::" #ident), std::string::npos) << "rule " id " has no check in model/";
#include "rules.def"
#undef RULE
}

TEST(Spec, EveryRuleAppliesToSomeProfile) {
    for (const auto& r : all_rules()) {
        bool any = false;
        for (const auto& p : all_profiles()) any |= rule_applies(r, p);
        EXPECT_TRUE(any) << r.id;
    }
}
