// Queries and complete walks of a reservation object: get_fences, get_singleton, test_signaled,
// wait_timeout, set_deadline, usage_rw, dma_resv_for_each_fence(_unlocked) (rule area
// resv.query, and resv.iter.* for the walks). Walks are judged in judge.cpp.
#include <algorithm>
#include <cerrno>

#include "detail/op_rules.h"

namespace resvcheck::detail {

using Walk = State::Walk;

bool pre(Pre& p, const ResvGetFences& o) { return p.resv(o.r); }
void run(State& s, const ResvGetFences& o) {
    s.ref_rule = Rule::RESV_GET_FENCES;  // one reference per fence returned, dropped by the caller
    auto& r = s.resvs[o.r.id];
    if (s.fail_at) {
        // The table is allocated at the first unsignalled fence in scope.
        auto [must, may] = s.busy(r, o.usage);
        bool failed = must ? s.alloc_fails()
                           : may && s.alloc_may_fail(Rule::RESV_GET_FENCES_ENOMEM, RetKind::Errno, -ENOMEM, 0);
        if (failed) {
            s.expect_ret(Rule::RESV_GET_FENCES_ENOMEM, RetKind::Errno, -ENOMEM);
            if (!s.producing() && !s.obs->fences.empty())
                s.fail(Rule::RESV_GET_FENCES_ENOMEM, "no fences", std::to_string(s.obs->fences.size()) + " fences");
            return;
        }
    }
    s.expect_ret(Rule::RESV_GET_FENCES, RetKind::Errno, 0);
    std::vector<Entry> got = s.producing() ? std::vector<Entry>{} : s.obs->fences;
    s.judge_walk(r, o.usage, Walk::FencesOnly, got, Rule::RESV_GET_FENCES);
    if (s.producing()) s.out->fences = got;
}

// Under fail_alloc: get_fences' table is allocated at the first unsignalled fence in scope, then
// for two or more fences the array. Either failing returns -ENOMEM with no fence and no reference.
static bool singleton_fails(State& s, const ResvS& r, Usage u) {
    size_t must = 0, may = 0;
    for (const auto& sl : r.slots)
        if (s.in_scope(sl, u, Walk::FencesOnly)) ++may, must += s.must_list(sl);
    for (size_t need : {1u, 2u}) {
        if (must >= need ? s.alloc_fails() : may >= need && s.alloc_may_fail(Rule::RESV_SINGLETON_ENOMEM, RetKind::Errno, -ENOMEM, 0)) {
            s.ref_rule = Rule::RESV_SINGLETON_ENOMEM;  // a reference it kept is this rule's
            s.expect_ret(Rule::RESV_SINGLETON_ENOMEM, RetKind::Errno, -ENOMEM);
            if (!s.producing() && (!s.obs->fences.empty() || s.obs->container))
                s.fail(Rule::RESV_SINGLETON_ENOMEM, "no fence", s.obs->container ? "a container" : "a fence");
            return true;
        }
    }
    return false;
}

bool pre(Pre& p, const ResvGetSingleton& o) { return p.resv(o.r); }
void run(State& s, const ResvGetSingleton& o) {
    s.ref_rule = Rule::RESV_GET_FENCES;  // built from get_fences
    auto& r = s.resvs[o.r.id];
    if (s.fail_at && singleton_fails(s, r, o.usage)) return;
    std::vector<Entry> got = s.producing() ? std::vector<Entry>{} : s.obs->fences;
    // a wrong set is named by what the singleton should have been (get_fences itself is probed apart)
    size_t want = 0;
    for (const auto& sl : r.slots) want += s.in_scope(sl, o.usage, Walk::FencesOnly) && s.must_list(sl);
    s.judge_walk(r, o.usage, Walk::FencesOnly, got,
                 want == 0 ? Rule::RESV_SINGLETON_NONE : want == 1 ? Rule::RESV_SINGLETON_ONE : Rule::RESV_SINGLETON_ARRAY);
    size_t n = got.size();
    Rule rule = n == 0 ? Rule::RESV_SINGLETON_NONE : n == 1 ? Rule::RESV_SINGLETON_ONE : Rule::RESV_SINGLETON_ARRAY;
    if (n >= 2) s.ref_rule = Rule::ARRAY_REFS;  // the array took the table's references; its release drops them
    s.expect_ret(rule, RetKind::Errno, 0);
    s.exercise(rule);
    if (s.producing()) {
        s.out->fences = got;
        s.out->container = n >= 2;
    } else if (s.obs->container != (n >= 2)) {
        s.fail(rule, n >= 2 ? "a new container of the fences" : "the fence itself or NULL, no container",
               s.obs->container ? "a container" : "no container");
    }
}

// test_signaled / wait_timeout: is there an unsignalled fence in scope?
static bool query_busy(State& s, ResvS& r, Usage u, Rule rule, RetKind k, int64_t if_busy, int64_t if_idle,
                       std::optional<Rule> busy_rule = {}) {
    s.reads_list(r);
    auto [must, may] = s.busy(r, u);
    if (must && busy_rule) rule = *busy_rule;
    for (const auto& sl : r.slots)
        if (usage_le(sl.u, u)) s.exercise(sl.suspect);
    s.exercise(Rule::RESV_USAGE_FILTER);
    if (!r.ever_listed) s.exercise(Rule::RESV_INIT_EMPTY);
    int64_t got;
    if (must) got = (s.expect_ret(rule, k, if_busy), if_busy);
    else if (may) got = s.expect_ret_any(rule, k, {if_idle, if_busy});
    else got = (s.expect_ret(rule, k, if_idle), if_idle);
    if (!s.producing()) got = s.obs->ret;
    if (got == if_idle && !must) s.adopt_idle(r, u);
    return got == if_busy;
}

bool pre(Pre& p, const ResvTestSignaled& o) { return p.resv(o.r); }
void run(State& s, const ResvTestSignaled& o) {
    s.ref_rule = Rule::RESV_ITER_HOLDS_REF;  // walks with the unlocked cursor
    query_busy(s, s.resvs[o.r.id], o.usage, Rule::RESV_TEST_SIGNALED, RetKind::Bool, 0, 1);
}

bool pre(Pre& p, const ResvWaitTimeout& o) {
    if (!p.resv(o.r)) return false;
    if (o.timeout < 0) return p.fail("timeout must be >= 0");
    if (o.timeout > 0 && !(o.intr && o.sigpending)) {
        for (const auto& sl : p.s.resvs[o.r.id].slots) {
            if (!usage_le(sl.u, o.usage) || p.s.fences[sl.f].signaled) continue;
            const std::string f = "f" + std::to_string(sl.f);
            if (p.s.in_block) return p.fail("in a block, another thread ends a timed wait: not while " + f + " is unsignalled");
            if (o.timeout > 100) return p.fail("while " + f + " is unsignalled the wait sleeps its whole timeout: 1..100 jiffies (MAX_SCHEDULE_TIMEOUT would sleep forever)");
        }
    }
    return true;
}
void run(State& s, const ResvWaitTimeout& o) {
    s.ref_rule = Rule::RESV_ITER_HOLDS_REF;  // walks with the unlocked cursor
    auto& r = s.resvs[o.r.id];
    // each unsignalled fence in scope is waited on with dma_fence_wait_timeout (its wait annotation)
    if (std::any_of(r.slots.begin(), r.slots.end(), [&](const Slot& sl) { return usage_le(sl.u, o.usage) && !s.fences[sl.f].signaled; }))
        s.might_wait();
    const bool interrupted = o.intr && o.sigpending;
    int64_t busy = interrupted ? -kERESTARTSYS : 0;
    // Time (a virtual clock): all its fences share the one timeout. Woken: the fences in scope were
    // pending while it slept and another thread of a block signalled them all.
    const uint32_t slept = o.timeout == INT64_MAX ? 0 : s.slept();  // MAX_SCHEDULE_TIMEOUT: no timeout
    if (o.timeout && slept && !s.busy(r, o.usage).second) {
        if (slept >= static_cast<uint64_t>(o.timeout))
            s.fail(Rule::RESV_WAIT_ONE_TIMEOUT, "sleeps less than its timeout of " + std::to_string(o.timeout) + " jiffies once every fence signalled",
                   "slept " + std::to_string(slept) + " jiffies");
        else
            query_busy(s, r, o.usage, Rule::RESV_WAIT_ONE_TIMEOUT, RetKind::Errno, busy, o.timeout - slept);
        return;
    }
    if (o.timeout && o.timeout != INT64_MAX && !interrupted) {  // a fence in scope that stays pending: its wait times out
        const bool timed_out = query_busy(s, r, o.usage, Rule::RESV_WAIT_NOTHING, RetKind::Errno, 0, o.timeout, Rule::RESV_WAIT_TIMEOUT);
        s.expect_slept(timed_out ? Rule::RESV_WAIT_TIMEOUT : Rule::RESV_WAIT_NOTHING, timed_out ? static_cast<uint32_t>(o.timeout) : 0);
        return;
    }
    Rule idle_rule = o.timeout == 0 ? Rule::RESV_WAIT_POLL : Rule::RESV_WAIT_NOTHING;
    bool was_busy = query_busy(s, r, o.usage, idle_rule, RetKind::Errno, busy, o.timeout == 0 ? 1 : o.timeout,
                               busy ? std::optional(Rule::FENCE_WAIT_INTERRUPTED) : std::nullopt);
    if (!o.timeout) s.expect_slept(Rule::RESV_WAIT_POLL, 0);
    else if (was_busy && busy) s.expect_slept(Rule::FENCE_WAIT_INTERRUPTED, 0);
}

// Only profiles with has_deadline have the op (Model::has_op).
bool pre(Pre& p, const ResvSetDeadline& o) { return p.resv(o.r); }
void run(State& s, const ResvSetDeadline& o) {
    s.ref_rule = Rule::RESV_ITER_HOLDS_REF;  // walks with the unlocked cursor
    auto& r = s.resvs[o.r.id];
    std::vector<Entry> got;
    if (!s.producing())
        for (auto h : s.obs->deadlines) got.push_back({h, Usage::KERNEL});
    s.judge_walk(r, o.usage, Walk::FencesOnly, got, Rule::RESV_DEADLINE, Rule::RESV_DEADLINE);
    for (const auto& e : got) s.exp_deadlines.push_back(e.fence.id);
    if (s.producing())
        for (const auto& e : got) s.out->deadlines.push_back(e.fence);
}

bool pre(Pre&, const ResvUsageRw&) { return true; }
void run(State& s, const ResvUsageRw& o) {
    s.expect_ret(Rule::RESV_USAGE_RW, RetKind::Usage, static_cast<int64_t>(o.write ? Usage::READ : Usage::WRITE));
}

// ---- complete walks -----------------------------------------------------------------------------
bool pre(Pre& p, const ResvForEachFence& o) { return p.resv(o.r) && p.locked(o.r); }
void run(State& s, const ResvForEachFence& o) {
    auto& r = s.resvs[o.r.id];
    std::vector<Entry> got = s.producing() ? std::vector<Entry>{} : s.obs->fences;
    s.judge_walk(r, o.usage, Walk::Locked, got, Rule::RESV_ITER_LOCKED_ALL);
    if (s.producing()) s.out->fences = got;
    else if (s.obs->restarted) s.fail(Rule::RESV_ITER_LOCKED_RESTARTED, "no restart under the lock", "restarted");
}

bool pre(Pre& p, const ResvForEachFenceUnlocked& o) { return p.resv(o.r); }
void run(State& s, const ResvForEachFenceUnlocked& o) {
    s.ref_rule = Rule::RESV_ITER_HOLDS_REF;  // the unlocked cursor drops each fence it steps past
    auto& r = s.resvs[o.r.id];
    std::vector<Entry> got = s.producing() ? std::vector<Entry>{} : s.obs->fences;
    // The walk starts collecting afresh at every restart: entries missing after a restart that
    // nothing caused mean is_restarted stayed set, not that the entries went away.
    bool restarted = !s.producing() && s.obs->restarted;
    s.judge_walk(r, o.usage, Walk::Unlocked, got, Rule::RESV_ITER_UNLOCKED_COMPLETE,
                 restarted ? std::optional(Rule::RESV_ITER_RESTART_FLAG) : std::nullopt);
    s.exercise(Rule::RESV_ITER_NO_SPURIOUS_RESTART);
    if (s.producing()) s.out->fences = got;
    else if (s.obs->restarted) s.fail(Rule::RESV_ITER_NO_SPURIOUS_RESTART, "no restart (nothing changed during the walk)", "restarted");
}

}  // namespace resvcheck::detail
