// The op vocabulary (trace/ops.h) and the plugin ABI's op list (abi/resvcheck_plugin.h) agree:
// every RC_OP_* has exactly one op with its number and argument count, and every op has a row.
#include <gtest/gtest.h>

#include <boost/hana/accessors.hpp>
#include <boost/hana/length.hpp>
#include <map>
#include <set>

#include "ops.h"

namespace resvcheck {
namespace {

struct AbiRow {
    const char* name;
    uint32_t num;
    int nargs;
};
#define RC_ROW_(name, num, nargs, feature, doc) AbiRow{#name, num, nargs},
constexpr AbiRow kAbi[] = {RESVCHECK_OP_LIST(RC_ROW_)};
#undef RC_ROW_

template <size_t... I>
std::map<uint32_t, std::vector<int>> ops_by_abi(std::index_sequence<I...>) {
    std::map<uint32_t, std::vector<int>> m;
    ((m[std::variant_alternative_t<I, Op>::abi].push_back(static_cast<int>(
          boost::hana::length(boost::hana::accessors<std::variant_alternative_t<I, Op>>())))),
     ...);
    return m;
}

TEST(Vocabulary, EveryAbiKindHasExactlyOneOpWithItsArgumentCount) {
    auto ops = ops_by_abi(std::make_index_sequence<kOpKinds>{});
    std::set<uint32_t> seen;
    for (const auto& row : kAbi) {
        EXPECT_TRUE(seen.insert(row.num).second) << "RC_OP_" << row.name << ": number " << row.num << " listed twice";
        auto it = ops.find(row.num);
        ASSERT_NE(it, ops.end()) << "RC_OP_" << row.name << " has no op in trace/ops.h";
        ASSERT_EQ(it->second.size(), 1u) << "RC_OP_" << row.name << " is the abi number of several ops";
        EXPECT_EQ(it->second[0], row.nargs) << "RC_OP_" << row.name << ": the op has another argument count";
        EXPECT_EQ(resvcheck_op_nargs(row.num), row.nargs);
    }
    EXPECT_EQ(std::size(kAbi), kOpKinds) << "an op of trace/ops.h has no row in the ABI's op list";
    EXPECT_EQ(resvcheck_op_nargs(999), -1);
}

TEST(Vocabulary, FeaturesDecideWhatIsProvided) {
    Op deadline = ResvSetDeadline{ResvH{0}, Usage::READ};
    Op add = ResvAddFence{ResvH{0}, FenceH{0}, Usage::READ};
    EXPECT_FALSE(op_provided(deadline, RC_FEATURE_BASE));
    EXPECT_TRUE(op_provided(deadline, RC_FEATURE_DEADLINE));
    EXPECT_TRUE(op_provided(add, RC_FEATURE_BASE));
    EXPECT_EQ(op_provided(deadline, 0), resvcheck_op_provided(RC_OP_RESV_SET_DEADLINE, 0) != 0);
}

}  // namespace
}  // namespace resvcheck
