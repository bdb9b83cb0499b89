// supervise(): the parent learns the case and op a child crashed or hung in, the results of a
// child that finished, and tells a slow but progressing child from a stuck one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <thread>
#include <vector>

#include "supervisor.h"

using namespace resvcheck;
using namespace std::chrono_literals;
using Outcome = SuperviseResult::Outcome;

namespace {

// Runs cases 0..9 of 20 ops each, failing with `fail` at (case 3, op 5).
SuperviseResult cases(void (*fail)(), IsolationLimits limits = {}) {
    return supervise(
        [fail](Progress& p) {
            for (uint64_t c = 0; c < 10; ++c) {
                p.begin_case(c);
                for (uint64_t i = 0; i < 20; ++i) {
                    p.begin_op(i);
                    if (c == 3 && i == 5) {
                        std::fprintf(stderr, "about to fail in case 3 op 5\n");
                        fail();
                    }
                }
                p.counters[0].store(c + 1, std::memory_order_relaxed);
            }
            return 7;
        },
        limits);
}

}  // namespace

TEST(Supervise, FinishedWorkReturnsItsResults) {
    SuperviseResult r = cases([] {});
    EXPECT_EQ(r.outcome, Outcome::Finished) << r.reason;
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_EQ(r.counters[0], 10u);
    EXPECT_EQ(r.ops_done, 200u);
    EXPECT_EQ(r.case_index, 9u);
    EXPECT_NE(r.stderr_tail.find("about to fail in case 3 op 5"), std::string::npos);
}

TEST(Supervise, CrashNamesTheCaseAndOp) {
    SuperviseResult r = cases([] { raise(SIGSEGV); });
    EXPECT_EQ(r.outcome, Outcome::Crash);
    EXPECT_EQ(r.signal, SIGSEGV);
    EXPECT_EQ(r.case_index, 3u);
    EXPECT_EQ(r.op_index, 5u);
    EXPECT_EQ(r.ops_done, 3 * 20 + 6u);
    EXPECT_EQ(r.counters[0], 3u);
    EXPECT_NE(r.reason.find("killed by SIGSEGV"), std::string::npos) << r.reason;
    EXPECT_NE(r.stderr_tail.find("about to fail in case 3 op 5"), std::string::npos) << r.stderr_tail;
}

TEST(Supervise, ExitBeforeReturningIsACrash) {
    SuperviseResult r = cases([] { _exit(0); });
    EXPECT_EQ(r.outcome, Outcome::Crash);
    EXPECT_NE(r.reason.find("exited with status 0 before its work returned"), std::string::npos) << r.reason;
    EXPECT_EQ(r.case_index, 3u);
}

TEST(Supervise, HangIsCaughtWithinTheWatchdog) {
    auto t0 = std::chrono::steady_clock::now();
    SuperviseResult r = cases([] { for (volatile int n = 0;; n += 0) {} }, {.watchdog = 300ms});
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 60s);  // generous: the watchdog is 0.3 s
    EXPECT_EQ(r.outcome, Outcome::Hang);
    EXPECT_EQ(r.case_index, 3u);
    EXPECT_EQ(r.op_index, 5u);
    EXPECT_NE(r.reason.find("no progress for 0.3 s; killed with SIGKILL"), std::string::npos) << r.reason;
    EXPECT_NE(r.stderr_tail.find("about to fail in case 3 op 5"), std::string::npos);
}

TEST(Supervise, SlowButProgressingWorkIsNoHang) {
    // 1.5 s of work, far longer than the watchdog, with progress every 2 ms.
    SuperviseResult r = supervise(
        [](Progress& p) {
            for (uint64_t i = 0; i < 750; ++i) {
                p.begin_op(i);
                std::this_thread::sleep_for(2ms);
            }
            return 0;
        },
        {.watchdog = 300ms});
    EXPECT_EQ(r.outcome, Outcome::Finished) << r.reason;
    EXPECT_EQ(r.ops_done, 750u);
}

TEST(Supervise, TickSeesProgressAndCanStopTheChild) {
    // Memory the caller shares with the child itself: the parent asks the child to stop there.
    void* mem = mmap(nullptr, sizeof(std::atomic<bool>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mem, MAP_FAILED);
    auto* stop = new (mem) std::atomic<bool>(false);
    uint64_t seen = 0;
    SuperviseResult r = supervise(
        [stop](Progress& p) {
            for (uint64_t i = 0; !stop->load(); ++i) {
                p.begin_op(i);
                std::this_thread::sleep_for(1ms);
            }
            return 0;
        },
        {.watchdog = 5s},
        [&](const Progress& p) {
            seen = p.ops_done.load();
            if (seen >= 100) stop->store(true);
        });
    EXPECT_EQ(r.outcome, Outcome::Finished) << r.reason;
    EXPECT_GE(seen, 100u);
    EXPECT_GE(r.ops_done, seen);
    munmap(mem, sizeof(std::atomic<bool>));
}

TEST(Supervise, MemoryExhaustionIsOutOfMemory) {
    SuperviseResult r = supervise(
        [](Progress& p) {
            p.begin_case(2);
            std::vector<std::vector<char>> hoard;
            for (uint64_t i = 0;; ++i) {
                p.begin_op(i);
                hoard.emplace_back(1 << 20, 'x');  // bad_alloc at the limit: terminate, abort
            }
            return 0;
        },
        {.address_space = kDefaultAddressSpace ? uint64_t{512} << 20 : 0, .resident = uint64_t{384} << 20});
    EXPECT_EQ(r.outcome, Outcome::OutOfMemory) << r.reason << "\n" << r.stderr_tail;
    EXPECT_EQ(r.case_index, 2u);
    EXPECT_GT(r.op_index, 100u);
    EXPECT_NE(r.reason.find("out of memory"), std::string::npos) << r.reason;
}
