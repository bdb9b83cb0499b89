// IsolatedAdapter: a crash, abort, hang, memory exhaustion or exit of the implementation is an
// observation naming the op, the signal and the stderr tail; the runner makes it an ADAPTER-*
// divergence; reset() brings a fresh child; no child outlives its adapter or the parent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <thread>

#include "isolated_adapter.h"
#include "runner.h"

using namespace resvcheck;
using namespace std::chrono_literals;
using S = Observation::Status;

namespace {

std::unique_ptr<Adapter> isolated(const std::string& name, IsolationLimits limits = {}) {
    auto a = make_isolated_adapter(name, {}, limits);
    if (!a) ADD_FAILURE() << a.error().text();
    return a ? std::move(*a) : nullptr;
}

std::string faulty(const char* mode, uint32_t at = RC_OP_FENCE_SIGNAL) {
    return std::string("plugin:") + FAULTY_PLUGIN + ",fail=" + mode + ",at=" + std::to_string(at);
}

// Applies context_alloc, fence_init and fence_signal; returns the signal's observation.
Observation up_to_signal(Adapter& a) {
    Observation o;
    a.reset();
    a.apply(Op{FenceContextAlloc{CtxH{0}, false}}, o);
    EXPECT_EQ(o.status, S::Ok) << o.message;
    a.apply(Op{FenceInit{FenceH{0}, CtxH{0}, 1}}, o);
    EXPECT_EQ(o.status, S::Ok) << o.message;
    a.apply(Op{FenceSignal{FenceH{0}}}, o);
    return o;
}

// After a failure: the dead child is reported again until reset(), then a fresh one works.
void expect_recovers(Adapter& a) {
    Observation o;
    a.apply(Op{FenceIsSignaled{FenceH{0}}}, o);
    EXPECT_NE(o.status, S::Ok);
    EXPECT_NE(o.message.find("reset() starts a new one"), std::string::npos) << o.message;
    a.reset();
    a.apply(Op{FenceContextAlloc{CtxH{0}, false}}, o);
    EXPECT_EQ(o.status, S::Ok) << o.message;
    a.apply(Op{FenceInit{FenceH{0}, CtxH{0}, 1}}, o);
    a.apply(Op{FenceIsSignaled{FenceH{0}}}, o);
    EXPECT_EQ(o.status, S::Ok) << o.message;
    EXPECT_EQ(o.ret, 0);
}

bool no_children_left() {
    int st;
    return waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD;
}

}  // namespace

TEST(Isolated, DrivesTheSimLikeInProcess) {
    auto text = "fence_context_alloc c0\nfence_init f0 c0\nresv_init r0\nresv_lock r0 => 0\n"
                "resv_reserve_fences r0 num_fences=1 => 0\nresv_add_fence r0 f0 WRITE\n"
                "resv_get_fences r0 WRITE => 0 {f0}\nfence_signal f0 => 0\nresv_unlock r0\n";
    auto t = *parse_trace(text);
    auto a = isolated("sim");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->name(), "sim");
    EXPECT_EQ(a->default_profile(), "linux-6.12");
    Model m(*profile_by_name("linux-6.12"));
    for (int i = 0; i < 3; ++i) {  // the same child across traces
        RunResult r = run(t, m, *a);
        EXPECT_EQ(r.verdict, Verdict::Conforms) << r.message;
        EXPECT_EQ(r.ops_run, t.steps.size());
    }
    auto in_process = std::move(*make_adapter("sim", {}));
    RunResult direct = run(t, m, *in_process);
    RunResult via_child = run(t, m, *a);
    ASSERT_EQ(direct.executed.steps.size(), via_child.executed.steps.size());
    for (size_t i = 0; i < direct.executed.steps.size(); ++i) EXPECT_EQ(direct.executed.steps[i].pin, via_child.executed.steps[i].pin) << i;
}

TEST(Isolated, SupportIsTheAdapters) {
    auto a = isolated(faulty("segv"));
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->supports(Op{FenceSignal{}}));
    EXPECT_FALSE(a->supports(Op{ResvInit{}}));
    EXPECT_EQ(a->name(), "faulty");
}

TEST(Isolated, SetupErrorsComeBack) {
    auto a = make_isolated_adapter("nosuch", {});
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message.find("unknown adapter 'nosuch'"), std::string::npos);
    auto b = make_isolated_adapter(std::string("plugin:") + FAULTY_PLUGIN + ",bad", {});
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().message.find("fail=segv"), std::string::npos);
    EXPECT_TRUE(no_children_left());
}

TEST(Isolated, SegfaultIsACrashNamingOpSignalAndStderr) {
    auto a = isolated(faulty("segv"));
    ASSERT_TRUE(a);
    Observation o = up_to_signal(*a);
    EXPECT_EQ(o.status, S::Crash);
    EXPECT_NE(o.message.find("during fence_signal f0"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("killed by SIGSEGV"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("faulty: segv in op kind 3"), std::string::npos) << o.message;
    expect_recovers(*a);
}

TEST(Isolated, AbortIsACrash) {
    auto a = isolated(faulty("abort"));
    ASSERT_TRUE(a);
    Observation o = up_to_signal(*a);
    EXPECT_EQ(o.status, S::Crash);
    EXPECT_NE(o.message.find("killed by SIGABRT"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("faulty: abort"), std::string::npos) << o.message;
    expect_recovers(*a);
}

TEST(Isolated, ExitIsACrash) {
    auto a = isolated(faulty("exit"));
    ASSERT_TRUE(a);
    Observation o = up_to_signal(*a);
    EXPECT_EQ(o.status, S::Crash);
    EXPECT_NE(o.message.find("exited with status 3"), std::string::npos) << o.message;
    expect_recovers(*a);
}

TEST(Isolated, EndlessLoopIsAHangAfterTheWatchdog) {
    auto a = isolated(faulty("loop"), {.watchdog = 500ms});
    ASSERT_TRUE(a);
    auto t0 = std::chrono::steady_clock::now();
    Observation o = up_to_signal(*a);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 60s);  // generous: the watchdog is 0.5 s
    EXPECT_EQ(o.status, S::Hang);
    EXPECT_NE(o.message.find("during fence_signal f0: no answer within 0.5 s; killed with SIGKILL"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("faulty: loop"), std::string::npos) << o.message;
    expect_recovers(*a);
}

TEST(Isolated, MemoryExhaustionIsOutOfMemory) {
    // The address-space limit where the build allows one (not under sanitizers), the resident limit always.
    auto a = isolated(faulty("oom"), {.address_space = kDefaultAddressSpace ? uint64_t{512} << 20 : 0, .resident = uint64_t{384} << 20});
    ASSERT_TRUE(a);
    Observation o = up_to_signal(*a);
    EXPECT_EQ(o.status, S::OutOfMemory);
    EXPECT_NE(o.message.find("out of memory"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("during fence_signal f0"), std::string::npos) << o.message;
    expect_recovers(*a);
}

TEST(Isolated, RunnerReportsTheAdapterRulesAtTheOp) {
    auto t = *parse_trace("fence_context_alloc c0\nfence_init f0 c0\nfence_is_signaled f0\nfence_signal f0\n");
    Model m(*profile_by_name("contract"));
    struct Case {
        const char* mode;
        Rule rule;
        const char* says;
    };
    for (auto c : {Case{"segv", Rule::ADAPTER_CRASH, "killed by SIGSEGV"}, Case{"loop", Rule::ADAPTER_HANG, "no answer within"}}) {
        auto a = isolated(faulty(c.mode), {.watchdog = 500ms});
        ASSERT_TRUE(a);
        RunResult r = run(t, m, *a);
        ASSERT_EQ(r.verdict, Verdict::Violation) << c.mode << ": " << r.message;
        EXPECT_EQ(r.divergence->rule, c.rule);
        EXPECT_EQ(r.divergence->op_index, 3u);
        EXPECT_EQ(r.divergence->allowed, "the op returns");
        EXPECT_NE(r.divergence->observed.find(c.says), std::string::npos) << r.divergence->observed;
        EXPECT_NE(r.divergence->observed.find("faulty: "), std::string::npos) << r.divergence->observed;
        EXPECT_EQ(r.divergence->observed.find('\n'), std::string::npos) << "one line, for trace comments";
        EXPECT_NE(print_trace(r.executed).find("fence_signal f0"), std::string::npos);
        // The next trace runs in a fresh child and is judged as usual up to the failing op.
        auto ok = *parse_trace("fence_context_alloc c0\nfence_init f0 c0\nfence_is_signaled f0 => false\n");
        EXPECT_EQ(run(ok, m, *a).verdict, Verdict::Conforms);
    }
}

TEST(Isolated, NoChildOutlivesItsAdapter) {
    {
        auto a = isolated(faulty("loop"), {.watchdog = 300ms});
        ASSERT_TRUE(a);
        up_to_signal(*a);  // one child killed by the watchdog, a fresh one started by reset()
        a->reset();
    }
    EXPECT_TRUE(no_children_left());
}

// The child dies with its parent even when the parent is killed and runs no destructor.
TEST(Isolated, ChildDiesWithItsParent) {
    int pfd[2];
    ASSERT_EQ(pipe(pfd), 0);
    pid_t parent = fork();
    ASSERT_GE(parent, 0);
    if (parent == 0) {
        auto a = make_isolated_adapter("sim", {});
        std::string kids;
        std::ifstream("/proc/self/task/" + std::to_string(getpid()) + "/children") >> kids;
        pid_t kid = !a || kids.empty() ? 0 : std::stoi(kids);
        (void)!write(pfd[1], &kid, sizeof kid);
        pause();
        _exit(0);
    }
    close(pfd[1]);
    pid_t kid = 0;
    ASSERT_EQ(read(pfd[0], &kid, sizeof kid), static_cast<ssize_t>(sizeof kid));
    close(pfd[0]);
    ASSERT_GT(kid, 0) << "the isolated child was not found under /proc";
    kill(parent, SIGKILL);
    int st;
    waitpid(parent, &st, 0);
    // Gone, or a zombie waiting for whoever inherited it: either way no longer running.
    auto running = [&] {
        std::ifstream stat("/proc/" + std::to_string(kid) + "/stat");
        std::string pid, comm, state;
        return stat >> pid >> comm >> state && state != "Z" && state != "X";
    };
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    EXPECT_FALSE(running());
}
