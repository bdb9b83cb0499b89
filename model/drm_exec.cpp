// drm_exec: locking several GEM objects with wait-die back-off and retry (rule area drm_exec).
//
// The trace has at most one context. drm_exec_cleanup is the head of drm_exec_until_all_locked:
// it opens the ticket on the first entry, backs off after a contention (true: run the body again)
// and ends the loop after a clean pass (false). Each reservation object stands for a GEM object;
// the context's locks go through the reservation objects' own lock state (ResvS::by_exec), so the
// resv.lock queries see them, and its references are counted by drm_gem_object_refs.
#include <algorithm>
#include <cerrno>

#include "detail/op_rules.h"

namespace resvcheck::detail {

namespace {

constexpr uint32_t kIgnoreDuplicates = 1u << 1;

bool listed(const ExecS& e, uint32_t r) { return std::find(e.listed.begin(), e.listed.end(), r) != e.listed.end(); }

// The context's references on r's GEM object besides the harness's one.
int exec_refs(const ExecS& e, uint32_t r) {
    if (!e.live) return 0;
    return (listed(e, r) ? 1 : 0) + (e.contended == static_cast<int>(r)) + (e.prelocked == static_cast<int>(r));
}

void exec_lock(State& s, uint32_t r, Rule why) {
    auto& rs = s.resvs[r];
    s.lock_acquire(LockClass::Resv, r, false, static_cast<int>(kExecTicket));
    rs.locked = true;
    rs.by_exec = true;
    rs.holder = -1;
    rs.lock_rule = why;
    rs.guarantee = 0;
}

void exec_unlock(State& s, uint32_t r, Rule why) {
    auto& rs = s.resvs[r];
    s.lock_release(LockClass::Resv, r);
    rs.locked = false;
    rs.by_exec = false;
    rs.lock_rule = why;
    rs.exec_rule = why;
    rs.guarantee = 0;
    if (s.prof.unlock_forfeits_reservation && rs.has_list && rs.max > rs.slots.size()) {
        rs.max = static_cast<uint32_t>(rs.slots.size());
        rs.forfeited = true;
    }
}

// Unlocks the set (newest first) and the prelocked object, dropping their references.
void unlock_all(State& s, Rule why) {
    auto& e = s.exec;
    for (auto it = e.listed.rbegin(); it != e.listed.rend(); ++it) exec_unlock(s, *it, why);
    e.listed.clear();
    if (e.prelocked >= 0) exec_unlock(s, static_cast<uint32_t>(std::exchange(e.prelocked, -1)), why);
}

bool exec_pre(Pre& p) {
    if (!p.s.exec.live) return p.fail("no drm_exec context: drm_exec_init first");
    if (p.s.fail_next) return p.fail("fail_alloc is not honoured by the drm_exec ops");
    return true;
}

// A lock or prepare of r inside the loop body that a single-threaded trace can run: the contended
// object must be free for its slow-path lock, and an object another context holds must make the
// ticket die (it holds something then, and the holder is older), never wait.
bool lock_pre(Pre& p, ResvH r) {
    const auto& s = p.s;
    const auto& e = s.exec;
    if (!exec_pre(p) || !p.resv(r)) return false;
    if (!e.ticket || e.done) return p.fail("drm_exec_lock_obj belongs inside the loop: drm_exec_cleanup must have returned true");
    if (e.deadlk) return p.fail("after -EDEADLK the loop retries: drm_exec_cleanup (or drm_exec_fini) next");
    int acquired = e.acquired();
    if (e.contended >= 0) {
        const auto& c = s.resvs[e.contended];
        if (c.locked) return p.fail("the contended r" + std::to_string(e.contended) + " is held: its slow-path lock would sleep forever");
        acquired = static_cast<int>(e.listed.size()) + 1;
        if (e.contended == static_cast<int>(r.id)) return true;
    }
    const auto& rs = s.resvs[r.id];
    if (!rs.locked || rs.by_exec) return true;
    if (rs.holder >= 0 && acquired > 0 && s.acqs[rs.holder].stamp < e.stamp) return true;  // -EDEADLK
    return p.fail("r" + std::to_string(r.id) + " is held elsewhere: the context would wait forever in a single-threaded trace");
}

// drm_exec_lock_obj's contract; returns whether r is now in the set (newly or already).
bool lock_obj(State& s, ResvH rh, Rule ok_rule) {
    auto& e = s.exec;
    uint32_t r = rh.id;
    if (e.contended >= 0) {  // the contended object first, on the slow path
        uint32_t c = static_cast<uint32_t>(std::exchange(e.contended, -1));
        e.relocked = true;
        s.exercise(Rule::DRM_EXEC_CONTENDED_FIRST);
        exec_lock(s, c, Rule::DRM_EXEC_CONTENDED_FIRST);
        if (e.prelocked >= 0) exec_unlock(s, static_cast<uint32_t>(e.prelocked), Rule::DRM_EXEC_CONTENDED_FIRST);
        e.prelocked = static_cast<int>(c);
        s.resvs[c].exec_rule = Rule::DRM_EXEC_CONTENDED_FIRST;
    }
    auto& rs = s.resvs[r];
    if (e.prelocked == static_cast<int>(r)) {  // already locked: it joins the set
        e.prelocked = -1;
        e.listed.push_back(r);
        rs.exec_rule = Rule::DRM_EXEC_CONTENDED_FIRST;
        s.expect_ret(Rule::DRM_EXEC_CONTENDED_FIRST, RetKind::Errno, 0);
        return true;
    }
    if (rs.by_exec) {
        s.exercise(Rule::DRM_EXEC_DUPLICATE);
        rs.exec_rule = Rule::DRM_EXEC_DUPLICATE;
        s.expect_ret(Rule::DRM_EXEC_DUPLICATE, RetKind::Errno, e.flags & kIgnoreDuplicates ? 0 : -EALREADY);
        return true;
    }
    if (rs.locked) {  // held by an older context: the ticket dies
        s.exercise(Rule::DRM_EXEC_CONTENTION);
        s.expect_ret(Rule::DRM_EXEC_CONTENTION, RetKind::Errno, -EDEADLK);
        e.contended = static_cast<int>(r);
        e.deadlk = true;
        rs.exec_rule = Rule::DRM_EXEC_CONTENTION;
        return false;
    }
    // A wrong answer here is named by the drm_exec op that last unlocked it, if one did.
    Rule why = rs.lock_rule == Rule::DRM_EXEC_BACKOFF || rs.lock_rule == Rule::DRM_EXEC_UNLOCK_OBJ ||
                       rs.lock_rule == Rule::DRM_EXEC_CONTENDED_FIRST || rs.lock_rule == Rule::DRM_EXEC_FINI
                   ? rs.lock_rule
                   : ok_rule;
    s.exercise(ok_rule);
    s.expect_ret(why, RetKind::Errno, 0);
    exec_lock(s, r, ok_rule);
    e.listed.push_back(r);
    rs.exec_rule = ok_rule;
    return true;
}

}  // namespace

bool pre(Pre& p, const DrmExecInit& o) {
    if (p.s.exec.live) return p.fail("one drm_exec context at a time: drm_exec_fini the last one first");
    if (p.s.fail_next) return p.fail("fail_alloc is not honoured by the drm_exec ops");
    return o.flags <= 3 || p.fail("drm_exec_init flags: bit 0 INTERRUPTIBLE_WAIT, bit 1 IGNORE_DUPLICATES");
}
void run(State& s, const DrmExecInit& o) {
    s.exec = ExecS{};
    s.exec.live = true;
    s.exec.flags = o.flags;
}

bool pre(Pre& p, const DrmExecCleanup&) {
    if (!exec_pre(p)) return false;
    if (p.s.exec.done) return p.fail("the loop has ended: drm_exec_cleanup returned false already");
    if (p.s.exec.contended >= 0 && !p.s.exec.deadlk)
        return p.fail("a retry whose body locks nothing retries forever (the contended object is locked by the next lock)");
    return true;
}
void run(State& s, const DrmExecCleanup&) {
    auto& e = s.exec;
    s.exercise(Rule::DRM_EXEC_LOOP_TERMINATES);
    if (!e.ticket) {
        e.ticket = true;
        e.stamp = s.next_stamp++;
        s.lock_acquire(LockClass::Acquire, kExecTicket);
        s.expect_ret(Rule::DRM_EXEC_LOOP_TERMINATES, RetKind::Bool, 1);
        return;
    }
    if (e.contended >= 0) {
        s.exercise(Rule::DRM_EXEC_BACKOFF);
        s.expect_ret(Rule::DRM_EXEC_CONTENTION, RetKind::Bool, 1);
        unlock_all(s, Rule::DRM_EXEC_BACKOFF);
        e.deadlk = e.relocked = false;
        return;
    }
    // a retry pass ends the loop because it relocked the contended object first
    s.expect_ret(e.relocked ? Rule::DRM_EXEC_CONTENDED_FIRST : Rule::DRM_EXEC_LOOP_TERMINATES, RetKind::Bool, 0);
    if (e.prelocked >= 0) {  // relocked but never requested again: let go
        s.exercise(Rule::DRM_EXEC_CONTENDED_FIRST);
        exec_unlock(s, static_cast<uint32_t>(std::exchange(e.prelocked, -1)), Rule::DRM_EXEC_CONTENDED_FIRST);
    }
    e.done = true;
}

bool pre(Pre& p, const DrmExecLockObj& o) { return lock_pre(p, o.r); }
void run(State& s, const DrmExecLockObj& o) { lock_obj(s, o.r, Rule::DRM_EXEC_LOCKED_SET); }

bool pre(Pre& p, const DrmExecPrepareObj& o) {
    if (!lock_pre(p, o.r)) return false;
    if (o.num_fences == 0 || o.num_fences > kMaxReserve) return p.fail("prepare_obj num_fences=1.." + std::to_string(kMaxReserve));
    if (p.s.resvs[o.r.id].slots.size() + o.num_fences > 200) return p.fail("lists are limited to 200 entries");
    return true;
}
void run(State& s, const DrmExecPrepareObj& o) {
    auto& e = s.exec;
    bool dup = s.resvs[o.r.id].by_exec && e.prelocked != static_cast<int>(o.r.id);
    if (!lock_obj(s, o.r, Rule::DRM_EXEC_LOCKED_SET) || (dup && !(e.flags & kIgnoreDuplicates))) return;
    // then it reserves on the locked object, as dma_resv_reserve_fences does (reserve_add.cpp); a
    // BUG() of a later add that relies on these slots is named by this rule
    s.exercise(Rule::DRM_EXEC_PREPARE_RESERVES);
    run(s, ResvReserveFences{o.r, o.num_fences});
    s.resvs[o.r.id].reserve_rule = Rule::DRM_EXEC_PREPARE_RESERVES;
}

bool pre(Pre& p, const DrmExecUnlockObj& o) { return exec_pre(p) && p.resv(o.r) && p.no_locked_iter(o.r); }
void run(State& s, const DrmExecUnlockObj& o) {
    auto& e = s.exec;
    auto it = std::find(e.listed.begin(), e.listed.end(), o.r.id);
    if (it == e.listed.end()) return;  // not in the set: nothing happens
    s.exercise(Rule::DRM_EXEC_UNLOCK_OBJ);
    e.listed.erase(it);
    exec_unlock(s, o.r.id, Rule::DRM_EXEC_UNLOCK_OBJ);
}

bool pre(Pre& p, const DrmExecFini&) {
    if (!exec_pre(p)) return false;
    for (uint32_t r : p.s.exec.listed)
        if (!p.no_locked_iter(ResvH{r})) return false;
    return true;
}
void run(State& s, const DrmExecFini&) {
    auto& e = s.exec;
    s.exercise(Rule::DRM_EXEC_FINI);
    unlock_all(s, Rule::DRM_EXEC_FINI);
    if (e.contended >= 0) s.resvs[e.contended].exec_rule = Rule::DRM_EXEC_FINI;
    if (e.ticket) s.lock_release(LockClass::Acquire, kExecTicket);
    e = ExecS{};
}

bool pre(Pre& p, const DrmExecListed& o) { return (p.s.exec.live || p.fail("no drm_exec context")) && p.resv(o.r); }
void run(State& s, const DrmExecListed& o) {
    s.exercise(Rule::DRM_EXEC_LOCKED_SET);
    s.expect_ret(s.resvs[o.r.id].exec_rule == Rule::DRM_EXEC_FINI ? Rule::DRM_EXEC_LOCKED_SET : s.resvs[o.r.id].exec_rule,
                 RetKind::Errno, listed(s.exec, o.r.id) ? 1 : 0);
}

bool pre(Pre& p, const DrmGemObjectRefs& o) { return p.resv(o.r); }
void run(State& s, const DrmGemObjectRefs& o) {
    s.expect_ret(s.resvs[o.r.id].exec_rule, RetKind::Errno, 1 + exec_refs(s.exec, o.r.id));
}

}  // namespace resvcheck::detail

namespace resvcheck {

int Model::State::exec_phase() const {
    if (!exec.live) return -1;
    if (!exec.ticket) return 0;
    if (exec.done) return 3;
    return exec.deadlk ? 2 : 1;
}
bool Model::State::exec_listed(uint32_t r) const { return exec.live && detail::listed(exec, r); }
bool Model::State::exec_older(uint32_t a) const {
    return exec.live && exec.ticket && a < acqs.size() && acqs[a].live && acqs[a].stamp < exec.stamp;
}

}  // namespace resvcheck
