// Lock order and fence signalling (rule areas lock.signalling, lock.reclaim, lock.order).
//
// The model keeps the trace's lock dependencies the way lockdep does and predicts each report an
// implementation's recorder must make: a blocking acquisition depends on each held lock down to the
// most recent non-trylock one; a trylock depends on nothing; a class already held, taken under its
// held nest lock (reservation locks under one acquire context), adds nothing. The graph starts from
// the order the kernel primes at boot (rules.def). No op here takes a recursive read, so every cycle
// is a deadlock. Reports among reservation locks and acquire contexts alone are not judged (the
// dma-buf API ops of a trace stand for several tasks): such a dependency is simply not recorded.
#include <cerrno>

#include <algorithm>

#include "detail/op_rules.h"

namespace resvcheck::detail {
LockClass driver(uint32_t k) { return static_cast<LockClass>(static_cast<uint32_t>(LockClass::Driver0) + k); }
namespace {

using C = LockClass;
constexpr uint16_t bit(C c) { return static_cast<uint16_t>(1u << static_cast<unsigned>(c)); }
constexpr size_t idx(C c) { return static_cast<size_t>(c); }

std::string class_name(C c) {
    switch (c) {
    case C::FenceMap: return "dma_fence_map";
    case C::Resv: return "reservation_ww_class_mutex";
    case C::Acquire: return "reservation_ww_class_acquire";
    case C::FsReclaim: return "fs_reclaim";
    case C::MmuMap: return "mmu_notifier_invalidate_range_start";
    case C::MmapLock: return "&mm->mmap_lock";
    case C::IMmap: return "&mapping->i_mmap_rwsem";
    default: return "driver_lock_" + std::to_string(idx(c) - idx(C::Driver0));
    }
}
std::optional<C> class_by_name(std::string_view n) {
    for (size_t i = 0; i < kLockClasses; ++i)
        if (class_name(static_cast<C>(i)) == n) return static_cast<C>(i);
    return std::nullopt;
}
bool ww(C c) { return c == C::Resv || c == C::Acquire; }

// The rule a dependency held -> taken breaks when it closes a cycle.
Rule rule_for(C held, C taken) {
    const bool reclaim = held == C::FsReclaim || held == C::MmuMap;
    switch (taken) {
    case C::Resv:
        if (held == C::FenceMap) return Rule::SIG_NO_RESV;
        if (reclaim) return Rule::RECLAIM_SHRINKER_TRYLOCK;
        break;
    case C::FsReclaim: case C::MmuMap:
        if (held == C::FenceMap) return Rule::SIG_NO_RECLAIM_ALLOC;
        break;
    case C::MmapLock:
        if (held == C::FenceMap) return Rule::SIG_NO_USER_FAULT;
        if (ww(held)) return Rule::RECLAIM_NO_USER_UNDER_RESV;
        break;
    default: break;
    }
    if (held == C::FenceMap || taken == C::FenceMap) return Rule::SIG_NO_WAIT_LOCKS;
    return Rule::LOCKDEP_CYCLE;
}
Rule rule_for(const LockReport& r) {
    if (r.kind == LockReport::Cycle) return rule_for(r.held, r.taken);
    if (r.kind == LockReport::Unbalanced && r.held == C::FenceMap) return Rule::SIG_END_BALANCED;
    return Rule::LOCKDEP_CYCLE;
}

std::string report_text(const LockReport& r) {
    switch (r.kind) {
    case LockReport::Cycle: return "lockdep: cycle " + class_name(r.held) + " -> " + class_name(r.taken);
    case LockReport::Recursive: return "lockdep: recursive " + class_name(r.held);
    case LockReport::Unbalanced: return "lockdep: unbalanced " + class_name(r.held);
    }
    return {};
}
// The first line of an implementation's report, or nothing if it is not one of the three forms.
std::optional<LockReport> parse_report(std::string_view t) {
    t = t.substr(0, t.find('\n'));
    t = t.substr(0, t.find(" ("));  // an explanation may follow the classes
    auto eat = [&](std::string_view p) { return t.starts_with(p) ? (t.remove_prefix(p.size()), true) : false; };
    if (eat("lockdep: cycle ")) {
        auto arrow = t.find(" -> ");
        if (arrow == std::string_view::npos) return std::nullopt;
        auto a = class_by_name(t.substr(0, arrow)), b = class_by_name(t.substr(arrow + 4));
        if (!a || !b) return std::nullopt;
        return LockReport{LockReport::Cycle, *a, *b};
    }
    for (auto k : {LockReport::Recursive, LockReport::Unbalanced})
        if (eat(k == LockReport::Recursive ? "lockdep: recursive " : "lockdep: unbalanced ")) {
            auto a = class_by_name(t);
            if (!a) return std::nullopt;
            return LockReport{k, *a, *a};
        }
    return std::nullopt;
}

// The classes on a path from `from` to `to`, or nothing.
std::optional<uint16_t> path_classes(const std::array<uint16_t, kLockClasses>& deps, C from, C to) {
    std::array<int, kLockClasses> parent;
    parent.fill(-2);
    std::vector<size_t> queue{idx(from)};
    parent[idx(from)] = -1;
    for (size_t q = 0; q < queue.size(); ++q) {
        size_t u = queue[q];
        if (u == idx(to)) {
            uint16_t on = 0;
            for (int v = static_cast<int>(u); v >= 0; v = parent[v]) on |= static_cast<uint16_t>(1u << v);
            return on;
        }
        for (size_t v = 0; v < kLockClasses; ++v)
            if ((deps[u] >> v & 1) && parent[v] == -2) {
                parent[v] = static_cast<int>(u);
                queue.push_back(v);
            }
    }
    return std::nullopt;
}

}  // namespace

std::array<uint16_t, kLockClasses> LockS::primed() {
    std::array<uint16_t, kLockClasses> d{};
    d[idx(C::MmapLock)] = bit(C::Acquire);
    d[idx(C::Acquire)] = bit(C::Resv);
    d[idx(C::Resv)] = bit(C::FsReclaim);
    d[idx(C::FsReclaim)] = bit(C::IMmap) | bit(C::MmuMap);
    d[idx(C::MmuMap)] = bit(C::FenceMap);
    return d;
}

}  // namespace resvcheck::detail

namespace resvcheck {
using detail::LockClass;
using detail::LockReport;

void Model::State::lock_acquire(LockClass c, uint32_t inst, bool trylock, int nest) {
    auto& L = locks;
    auto report = [&](LockReport r) {
        L.report = r;
        L.stopped = true;
    };
    if (!L.stopped) {
        bool nested = false;
        for (auto h = L.held.rbegin(); h != L.held.rend(); ++h) {
            if (h->cls != c) continue;
            bool nest_held = nest >= 0 && std::any_of(L.held.begin(), L.held.end(), [&](const detail::HeldS& x) {
                                 return x.cls == LockClass::Acquire && x.inst == static_cast<uint32_t>(nest);
                             });
            if (nest_held || detail::ww(c)) nested = true;  // ww alone: not judged
            else report({LockReport::Recursive, c, c});
            break;
        }
        if (!L.stopped && !trylock && !nested) {
            for (auto h = L.held.rbegin(); h != L.held.rend() && !L.stopped; ++h) {
                if (h->cls != c && !(L.deps[detail::idx(h->cls)] & detail::bit(c))) {
                    exercise(detail::rule_for(h->cls, c));
                    if (auto on = detail::path_classes(L.deps, c, h->cls)) {
                        uint16_t all = *on | detail::bit(h->cls) | detail::bit(c);
                        if (all & ~(detail::bit(LockClass::Resv) | detail::bit(LockClass::Acquire)))
                            report({LockReport::Cycle, h->cls, c});
                    } else {
                        L.deps[detail::idx(h->cls)] |= detail::bit(c);
                    }
                }
                if (!h->trylock) break;
            }
        }
    }
    L.held.push_back({c, inst, trylock, nest});
    if (c == LockClass::FenceMap) L.sectioned = true;
}

void Model::State::lock_release(LockClass c, uint32_t inst) {
    auto& H = locks.held;
    for (size_t i = H.size(); i-- > 0;)
        if (H[i].cls == c && H[i].inst == inst) {
            H.erase(H.begin() + static_cast<ptrdiff_t>(i));
            return;
        }
    if (!locks.stopped && !detail::ww(c)) {
        locks.report = LockReport{LockReport::Unbalanced, c, c};
        locks.stopped = true;
    }
}

bool Model::State::sig_begin() {
    exercise(Rule::SIG_BEGIN_COOKIE);
    for (const auto& h : locks.held)
        if (h.cls == LockClass::FenceMap) return true;
    lock_acquire(LockClass::FenceMap);
    return false;
}

void Model::State::sig_end(bool cookie) {
    exercise(Rule::SIG_END_BALANCED);
    if (cookie) return;
    locks.ended = locks.ended || std::any_of(locks.held.begin(), locks.held.end(), [](const detail::HeldS& h) { return h.cls == LockClass::FenceMap; });
    lock_release(LockClass::FenceMap);
}

void Model::State::might_wait() {
    locks.waited = true;
    bool in_section = std::any_of(locks.held.begin(), locks.held.end(), [](const detail::HeldS& h) { return h.cls == LockClass::FenceMap; });
    if (in_section) lock_release(LockClass::FenceMap);
    lock_acquire(LockClass::FenceMap);
    lock_release(LockClass::FenceMap);
    if (in_section) lock_acquire(LockClass::FenceMap);  // back on top of the held stack
}

// GFP_KERNEL (0), GFP_NOFS (1), GFP_NOIO (2) may enter direct reclaim; only GFP_KERNEL may do fs I/O.
void Model::State::reclaim_acquire(uint32_t gfp) {
    exercise(Rule::SIG_NO_RECLAIM_ALLOC);
    if (gfp > 2) return;
    if (gfp == 0) lock_acquire(LockClass::FsReclaim);
    lock_acquire(LockClass::MmuMap);
    lock_release(LockClass::MmuMap);
}
void Model::State::reclaim_release(uint32_t gfp) {
    if (gfp == 0) lock_release(LockClass::FsReclaim);
}

int Model::State::sig_cookie() const { return sig_cookies.empty() ? -1 : sig_cookies.back(); }
bool Model::State::driver_locked(uint32_t c) const {
    return std::any_of(locks.held.begin(), locks.held.end(), [&](const detail::HeldS& h) { return h.cls == detail::driver(c); });
}

void Model::State::judge_lockdep() {
    auto& want = locks.report;
    if (producing()) {
        if (want) out->lockdep = detail::report_text(*want);
        return;
    }
    const std::string& got = obs->lockdep;
    if (!want && got.empty()) return;
    auto seen_r = got.empty() ? std::nullopt : detail::parse_report(got);
    if (want && seen_r && *want == *seen_r) return;
    // An unexpected report through dma_fence_map points at the annotation that misled it: a wait
    // that released a read hold it never took, a begin that did not enter, an end that did not leave.
    const bool section = locks.sectioned;
    Rule r = want ? detail::rule_for(*want) : seen_r ? detail::rule_for(*seen_r) : Rule::LOCKDEP_CYCLE;
    if (!want && seen_r && seen_r->held == LockClass::FenceMap) {
        if (seen_r->kind == LockReport::Unbalanced)
            r = locks.waited ? Rule::SIG_NO_WAIT_LOCKS : locks.ended || section ? Rule::SIG_BEGIN_COOKIE : Rule::SIG_END_BALANCED;
        else if (!section)
            r = Rule::SIG_END_BALANCED;
    }
    exercise(r);
    std::string one_line;  // a divergence is one line (trace files carry it in a comment)
    for (char c : got) one_line += c == '\n' ? std::string(" |") : std::string(1, c);
    fail(r, want ? detail::report_text(*want) : "no lock-dependency report", got.empty() ? "no report" : one_line);
}

}  // namespace resvcheck

namespace resvcheck::detail {

// ---- the driver-side ops ----------------------------------------------------------------------
bool pre(Pre&, const SigBegin&) { return true; }
void run(State& s, const SigBegin&) {
    bool cookie = s.sig_begin();
    s.expect_ret(Rule::SIG_BEGIN_COOKIE, RetKind::Bool, cookie);
    s.sig_cookies.push_back(cookie);
}

bool pre(Pre& p, const SigEnd& o) { return o.cookie <= 1 || p.fail("a cookie is 0 or 1"); }
void run(State& s, const SigEnd& o) {
    s.sig_end(o.cookie != 0);
    if (!s.sig_cookies.empty()) s.sig_cookies.pop_back();
}

bool pre(Pre& p, const DriverAlloc& o) {
    return o.gfp <= 4 || p.fail("gfp is 0 GFP_KERNEL, 1 GFP_NOFS, 2 GFP_NOIO, 3 GFP_NOWAIT or 4 GFP_ATOMIC");
}
void run(State& s, const DriverAlloc& o) {
    s.reclaim_acquire(o.gfp);
    s.reclaim_release(o.gfp);
}

namespace {
bool driver_held(const State& s, uint32_t k) {
    return std::any_of(s.locks.held.begin(), s.locks.held.end(), [&](const HeldS& h) { return h.cls == driver(k); });
}
}  // namespace

bool pre(Pre& p, const DriverLock& o) {
    if (o.cls >= kDriverLocks) return p.fail("driver lock classes are 0.." + std::to_string(kDriverLocks - 1));
    if (driver_held(p.s, o.cls)) return p.fail("driver lock " + std::to_string(o.cls) + " is held: taking it again would sleep forever");
    return true;
}
void run(State& s, const DriverLock& o) { s.lock_acquire(driver(o.cls)); }

bool pre(Pre& p, const DriverUnlock& o) {
    if (o.cls >= kDriverLocks || !driver_held(p.s, o.cls)) return p.fail("driver lock " + std::to_string(o.cls) + " is not held");
    return true;
}
void run(State& s, const DriverUnlock& o) { s.lock_release(driver(o.cls)); }

bool pre(Pre&, const FenceMightWait&) { return true; }
void run(State& s, const FenceMightWait&) { s.might_wait(); }

bool pre(Pre& p, const ShrinkerScan& o) { return p.resv(o.r); }
void run(State& s, const ShrinkerScan& o) {
    const bool free = !s.resvs[o.r.id].locked;
    s.exercise(Rule::RECLAIM_SHRINKER_TRYLOCK);
    s.reclaim_acquire(0);
    if (free) {
        s.lock_acquire(LockClass::Resv, o.r.id, true);
        s.lock_release(LockClass::Resv, o.r.id);
    }
    s.reclaim_release(0);
    s.expect_ret(Rule::WW_TRYLOCK, RetKind::Bool, free);
}

bool pre(Pre&, const MmuInvalidate&) { return true; }
void run(State& s, const MmuInvalidate&) {
    s.lock_acquire(LockClass::MmuMap);
    s.might_wait();
    s.lock_release(LockClass::MmuMap);
}

bool pre(Pre&, const MightFault&) { return true; }
void run(State& s, const MightFault&) {
    s.exercise(Rule::RECLAIM_NO_USER_UNDER_RESV);
    s.lock_acquire(LockClass::MmapLock);
    s.lock_release(LockClass::MmapLock);
}

bool pre(Pre& p, const SchedRunJob& o) { return p.resv(o.r); }
void run(State& s, const SchedRunJob&) {
    s.exercise(Rule::SIG_RUN_JOB);
    s.sig_end(s.sig_begin());
}

}  // namespace resvcheck::detail
