// The finding pipeline: record, shrink, write atomically, remove the unshrunk copy; a finding
// that cannot be written is printed in full; a failure that does not reproduce is kept unshrunk.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "finding_pipeline.h"
#include "plugin_adapter.h"
#include "sim.h"

using namespace resvcheck;
namespace fs = std::filesystem;

namespace {

const char* kNoisy = R"(fence_context_alloc c0
fence_context_alloc c1
fence_init f0 c0 seqno=0xffffffff
fence_init f1 c1 seqno=7
fence_signal f1
fence_init f2 c0 seqno=1
fence_is_later f2 f0
)";

struct Fixture {
    Profile profile = *profile_by_name("linux-6.12");
    std::unique_ptr<Adapter> faulty = *make_plugin_adapter(sim::plugin(), "fault=seqno32-no-wrap", nullptr, "sim");
    Trace trace = *parse_trace(kNoisy);
    RunResult failing() {
        Model m(profile);
        return run(trace, m, *faulty);
    }
};

fs::path fresh_dir(const char* name) {
    fs::path d = fs::temp_directory_path() / ("resvcheck-pipeline-" + std::string(name) + "-" + std::to_string(getpid()));
    fs::remove_all(d);
    return d;
}

std::vector<fs::path> files_in(const fs::path& d) {
    std::vector<fs::path> v;
    for (const auto& e : fs::directory_iterator(d)) v.push_back(e.path());
    return v;
}

}  // namespace

TEST(FindingPipeline, RecordsThenReplacesTheUnshrunkFileWithTheShrunkOne) {
    Fixture fx;
    RunResult r = fx.failing();
    ASSERT_EQ(r.verdict, Verdict::Violation);
    fs::path dir = fresh_dir("shrink");
    FindingPipeline fp({.dir = dir.string(), .adapter = "sim", .adapter_flags = "--fault seqno32-no-wrap", .origin = "test"}, fx.profile);
    ASSERT_TRUE(fp.prepare());
    fp.record(r.executed, *r.divergence, "unit");
    ASSERT_EQ(files_in(dir).size(), 1u);  // on disk before shrinking
    fs::path unshrunk = files_in(dir)[0];
    Finding f = fp.finish(r.executed, *r.divergence, *fx.faulty, "unit");
    EXPECT_EQ(f.rule, Rule::FENCE_SEQNO_LATER_32);
    EXPECT_EQ(f.ops_unshrunk, 7u);
    EXPECT_EQ(f.ops, 4u);  // the smallest wrapping pair, as in shrinker_test
    EXPECT_TRUE(f.note.empty()) << f.note;
    auto left = files_in(dir);
    ASSERT_EQ(left.size(), 1u);  // the shrunk file only: no unshrunk copy, no temporary
    EXPECT_EQ(left[0].string(), f.trace);
    EXPECT_NE(left[0], unshrunk);
    // the written file replays as the same violation on the faulty adapter, and conforms on a correct one
    Trace back = *load_trace(f.trace);
    Model m(fx.profile);
    RunResult again = run(back, m, *fx.faulty);
    ASSERT_EQ(again.verdict, Verdict::Violation);
    EXPECT_EQ(again.divergence->rule, Rule::FENCE_SEQNO_LATER_32);
    auto correct = *make_plugin_adapter(sim::plugin(), "", nullptr, "sim");
    EXPECT_EQ(run(back, m, *correct).verdict, Verdict::Conforms);
    fs::remove_all(dir);
}

TEST(FindingPipeline, PrintsAFindingItCannotWriteAndGoesOn) {
    Fixture fx;
    RunResult r = fx.failing();
    fs::path dir = fresh_dir("unwritable");
    fs::create_directories(dir);
    std::ofstream(dir / "file") << "x";
    FindingPipeline fp({.dir = (dir / "file" / "sub").string(), .adapter = "sim", .origin = "test"}, fx.profile);
    EXPECT_FALSE(fp.prepare());
    testing::internal::CaptureStdout();
    Finding f = fp.handle(r.executed, *r.divergence, *fx.faulty, "unit");
    std::string out = testing::internal::GetCapturedStdout();
    EXPECT_TRUE(f.trace.empty());
    EXPECT_NE(f.note.find("not written"), std::string::npos) << f.note;
    EXPECT_EQ(f.rule, Rule::FENCE_SEQNO_LATER_32);
    // the shrunk finding in full: header and every op
    EXPECT_NE(out.find("# FENCE-SEQNO-LATER-32 (fence.seqno"), std::string::npos) << out;
    EXPECT_NE(out.find("# found by: test (unit)\n"), std::string::npos) << out;  // the shrunk one, not only the unshrunk
    EXPECT_NE(out.find("fence_is_later f"), std::string::npos) << out;
    fs::remove_all(dir);
}

TEST(FindingPipeline, KeepsAFailureThatDoesNotReproduceUnshrunkUnderItsOwnRule) {
    // The "failure" is a wrong pin on a correct adapter: without its pins nothing fails, which
    // once left the divergence default-made (a rule index past the end of the table).
    Fixture fx;
    Trace pinned = *parse_trace("fence_context_alloc c0\nfence_init f0 c0 seqno=1\nfence_signal f0 => 0\nfence_signal f0 => 0\n");
    auto correct = *make_plugin_adapter(sim::plugin(), "", nullptr, "sim");
    Model m(fx.profile);
    RunResult r = run(pinned, m, *correct);
    ASSERT_EQ(r.verdict, Verdict::Violation);
    ASSERT_EQ(r.divergence->rule, Rule::FENCE_SIGNAL_ONCE);
    fs::path dir = fresh_dir("flaky");
    FindingPipeline fp({.dir = dir.string(), .adapter = "sim", .origin = "test"}, fx.profile);
    Finding f = fp.finish(pinned, *r.divergence, *correct, "");
    EXPECT_EQ(f.rule, Rule::FENCE_SIGNAL_ONCE);
    EXPECT_EQ(f.op_index, 3u);
    EXPECT_EQ(f.ops, 4u);
    EXPECT_NE(f.note.find("did not fail the same way on replay (conforms)"), std::string::npos) << f.note;
    EXPECT_FALSE(f.trace.empty());
    fs::remove_all(dir);
}
