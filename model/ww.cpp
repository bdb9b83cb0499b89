// ww_acquire_ctx and the reservation lock: dma_resv_lock and friends (rule area resv.lock).
#include <cerrno>

#include "detail/op_rules.h"

namespace resvcheck::detail {

// ---- acquire contexts ---------------------------------------------------------------------------
bool pre(Pre& p, const WwAcquireInit& o) { return p.fresh(o.a, "acquire context"); }
void run(State& s, const WwAcquireInit& o) {
    AcqS a;
    a.live = true;
    a.stamp = s.next_stamp++;
    s.acqs.push_back(a);
    s.lock_acquire(LockClass::Acquire, o.a.id);
}

bool pre(Pre& p, const WwAcquireDone& o) {
    if (!p.acq(o.a)) return false;
    if (p.s.acqs[o.a.id].done) return p.fail("ww_acquire_done called twice on a" + std::to_string(o.a.id));
    return true;
}
void run(State& s, const WwAcquireDone& o) { s.acqs[o.a.id].done = true; }

bool pre(Pre& p, const WwAcquireFini& o) {
    if (!p.acq(o.a)) return false;
    if (p.s.acqs[o.a.id].acquired != 0) return p.fail("ww_acquire_fini with locks still held");
    return true;
}
void run(State& s, const WwAcquireFini& o) {
    s.acqs[o.a.id].live = false;
    s.lock_release(LockClass::Acquire, o.a.id);
}

// ---- locking ------------------------------------------------------------------------------------
namespace {

// A lock attempt that would sleep forever in a single-threaded harness is not allowed.
bool lock_ok(Pre& p, ResvH r, std::optional<AcqH> a, bool sigpending, bool slow) {
    const auto& s = p.s;
    const auto& rs = s.resvs[r.id];
    if (a) {
        const auto& as = s.acqs[a->id];
        if (as.done) return p.fail("a" + std::to_string(a->id) + " is done (ww_acquire_done): it may not lock more");
        if (slow && as.contending != static_cast<int>(r.id))
            return p.fail("lock_slow is only for the object whose lock returned -EDEADLK to a" + std::to_string(a->id));
        // the wait-die back-off (ww_mutex_lock_acquired's debug checks): after -EDEADLK the
        // context drops everything and takes the contended object next
        if (as.contending >= 0 && (as.contending != static_cast<int>(r.id) || as.acquired != 0))
            return p.fail("after -EDEADLK, a" + std::to_string(a->id) + " must unlock what it holds and lock r" +
                          std::to_string(as.contending) + " next");
        if (slow && as.acquired != 0) return p.fail("lock_slow needs a context that holds nothing (back off first)");
    }
    if (!rs.locked) return true;
    if (rs.by_exec) return p.fail("r" + std::to_string(r.id) + " is held by the drm_exec context: other lockers would wait for it forever");
    if (a && rs.holder == static_cast<int>(a->id)) return true;  // -EALREADY
    if (sigpending) return true;                                  // -EINTR
    if (a && !slow && rs.holder >= 0 && s.acqs[a->id].acquired > 0 && s.acqs[rs.holder].stamp < s.acqs[a->id].stamp)
        return true;  // -EDEADLK
    return p.fail("r" + std::to_string(r.id) + " is held: this lock attempt would sleep forever in a single-threaded trace");
}
bool free_or_fail(Pre& p, ResvH r) {
    if (p.s.resvs[r.id].locked) return p.fail("lock_slow of a held object would sleep forever in a single-threaded trace");
    return true;
}

void take_lock(State& s, ResvS& r, std::optional<AcqH> a, Rule why) {
    s.lock_acquire(LockClass::Resv, static_cast<uint32_t>(&r - s.resvs.data()), why == Rule::WW_TRYLOCK,
                   a ? static_cast<int>(a->id) : -1);
    r.locked = true;
    r.holder = a ? static_cast<int>(a->id) : -1;
    r.lock_rule = why;
    r.guarantee = 0;
    if (a) {
        ++s.acqs[a->id].acquired;
        s.acqs[a->id].contending = -1;
    }
}

// dma_resv_lock and friends: the result is judged, the lock taken if it succeeds.
void lock(State& s, ResvH rh, std::optional<AcqH> a, bool interruptible, bool sigpending, bool slow) {
    auto& r = s.resvs[rh.id];
    if (!r.locked) {
        s.expect_ret(slow ? Rule::WW_LOCK_SLOW : interruptible && sigpending ? Rule::WW_INTERRUPTIBLE_EINTR : Rule::WW_LOCK_UNCONTENDED,
                     RetKind::Errno, 0);
        take_lock(s, r, a, slow ? Rule::WW_LOCK_SLOW : Rule::WW_LOCK_UNCONTENDED);
        return;
    }
    if (a && r.holder == static_cast<int>(a->id)) {
        s.expect_ret(Rule::WW_EALREADY, RetKind::Errno, -EALREADY);
        return;
    }
    if (sigpending) {  // contended, would sleep: the signal is seen before the die check
        bool would_die = a && !slow && r.holder >= 0 && s.acqs[a->id].acquired > 0 && s.acqs[r.holder].stamp < s.acqs[a->id].stamp;
        if (!would_die) s.exercise(Rule::WW_OLDER_NEVER_DIES);
        if (!s.producing() && s.obs->ret == -EDEADLK && !would_die)
            s.expect_ret(Rule::WW_OLDER_NEVER_DIES, RetKind::Errno, -EINTR);
        else
            s.expect_ret(slow ? Rule::WW_LOCK_SLOW : Rule::WW_INTERRUPTIBLE_EINTR, RetKind::Errno, -EINTR);
        return;
    }
    s.expect_ret(Rule::WW_WAIT_DIE_YOUNGER, RetKind::Errno, -EDEADLK);
    s.acqs[a->id].contending = static_cast<int>(rh.id);
}

}  // namespace

bool pre(Pre& p, const ResvLock& o) {
    if (!p.resv(o.r) || (o.a.h && !p.acq(*o.a.h))) return false;
    return lock_ok(p, o.r, o.a.h, false, false);
}
void run(State& s, const ResvLock& o) { lock(s, o.r, o.a.h, false, false, false); }

bool pre(Pre& p, const ResvLockInterruptible& o) {
    if (!p.resv(o.r) || (o.a.h && !p.acq(*o.a.h))) return false;
    return lock_ok(p, o.r, o.a.h, o.sigpending, false);
}
void run(State& s, const ResvLockInterruptible& o) { lock(s, o.r, o.a.h, true, o.sigpending, false); }

bool pre(Pre& p, const ResvLockSlow& o) { return p.resv(o.r) && p.acq(o.a) && lock_ok(p, o.r, o.a, false, true) && free_or_fail(p, o.r); }
void run(State& s, const ResvLockSlow& o) {
    s.exercise(Rule::WW_LOCK_SLOW);
    take_lock(s, s.resvs[o.r.id], o.a, Rule::WW_LOCK_SLOW);
}

bool pre(Pre& p, const ResvLockSlowInterruptible& o) {
    return p.resv(o.r) && p.acq(o.a) && lock_ok(p, o.r, o.a, o.sigpending, true) && (o.sigpending || free_or_fail(p, o.r));
}
void run(State& s, const ResvLockSlowInterruptible& o) { lock(s, o.r, o.a, true, o.sigpending, true); }

bool pre(Pre& p, const ResvTrylock& o) { return p.resv(o.r); }
void run(State& s, const ResvTrylock& o) {
    auto& r = s.resvs[o.r.id];
    s.expect_ret(Rule::WW_TRYLOCK, RetKind::Bool, !r.locked);
    if (!r.locked) take_lock(s, r, std::nullopt, Rule::WW_TRYLOCK);
}

bool pre(Pre& p, const ResvUnlock& o) {
    if (!p.resv(o.r) || !p.locked(o.r) || !p.no_locked_iter(o.r)) return false;
    return !p.s.resvs[o.r.id].by_exec || p.fail("r" + std::to_string(o.r.id) + " is held by the drm_exec context: drm_exec_unlock_obj or drm_exec_fini");
}
void run(State& s, const ResvUnlock& o) {
    auto& r = s.resvs[o.r.id];
    if (r.holder >= 0) --s.acqs[r.holder].acquired;
    s.lock_release(LockClass::Resv, o.r.id);
    r.locked = false;
    r.holder = -1;
    r.lock_rule = Rule::WW_UNLOCK;
    r.guarantee = 0;
    // RESV-UNLOCK-FORFEITS-RESERVATION: the list shrinks to its entries (judged at the next reserve)
    if (s.prof.unlock_forfeits_reservation && r.has_list && r.max > r.slots.size()) {
        r.max = static_cast<uint32_t>(r.slots.size());
        r.forfeited = true;
    }
    s.set_suspects(r, Rule::RESV_UNLOCK_KEEPS_FENCES);
}

// ---- lock queries -------------------------------------------------------------------------------
bool pre(Pre& p, const ResvIsLocked& o) { return p.resv(o.r); }
void run(State& s, const ResvIsLocked& o) {
    auto& r = s.resvs[o.r.id];
    s.expect_ret(r.lock_rule, RetKind::Bool, r.locked);
    s.exercise(Rule::WW_IS_LOCKED);
}

bool pre(Pre& p, const ResvLockingCtx& o) {
    return p.resv(o.r) && (!p.s.resvs[o.r.id].by_exec || p.fail("the drm_exec context's ticket has no acquire-context handle"));
}
void run(State& s, const ResvLockingCtx& o) {
    auto& r = s.resvs[o.r.id];
    s.exercise(Rule::WW_LOCKING_CTX);
    Rule why = r.lock_rule == Rule::WW_LOCK_UNCONTENDED || r.lock_rule == Rule::WW_IS_LOCKED ? Rule::WW_LOCKING_CTX : r.lock_rule;
    s.expect_ret(why, RetKind::Ctx, r.locked ? r.holder : -1);
}

}  // namespace resvcheck::detail
