// The trace shrinker keeps the failure (same rule) and gets small.
#include <gtest/gtest.h>

#include "plugin_adapter.h"
#include "runner.h"
#include "shrinker.h"
#include "sim.h"

using namespace resvcheck;

TEST(Shrinker, KeepsTheRuleAndDropsTheNoise) {
    // seqno32-no-wrap breaks FENCE-SEQNO-LATER-32 at the is_later; everything else is noise.
    const char* text = R"(fence_context_alloc c0
fence_context_alloc c1
resv_init r0
fence_init f0 c0 seqno=0xffffffff
fence_init f1 c1 seqno=7
resv_lock r0
resv_reserve_fences r0 num_fences=3
resv_add_fence r0 f1 READ
fence_signal f1
fence_init f2 c0 seqno=1
resv_for_each_fence r0 BOOKKEEP
fence_is_later f2 f0
resv_unlock r0
)";
    Trace t = *(parse_trace(text));
    auto a = std::move(*make_plugin_adapter(sim::plugin(), "fault=seqno32-no-wrap", nullptr, "sim"));
    Model m(*profile_by_name("linux-6.12"));
    RunResult first = run(t, m, *a);
    ASSERT_EQ(first.verdict, Verdict::Violation);
    ASSERT_EQ(first.divergence->rule, Rule::FENCE_SEQNO_LATER_32);
    ShrinkStats stats;
    Trace small = shrink_trace(t, [&](const Trace& c) {
        RunResult r = run(c, m, *a);
        return r.verdict == Verdict::Violation && r.divergence->rule == Rule::FENCE_SEQNO_LATER_32;
    }, &stats);
    // 0x80000001 is the smallest seqno that wraps: the shrinker finds the boundary
    EXPECT_EQ(print_trace(small), "fence_context_alloc c0\nfence_init f0 c0 seqno=0x80000001\nfence_init f1 c0\nfence_is_later f1 f0\n");
    EXPECT_GT(stats.tries, 0u);
}

TEST(Shrinker, RenumbersHandlesDensely) {
    Trace t = *(parse_trace("fence_context_alloc c3\nfence_init f7 c3 seqno=1\nresv_init r2\nfence_signal f7\n"));
    EXPECT_EQ(print_trace(normalize_handles(t)), "fence_context_alloc c0\nfence_init f0 c0 seqno=1\nresv_init r0\nfence_signal f0\n");
}
