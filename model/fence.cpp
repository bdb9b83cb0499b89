// dma_fence: contexts and seqnos, signalling, errors and status, waits, callbacks, references
// (rule areas fence.seqno, fence.signal, fence.status, fence.wait, fence.callback, fence.ref).
#include <algorithm>
#include <cerrno>
#include <vector>

#include "detail/op_rules.h"

namespace resvcheck {

using namespace detail;
using State = Model::State;

// ---- seqno order and signalling, shared with the resv areas -------------------------------------
bool State::later(uint32_t a, uint32_t b) const {
    const auto& fa = fences[a];
    const auto& fb = fences[b];
    if (ctxs[fa.ctx].seq64) return fa.seqno > fb.seqno;
    return static_cast<int32_t>(static_cast<uint32_t>(fa.seqno) - static_cast<uint32_t>(fb.seqno)) > 0;
}
bool State::later_or_same(uint32_t a, uint32_t b) const { return a == b || later(a, b); }
Rule State::seqno_rule(uint32_t a, uint32_t b) const {
    if (fences[a].seqno == fences[b].seqno) return Rule::FENCE_LATER_STRICT;
    return ctxs[fences[a].ctx].seq64 ? Rule::FENCE_SEQNO_LATER_64 : Rule::FENCE_SEQNO_LATER_32;
}
void State::signal(uint32_t f) {
    auto& fs = fences[f];
    fs.signaled = true;
    for (uint32_t cb : fs.pending) {
        cbs[cb].pending = false;
        exp_callbacks.push_back(cb);
    }
    fs.pending.clear();
    touch(f);  // a signalled fence's optional entries may now be dropped
    for (auto& r : resvs)
        if (std::any_of(r.slots.begin(), r.slots.end(), [&](const Slot& sl) { return sl.f == f; })) r.may_hold_signaled = true;
}

// The callbacks an op ran (any op can signal): each pending one once; exact kernels in
// registration order.
void State::judge_callbacks() {
    const Observation& o = *obs;
    if (exp_callbacks.empty() && o.callbacks.empty()) return;
    exercise(Rule::FENCE_CB_ONCE);
    if (prof.exact_kernel && exp_callbacks.size() > 1) exercise(Rule::FENCE_CB_ORDER);
    std::vector<uint32_t> got;
    for (auto c : o.callbacks) got.push_back(c.id);
    auto txt = [](const std::vector<uint32_t>& v) {
        std::string t = "cb{";
        for (size_t i = 0; i < v.size(); ++i) t += (i ? ", cb" : "cb") + std::to_string(v[i]);
        return t + "}";
    };
    auto a = exp_callbacks, b = got;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) {
        bool missing = std::any_of(a.begin(), a.end(), [&](uint32_t c) { return std::count(a.begin(), a.end(), c) > std::count(b.begin(), b.end(), c); });
        fail(missing ? Rule::FENCE_CB_RUN_ON_SIGNAL : Rule::FENCE_CB_ONCE, "runs " + txt(exp_callbacks), "ran " + txt(got));
    } else if (prof.exact_kernel && exp_callbacks != got) {
        fail(Rule::FENCE_CB_ORDER, "runs " + txt(exp_callbacks) + " in registration order", "ran " + txt(got));
    }
}

namespace detail {

// ---- contexts and seqnos ------------------------------------------------------------------------
bool pre(Pre& p, const FenceContextAlloc& o) { return p.fresh(o.c, "context"); }
void run(State& s, const FenceContextAlloc& o) { s.ctxs.push_back({true, o.seqno64}); }

bool pre(Pre& p, const FenceInit& o) { return p.fresh(o.f, "fence") && p.ctx(o.c); }
void run(State& s, const FenceInit& o) {
    FenceS f;
    f.live = true;
    f.ctx = o.c.id;
    f.seqno = o.seqno;
    f.harness = 1;
    s.fences.push_back(f);
}

static bool same_ctx(Pre& p, FenceH a, FenceH b) {
    if (!p.plain(a) || !p.plain(b)) return false;
    if (p.s.fences[a.id].ctx != p.s.fences[b.id].ctx) return p.fail("is_later compares fences of one context only");
    return true;
}
bool pre(Pre& p, const FenceIsLater& o) { return same_ctx(p, o.f1, o.f2); }
void run(State& s, const FenceIsLater& o) {
    s.expect_ret(s.seqno_rule(o.f1.id, o.f2.id), RetKind::Bool, s.later(o.f1.id, o.f2.id));
}
bool pre(Pre& p, const FenceIsLaterOrSame& o) { return same_ctx(p, o.f1, o.f2); }
void run(State& s, const FenceIsLaterOrSame& o) {
    Rule r = o.f1.id == o.f2.id || s.fences[o.f1.id].seqno == s.fences[o.f2.id].seqno ? Rule::FENCE_LATER_OR_SAME_IDENTITY
                                                                                     : s.seqno_rule(o.f1.id, o.f2.id);
    s.expect_ret(r, RetKind::Bool, s.later_or_same(o.f1.id, o.f2.id));
}

// ---- signalling ---------------------------------------------------------------------------------
bool pre(Pre& p, const FenceSignal& o) { return p.plain(o.f); }
void run(State& s, const FenceSignal& o) {
    auto& f = s.fences[o.f.id];
    s.sig_end(s.sig_begin());  // dma_fence_signal is a signalling section (the callbacks take no locks)
    if (f.signaled) {
        s.expect_ret(Rule::FENCE_SIGNAL_ONCE, RetKind::Errno, -EINVAL);
        s.exercise(Rule::FENCE_CB_ONCE);
    } else {
        s.expect_ret(Rule::FENCE_SIGNAL_FIRST, RetKind::Errno, 0);
        if (!f.pending.empty()) s.exercise(Rule::FENCE_CB_RUN_ON_SIGNAL);
        s.signal(o.f.id);
    }
}

bool pre(Pre& p, const FenceIsSignaled& o) { return p.fence(o.f); }
void run(State& s, const FenceIsSignaled& o) {
    if (s.fences[o.f.id].kind != FenceKind::Plain) return run_container_is_signaled(s, o.f.id);
    bool sig = s.fences[o.f.id].signaled;
    s.expect_ret(sig ? Rule::FENCE_SIGNALED_STICKY : Rule::FENCE_INIT_UNSIGNALED, RetKind::Bool, sig);
}

// ---- errors and status --------------------------------------------------------------------------
// An error set after signalling: the kernel stores it; the contract leaves open whether it is.
static void set_error_late_exact(FenceS& f, int64_t error) {
    f.error = error;
    f.late = true;
}
static void set_error_late_contract(FenceS& f, int64_t error) {
    f.error_unknown = true;
    f.late_error = error;
}

bool pre(Pre& p, const FenceSetError& o) {
    if (!p.plain(o.f)) return false;
    if (o.error >= 0 || o.error < -4095) return p.fail("set_error needs an error in [-4095, -1]");
    return true;
}
std::optional<Rule> misuse(const State& s, const FenceSetError& o) {
    Pre p{s, std::nullopt};
    if (!pre(p, o) || !s.fences[o.f.id].signaled) return std::nullopt;
    return Rule::FENCE_ERROR_AFTER_SIGNAL_WARNS;
}
void run(State& s, const FenceSetError& o) {
    auto& f = s.fences[o.f.id];
    if (f.signaled) {
        s.expect_warn(Rule::FENCE_ERROR_AFTER_SIGNAL_WARNS);
        if (s.prof.exact_kernel) set_error_late_exact(f, o.error);
        else set_error_late_contract(f, o.error);
    } else {
        s.exercise(Rule::FENCE_ERROR_BEFORE_SIGNAL);
        s.warn_rule = Rule::FENCE_ERROR_BEFORE_SIGNAL;
        f.error = o.error;
        f.error_unknown = false;
    }
}

bool pre(Pre& p, const FenceGetStatus& o) { return p.fence(o.f); }
void run(State& s, const FenceGetStatus& o) {
    if (s.fences[o.f.id].kind != FenceKind::Plain) return run_container_get_status(s, o.f.id);
    auto& f = s.fences[o.f.id];
    if (!f.signaled) {
        s.expect_ret(Rule::FENCE_STATUS_PENDING, RetKind::Errno, 0);
    } else if (f.error_unknown) {
        int64_t old = f.error ? f.error : 1;
        int64_t got = s.expect_ret_any(Rule::FENCE_STATUS_ERROR, RetKind::Errno, {old, f.late_error});
        f.error = got == 1 ? 0 : got;
        f.error_unknown = false;
    } else if (f.error) {
        s.expect_ret(f.late ? Rule::FENCE_ERROR_LATE_STORED : Rule::FENCE_STATUS_ERROR, RetKind::Errno, f.error);
    } else {
        s.expect_ret(Rule::FENCE_STATUS_OK, RetKind::Errno, 1);
    }
}

// ---- waits --------------------------------------------------------------------------------------
bool pre(Pre& p, const FenceWaitTimeout& o) {
    if (!p.plain(o.f)) return false;
    if (o.timeout < 0) return p.fail("timeout must be >= 0");
    if (o.timeout > 0 && !p.s.fences[o.f.id].signaled && !(o.intr && o.sigpending)) {
        if (p.s.in_block) return p.fail("in a block, another thread ends a timed wait: not while the fence is unsignalled");
        if (o.timeout > 100) return p.fail("a wait nobody ends sleeps its whole timeout: 1..100 jiffies (MAX_SCHEDULE_TIMEOUT would sleep forever)");
    }
    return true;
}
// A wait nobody ends (sequentially: in a block another thread ends it): it sleeps its whole
// timeout, returns 0 and takes back what it registered.
static void expect_timed_out(State& s, Rule r, int64_t timeout) {
    s.expect_ret(r, RetKind::Errno, 0);
    s.expect_slept(r, static_cast<uint32_t>(timeout));
    if (!s.producing() && s.obs->leaked)
        s.fail(r, "takes its wait callback back off the fence and frees what it allocated", "left a callback or an allocation behind");
}
void run(State& s, const FenceWaitTimeout& o) {
    if (o.timeout >= 0) s.might_wait();  // after the WARN on a negative timeout
    bool sig = s.fences[o.f.id].signaled;
    // Time (a virtual clock): only a wait on a fence that another thread signals while it sleeps
    // (the ops of a concurrent block; sequentially the preconditions rule it out) may sleep.
    // MAX_SCHEDULE_TIMEOUT is no timeout: it comes back unchanged however long the wait slept.
    const uint32_t slept = o.timeout == INT64_MAX ? 0 : s.slept();
    if (sig && o.timeout && slept) {
        if (slept >= static_cast<uint64_t>(o.timeout))
            s.fail(Rule::FENCE_WAIT_SIGNALED, "is woken by the signal before its timeout of " + std::to_string(o.timeout) + " jiffies",
                   "slept " + std::to_string(slept) + " jiffies");
        else
            s.expect_ret(Rule::FENCE_WAIT_SIGNALED, RetKind::Errno, o.timeout - slept);
        return;
    }
    if (sig)
        s.expect_ret(o.timeout ? Rule::FENCE_WAIT_SIGNALED : Rule::FENCE_WAIT_POLL, RetKind::Errno, o.timeout ? o.timeout : 1);
    else if (o.intr && o.sigpending)
        s.expect_ret(Rule::FENCE_WAIT_INTERRUPTED, RetKind::Errno, -kERESTARTSYS);
    else if (o.timeout)
        return expect_timed_out(s, Rule::FENCE_WAIT_TIMEOUT, o.timeout);
    else
        s.expect_ret(Rule::FENCE_WAIT_POLL, RetKind::Errno, 0);
    if (!o.timeout) s.expect_slept(Rule::FENCE_WAIT_POLL, 0);
    else if (!sig) s.expect_slept(Rule::FENCE_WAIT_INTERRUPTED, 0);  // it sees the signal before it sleeps
}

// ---- dma_fence_wait_any_timeout: the first of an array of fences ----------------------------------
static std::vector<uint32_t> wait_any_array(const FenceWaitAnyTimeout& o) {
    std::vector<uint32_t> a{o.f0.id};
    for (const OptFenceH* h : {&o.f1, &o.f2, &o.f3})
        if (h->h) a.push_back(h->h->id);
    return a;
}
bool pre(Pre& p, const FenceWaitAnyTimeout& o) {
    if (!p.plain(o.f0)) return false;
    bool gap = false;
    for (const OptFenceH* h : {&o.f1, &o.f2, &o.f3}) {
        if (!h->h) {
            gap = true;
            continue;
        }
        if (gap) return p.fail("the array has no holes: f1, f2, f3 are given in order");
        if (!p.plain(*h->h)) return false;
    }
    const auto a = wait_any_array(o);
    for (size_t i = 0; i < a.size(); ++i)
        if (std::count(a.begin(), a.end(), a[i]) > 1) return p.fail("f" + std::to_string(a[i]) + " is in the array twice (*idx would not say which)");
    if (o.flags > (FenceWaitAnyTimeout::kIntr | FenceWaitAnyTimeout::kSigpending)) return p.fail("flags: bit 0 intr, bit 1 sigpending");
    if (o.timeout < 0) return p.fail("timeout must be >= 0");
    const bool any = std::any_of(a.begin(), a.end(), [&](uint32_t f) { return p.s.fences[f].signaled; });
    const bool interrupted = (o.flags & FenceWaitAnyTimeout::kIntr) && (o.flags & FenceWaitAnyTimeout::kSigpending);
    if (o.timeout > 0 && !any && !interrupted) {
        if (p.s.in_block) return p.fail("in a block, another thread ends a timed wait: not while no fence is signalled");
        if (o.timeout > 100) return p.fail("a wait no fence ends sleeps its whole timeout: 1..100 jiffies (MAX_SCHEDULE_TIMEOUT would sleep forever)");
    }
    return true;
}
std::optional<Rule> misuse(const State& s, const FenceWaitAnyTimeout& o) {
    Pre p{s, std::nullopt};
    FenceWaitAnyTimeout valid = o;
    valid.timeout = 0;
    if (o.timeout >= 0 || !pre(p, valid)) return std::nullopt;
    return Rule::FENCE_WAIT_ANY_EINVAL;
}
// *idx as the op reports it: the fence at that index on a positive return, else none.
static void expect_idx(State& s, Rule r, const std::vector<uint32_t>& a, int want) {
    if (s.producing()) {
        if (want >= 0) s.out->fences.push_back({FenceH{a[want]}, Usage::KERNEL});
        return;
    }
    const auto& got = s.obs->fences;
    if (want < 0 ? got.empty() : got.size() == 1 && got[0].fence.id == a[want]) return;
    std::string g = got.empty() ? "none" : "";
    for (const auto& e : got) g += (g.empty() ? "f" : ", f") + std::to_string(e.fence.id);
    s.fail(r, want < 0 ? "stores no index (not a positive return)" : "reports index " + std::to_string(want) + " (f" + std::to_string(a[want]) + ")",
           "reported " + g);
}
void run(State& s, const FenceWaitAnyTimeout& o) {
    const auto a = wait_any_array(o);
    if (o.timeout < 0) {  // the WARN_ON of a caller bug (@misuse)
        s.expect_warn(Rule::FENCE_WAIT_ANY_EINVAL);
        s.expect_ret(Rule::FENCE_WAIT_ANY_EINVAL, RetKind::Errno, -EINVAL);
        s.expect_slept(Rule::FENCE_WAIT_ANY_EINVAL, 0);
        return expect_idx(s, Rule::FENCE_WAIT_ANY_EINVAL, a, -1);
    }
    int first = -1;
    for (size_t i = 0; i < a.size() && first < 0; ++i)
        if (s.fences[a[i]].signaled) first = static_cast<int>(i);
    s.exercise(Rule::FENCE_WAIT_ANY_CLEANUP);
    if (!s.producing() && s.obs->leaked)
        s.fail(Rule::FENCE_WAIT_ANY_CLEANUP, "takes back its callbacks and frees what it allocated", "left a callback or an allocation behind");
    if (o.timeout == 0) {
        s.expect_ret(Rule::FENCE_WAIT_ANY_POLL, RetKind::Errno, first >= 0 ? 1 : 0);
        s.expect_slept(Rule::FENCE_WAIT_ANY_POLL, 0);
        return expect_idx(s, Rule::FENCE_WAIT_ANY_POLL, a, first);
    }
    // As for fence_wait_timeout: it sleeps only when another thread of a block ends the wait, and
    // MAX_SCHEDULE_TIMEOUT comes back unchanged however long it slept.
    const uint32_t slept = o.timeout == INT64_MAX ? 0 : s.slept();
    if (first >= 0) {
        const Rule r = slept ? Rule::FENCE_WAIT_ANY_WOKEN : Rule::FENCE_WAIT_ANY_SIGNALED;
        if (slept >= static_cast<uint64_t>(o.timeout))
            s.fail(r, "is woken by the signal before its timeout of " + std::to_string(o.timeout) + " jiffies", "slept " + std::to_string(slept) + " jiffies");
        else
            s.expect_ret(r, RetKind::Errno, o.timeout - slept);
        return expect_idx(s, r, a, first);
    }
    if ((o.flags & FenceWaitAnyTimeout::kIntr) && (o.flags & FenceWaitAnyTimeout::kSigpending)) {
        s.expect_ret(Rule::FENCE_WAIT_ANY_INTERRUPTED, RetKind::Errno, -kERESTARTSYS);
        s.expect_slept(Rule::FENCE_WAIT_ANY_INTERRUPTED, 0);
        return expect_idx(s, Rule::FENCE_WAIT_ANY_INTERRUPTED, a, -1);
    }
    s.expect_ret(Rule::FENCE_WAIT_ANY_TIMEOUT, RetKind::Errno, 0);
    s.expect_slept(Rule::FENCE_WAIT_ANY_TIMEOUT, static_cast<uint32_t>(o.timeout));
    expect_idx(s, Rule::FENCE_WAIT_ANY_TIMEOUT, a, -1);
}

// ---- time: a harness sleep on the virtual clock --------------------------------------------------
bool pre(Pre& p, const Sleep& o) { return (o.jiffies >= 1 && o.jiffies <= 100) || p.fail("sleep jiffies=1..100"); }
void run(State& s, const Sleep& o) { s.expect_slept(Rule::TIME_SLEEP, o.jiffies); }

// ---- callbacks ----------------------------------------------------------------------------------
bool pre(Pre& p, const FenceAddCallback& o) {
    if (!p.plain(o.f)) return false;
    if (o.cb.id > p.s.cbs.size()) return p.fail("callback handles are allocated in order: next is cb" + std::to_string(p.s.cbs.size()));
    if (o.cb.id < p.s.cbs.size() && p.s.cbs[o.cb.id].pending) return p.fail("cb" + std::to_string(o.cb.id) + " is still pending on a fence");
    return true;
}
void run(State& s, const FenceAddCallback& o) {
    if (o.cb.id == s.cbs.size()) s.cbs.emplace_back();
    auto& cb = s.cbs[o.cb.id];
    auto& f = s.fences[o.f.id];
    cb.used = true;
    cb.fence = o.f.id;
    if (f.signaled) {
        s.expect_ret(Rule::FENCE_CB_ADD_SIGNALED, RetKind::Errno, -ENOENT);
        cb.pending = false;
    } else {
        s.expect_ret(Rule::FENCE_CB_ADD_PENDING, RetKind::Errno, 0);
        cb.pending = true;
        f.pending.push_back(o.cb.id);
    }
}

bool pre(Pre& p, const FenceRemoveCallback& o) {
    if (!p.fence(o.f)) return false;
    if (o.cb.id >= p.s.cbs.size() || p.s.cbs[o.cb.id].fence != o.f.id)
        return p.fail("cb" + std::to_string(o.cb.id) + " was never added to f" + std::to_string(o.f.id));
    return true;
}
void run(State& s, const FenceRemoveCallback& o) {
    auto& cb = s.cbs[o.cb.id];
    if (cb.pending) {
        s.expect_ret(Rule::FENCE_CB_REMOVE_PENDING, RetKind::Bool, 1);
        cb.pending = false;
        std::erase(s.fences[o.f.id].pending, o.cb.id);
    } else {
        s.expect_ret(Rule::FENCE_CB_REMOVE_DONE, RetKind::Bool, 0);
    }
}

// ---- references (releases are judged after every op: judge.cpp) ---------------------------------
bool pre(Pre& p, const FenceGet& o) { return p.fence(o.f); }
void run(State& s, const FenceGet& o) { ++s.fences[o.f.id].harness; }

bool pre(Pre& p, const FencePut& o) {
    if (!p.fence(o.f)) return false;
    if (p.s.fences[o.f.id].harness == 1 && !p.s.fences[o.f.id].pending.empty())
        return p.fail("putting the last caller reference of f" + std::to_string(o.f.id) + " while callbacks are pending");
    return true;
}
void run(State& s, const FencePut& o) {
    --s.fences[o.f.id].harness;
    s.touch(o.f.id);
}

}  // namespace detail
}  // namespace resvcheck
