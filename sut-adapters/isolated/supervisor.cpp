#include "supervisor.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

namespace resvcheck {

SuperviseResult supervise(const std::function<int(Progress&)>& fn, const IsolationLimits& limits,
                          const std::function<void(const Progress&)>& tick) {
    SuperviseResult r;
    // Mapped before the fork, so parent and child see the same page.
    void* mem = mmap(nullptr, sizeof(Progress), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        r.outcome = SuperviseResult::Outcome::Crash;
        r.reason = std::string("cannot map shared memory for the child's progress: ") + strerror(errno);
        return r;
    }
    auto* p = new (mem) Progress;
    Child child;
    std::string err;
    if (!child.spawn(limits, -1, [&] {
            int rc = fn(*p);
            p->done.store(true, std::memory_order_relaxed);
            return rc;
        }, err)) {
        r.outcome = SuperviseResult::Outcome::Crash;
        r.reason = err;
        p->~Progress();
        munmap(mem, sizeof(Progress));
        return r;
    }

    using Clock = std::chrono::steady_clock;
    auto heartbeat = [&] {
        return p->ops_done.load(std::memory_order_relaxed) + p->beats.load(std::memory_order_relaxed);
    };
    // Look often enough that a hang is noticed soon after the watchdog time, rarely enough to cost nothing.
    auto step = std::clamp(limits.watchdog / 10, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
    uint64_t seen = heartbeat();
    auto last_progress = Clock::now();
    std::string hang;
    while (!child.wait_exit(step)) {
        if (tick) tick(*p);
        if (uint64_t h = heartbeat(); h != seen) {
            seen = h;
            last_progress = Clock::now();
        } else if (Clock::now() - last_progress >= limits.watchdog) {
            char b[64];
            std::snprintf(b, sizeof b, "no progress for %.1f s", static_cast<double>(limits.watchdog.count()) / 1000.0);
            hang = b;
            break;
        }
    }
    ChildEnd e = child.finish(!hang.empty(), hang);

    r.case_index = p->case_index.load(std::memory_order_relaxed);
    r.op_index = p->op_index.load(std::memory_order_relaxed);
    r.ops_done = p->ops_done.load(std::memory_order_relaxed);
    for (size_t i = 0; i < Progress::kCounters; ++i) r.counters[i] = p->counters[i].load(std::memory_order_relaxed);
    bool returned = p->done.load(std::memory_order_relaxed);
    p->~Progress();
    munmap(mem, sizeof(Progress));

    r.reason = e.reason;
    r.stderr_tail = std::move(e.stderr_tail);
    r.signal = e.signal;
    r.exit_code = e.exit_code;
    switch (e.kind) {
    case ChildEnd::Kind::Exited:
        r.outcome = returned ? SuperviseResult::Outcome::Finished : SuperviseResult::Outcome::Crash;
        if (!returned) r.reason += " before its work returned";
        break;
    case ChildEnd::Kind::Crash: r.outcome = SuperviseResult::Outcome::Crash; break;
    case ChildEnd::Kind::Hang: r.outcome = SuperviseResult::Outcome::Hang; break;
    case ChildEnd::Kind::OutOfMemory: r.outcome = SuperviseResult::Outcome::OutOfMemory; break;
    }
    return r;
}

}  // namespace resvcheck
