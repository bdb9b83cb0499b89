#include "conc_gen.h"

#include <algorithm>
#include <vector>

namespace resvcheck {
namespace {

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

enum class Prog { Writer, Realloc, Walker, Signaller, Callback, Waiter, ResvWaiter };

}  // namespace

Trace generate_concurrent_case(uint64_t seed, uint64_t case_index, unsigned threads, bool timed) {
    uint64_t state = mix(seed ^ mix(0xc0c0ull ^ mix(case_index)));
    auto next = [&](uint64_t n) { return mix(state += 0x9e3779b97f4a7c15ull) % n; };
    auto usage = [&] { return static_cast<Usage>(next(4)); };
    Trace t;
    auto seq = [&](Op op) { t.steps.push_back(TraceStep{std::move(op), std::nullopt, {}, 0}); };
    // set-up: r0 lists f0 (c0) and f1 (c1)
    for (uint32_t c = 0; c < 4; ++c) seq(FenceContextAlloc{CtxH{c}, false});
    seq(FenceInit{FenceH{0}, CtxH{0}, 1});
    seq(FenceInit{FenceH{1}, CtxH{1}, 1});
    seq(ResvInit{ResvH{0}});
    seq(ResvLock{ResvH{0}, {}});
    seq(ResvReserveFences{ResvH{0}, 2});
    seq(ResvAddFence{ResvH{0}, FenceH{0}, usage()});
    seq(ResvAddFence{ResvH{0}, FenceH{1}, usage()});
    seq(ResvUnlock{ResvH{0}});
    // Without the harness's reference, f0 lives only as long as r0 lists it (a replacement frees it).
    const bool f0_dropped = next(3) == 0;
    if (f0_dropped) seq(FencePut{FenceH{0}});
    uint32_t fences = 2;

    std::vector<Prog> progs(threads);
    bool waiter = false, callback = false;
    for (auto& p : progs) {
        p = static_cast<Prog>(next(7));
        if ((p == Prog::Waiter && waiter) || (p == Prog::Callback && callback) || (p == Prog::ResvWaiter && (waiter || f0_dropped)))
            p = Prog::Walker;
        waiter |= p == Prog::Waiter || p == Prog::ResvWaiter;
        callback |= p == Prog::Callback;
    }
    // A timed wait on r0 ends before its timeout only if every fence r0 lists signals: no writer
    // adds one, and a signaller signals f0 and f1 (with sleeps between, which the wait shares).
    const bool resv_waiter = std::count(progs.begin(), progs.end(), Prog::ResvWaiter) > 0;
    if (resv_waiter)
        for (auto& p : progs) p = p == Prog::Writer ? Prog::Walker : p;
    // Fences the block signals: f1, or f0 while the harness still holds it.
    const uint32_t target = f0_dropped || next(2) ? 1 : 0;
    const bool signalled = std::count(progs.begin(), progs.end(), Prog::Signaller) > 0;
    if (waiter && !signalled)  // a waiter needs a signaller: the first other program becomes one
        for (auto& p : progs)
            if (p != Prog::Waiter && p != Prog::ResvWaiter) {
                p = Prog::Signaller;
                break;
            }
    if (waiter && std::count(progs.begin(), progs.end(), Prog::Signaller) == 0)
        for (auto& p : progs) p = p == Prog::Waiter || p == Prog::ResvWaiter ? Prog::Walker : p;
    // Fences the writers add: created in the set-up, c0's later seqnos replace f0, others append.
    std::vector<uint32_t> adds(threads);
    for (unsigned th = 0; th < threads; ++th)
        if (progs[th] == Prog::Writer) {
            const bool replace = next(2);
            seq(FenceInit{FenceH{fences}, CtxH{replace ? 0u : 2u + th % 2}, replace ? 2u + th : 1u + th});
            adds[th] = fences++;
        }
    const size_t first = t.steps.size();
    for (unsigned th = 0; th < threads; ++th) {
        auto op = [&](Op o) {
            seq(std::move(o));
            t.steps.back().thread = static_cast<int8_t>(th);
        };
        switch (progs[th]) {
        case Prog::Writer:
            op(ResvLock{ResvH{0}, {}});
            op(ResvReserveFences{ResvH{0}, static_cast<uint32_t>(1 + next(2))});
            op(ResvAddFence{ResvH{0}, FenceH{adds[th]}, usage()});
            op(ResvUnlock{ResvH{0}});
            break;
        case Prog::Realloc:
            op(ResvLock{ResvH{0}, {}});
            op(ResvReserveFences{ResvH{0}, static_cast<uint32_t>(4 + next(5))});  // beyond the capacity: a new list
            op(ResvUnlock{ResvH{0}});
            break;
        case Prog::Walker:
            for (uint64_t n = 1 + next(2); n--;) op(ResvForEachFenceUnlocked{ResvH{0}, next(2) ? Usage::BOOKKEEP : usage()});
            break;
        case Prog::Signaller:  // time passes before a signal (1..20 jiffies, within every wait's timeout)
            for (uint32_t f : resv_waiter ? std::vector<uint32_t>{0, 1} : std::vector<uint32_t>{target}) {
                if (timed && (resv_waiter || next(2))) op(Sleep{1 + static_cast<uint32_t>(next(20))});
                op(FenceSignal{FenceH{f}});
            }
            break;
        case Prog::Callback:
            op(FenceAddCallback{FenceH{target}, CbH{0}});
            break;
        case Prog::Waiter:
            if (timed && next(3) == 0) {  // dma_fence_wait_any_timeout (it needs the clock): target and the other fence, either first
                const int64_t timeout = next(2) ? int64_t{100} : INT64_MAX;
                const uint32_t intr = static_cast<uint32_t>(next(2));
                if (f0_dropped) op(FenceWaitAnyTimeout{FenceH{target}, {}, {}, {}, timeout, intr});  // f0 may be freed: not in the array
                else if (next(2)) op(FenceWaitAnyTimeout{FenceH{target}, OptFenceH{FenceH{1 - target}}, {}, {}, timeout, intr});
                else op(FenceWaitAnyTimeout{FenceH{1 - target}, OptFenceH{FenceH{target}}, {}, {}, timeout, intr});
                break;
            }
            op(FenceWaitTimeout{FenceH{target}, false, timed && next(2) ? int64_t{100} : INT64_MAX, false});
            break;
        case Prog::ResvWaiter:
            op(ResvWaitTimeout{ResvH{0}, Usage::BOOKKEEP, false, timed && next(2) ? int64_t{100} : INT64_MAX, false});
            break;
        }
    }
    if (t.steps.size() == first)  // nothing concurrent drawn: one walker
        t.steps.push_back(TraceStep{ResvForEachFenceUnlocked{ResvH{0}, Usage::BOOKKEEP}, std::nullopt, {}, 0, 0});
    seq(ResvLock{ResvH{0}, {}});
    seq(ResvForEachFence{ResvH{0}, Usage::BOOKKEEP});
    seq(ResvUnlock{ResvH{0}});
    for (uint64_t len = next(61); t.schedule.size() < len;) {
        const auto th = static_cast<uint8_t>(next(threads));
        for (uint64_t run = 1 + next(6); run-- && t.schedule.size() < len;) t.schedule.push_back(th);
    }
    return t;
}

Trace concurrent_case_of_bytes(const uint8_t* data, size_t size, unsigned threads) {
    uint64_t seed = 0;
    for (size_t i = 0; i < std::min<size_t>(size, 8); ++i) seed |= uint64_t{data[i]} << (8 * i);
    Trace t = generate_concurrent_case(seed, 0, threads);
    t.schedule.clear();
    for (size_t i = 8; i < size && t.schedule.size() < 60; ++i) t.schedule.push_back(static_cast<uint8_t>(data[i] % threads));
    return t;
}

}  // namespace resvcheck
