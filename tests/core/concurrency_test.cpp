// Concurrent traces: the text form of threads and schedules, the deterministic scheduler (the
// same trace gives the same interleaving), the linearizability oracle, and the shrinker on
// schedules.
#include <gtest/gtest.h>

#include "conc_gen.h"
#include "linearize.h"
#include "runner.h"
#include "shrinker.h"
#include "sim.h"
#include "plugin_adapter.h"

using namespace resvcheck;

namespace {

std::unique_ptr<Adapter> make_sim(const char* options = "") {
    auto a = make_plugin_adapter(sim::plugin(), options, nullptr, "sim", sim::threads_plugin());
    EXPECT_TRUE(static_cast<bool>(a));
    return std::move(*a);
}

const Profile& linux612() {
    static const Profile p = *profile_by_name("linux-6.12");
    return p;
}

}  // namespace

TEST(Concurrency, ThreadsAndScheduleRoundTrip) {
    const char* text =
        "fence_context_alloc c0\n"
        "fence_init f0 c0 seqno=1\n"
        "fence_signal f0 @t1\n"
        "fence_is_signaled f0 @t0 => true\n";
    auto t = parse_trace(std::string("@schedule 1 0 1\n") + text);
    ASSERT_TRUE(static_cast<bool>(t)) << t.error().text();
    EXPECT_EQ(t->schedule, (std::vector<uint8_t>{1, 0, 1}));
    EXPECT_EQ(t->steps[1].thread, -1);
    EXPECT_EQ(t->steps[2].thread, 1);
    EXPECT_EQ(t->steps[3].thread, 0);
    auto again = parse_trace(print_trace(*t));
    ASSERT_TRUE(static_cast<bool>(again));
    EXPECT_EQ(print_trace(*again), print_trace(*t));
    EXPECT_EQ(again->schedule, t->schedule);
}

TEST(Concurrency, BadThreadsAreLocatedParseErrors) {
    auto bad_tag = parse_trace("fence_context_alloc c0 @t8\n", "x.trace");
    ASSERT_FALSE(static_cast<bool>(bad_tag));
    EXPECT_NE(bad_tag.error().text().find("x.trace:1:"), std::string::npos) << bad_tag.error().text();
    EXPECT_NE(bad_tag.error().text().find("thread number"), std::string::npos);
    auto bad_schedule = parse_trace("@schedule 0 one\n", "y.trace");
    ASSERT_FALSE(static_cast<bool>(bad_schedule));
    EXPECT_NE(bad_schedule.error().text().find("thread number"), std::string::npos);
}

// The same case, run again, interleaves the same way: the executed trace (observations and the
// schedule that ran) is identical, and replaying the executed trace gives it once more.
TEST(Concurrency, SameTraceSameInterleaving) {
    auto a = make_sim();
    for (uint64_t i = 0; i < 40; ++i) {
        Trace t = generate_concurrent_case(7, i, 3);
        Model m(linux612());
        RunResult first = run(t, m, *a);
        ASSERT_EQ(first.verdict, Verdict::Conforms) << print_trace(first.executed);
        RunResult second = run(t, m, *a);
        EXPECT_EQ(print_trace(first.executed), print_trace(second.executed));
        Trace replay = first.executed;
        for (auto& st : replay.steps) st.pin.reset();
        RunResult third = run(replay, m, *a);
        EXPECT_EQ(print_trace(first.executed), print_trace(third.executed)) << "case " << i;
    }
}

// A history no order of which the model accepts is rejected; one whose ops overlap is accepted
// in the order that explains it.
TEST(Concurrency, LinearizabilityRespectsRealTime) {
    Model base(linux612());
    for (const Op& op : {Op{FenceContextAlloc{CtxH{0}, false}}, Op{FenceInit{FenceH{0}, CtxH{0}, 1}}})
        ASSERT_FALSE(base.step(op, base.perform(op)));
    std::vector<Op> ops = {FenceSignal{FenceH{0}}, FenceIsSignaled{FenceH{0}}};
    std::vector<Observation> obs(2);
    obs[0].ret = 0;
    obs[1].ret = 0;  // "not signalled"
    std::vector<uint32_t> start = {1, 5}, end = {3, 7};
    LinStats stats;
    std::vector<Model> m{base};
    auto d = linearize(m, BlockHistory{ops, obs, start, end, 2}, stats);
    ASSERT_TRUE(d ) << "is_signaled began after signal returned: it must see it";
    EXPECT_EQ(d->rule, Rule::FENCE_SIGNALED_STICKY);
    start = {1, 2};  // overlapping: is_signaled may come first
    std::vector<Model> m2{base};
    EXPECT_FALSE(linearize(m2, BlockHistory{ops, obs, start, end, 2}, stats) );
    EXPECT_EQ(m2.size(), 1u) << "one order explains it: is_signaled, then signal";
    EXPECT_EQ(stats.histories, 2u);
    EXPECT_GE(stats.model_steps, 3u);
}

// A concurrency-only fault is found by concurrent cases, not by the same ops in sequence, and
// the shrinker drops the schedule's choices the failure does not need.
TEST(Concurrency, PublicationOrderFaultNeedsAnInterleaving) {
    auto faulty = make_sim("fault=publish-before-copy");
    std::optional<RunResult> failure;
    for (uint64_t i = 0; i < 4000 && !failure; ++i) {
        Trace t = generate_concurrent_case(1, i, 2);
        Model m(linux612());
        if (RunResult r = run(t, m, *faulty); r.verdict == Verdict::Violation) failure = r;
        Trace sequential = t;
        for (auto& st : sequential.steps) st.thread = -1;
        Model ms(linux612());
        EXPECT_NE(run(sequential, ms, *faulty).verdict, Verdict::Violation) << "case " << i << " in sequence";
    }
    ASSERT_TRUE(failure );
    const Rule rule = failure->divergence->rule;
    EXPECT_EQ(rule, Rule::RESV_ITER_UNLOCKED_COMPLETE);
    Trace failing = failure->executed;
    auto fails = [&](const Trace& t) {
        Model m(linux612());
        RunResult r = run(t, m, *faulty);
        return r.verdict == Verdict::Violation && r.divergence->rule == rule;
    };
    ASSERT_TRUE(fails(failing));
    Trace small = shrink_trace(failing, fails);
    EXPECT_TRUE(fails(small));
    EXPECT_LE(small.steps.size(), failing.steps.size());
    EXPECT_LE(small.schedule.size(), failing.schedule.size());
}
