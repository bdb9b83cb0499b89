// detail/model_state.h - the model's state and judging context, shared by the files of model/
// (internal: nothing outside model/ includes it). Handles index flat vectors.
//
// Each file of model/ holds one rule area of spec/rules.def: its ops' preconditions, effects and
// judgements side by side (detail/op_rules.h lists which op lives where). The helpers declared on
// State are defined next to the rules they serve: judging and blame in judge.cpp, seqno order and
// signalling in fence.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model.h"

namespace resvcheck::detail {

struct CtxS {
    bool live = false;
    bool seq64 = false;
};

// What a fence handle names: a harness fence, or a container or stub the kernel code made
// (containers.cpp). Only plain fences have a context handle (ctx) and report their release.
enum class FenceKind : uint8_t { Plain, Chain, Array, Stub };
inline constexpr uint32_t kNoCtx = UINT32_MAX;

struct FenceS {
    bool live = false;       // initialised and not released
    bool released = false;
    uint32_t ctx = 0;
    uint64_t seqno = 0;
    bool signaled = false;
    int64_t error = 0;
    bool late = false;           // exact: an error was stored after signalling
    bool error_unknown = false;  // contract: a late set_error may or may not have been stored
    int64_t late_error = 0;
    int harness = 0;   // references the harness holds
    int iter = 0;      // references held by unlocked cursors
    int slots = 0;     // entries (required or optional) naming it, in every object
    int required = 0;  // entries that must be present while it is unsignalled
    std::vector<uint32_t> pending;  // callbacks, in registration order
    uint32_t removed_by = 0;        // entries of it removed by the model, by reason (judge.cpp)
    // containers (containers.cpp)
    FenceKind kind = FenceKind::Plain;
    int held = 0;                   // references containers hold on it
    int prev = -1;                  // chain: the earlier link or non-chain tail, -1 none
    int contained = -1;             // chain: the fence it contains
    uint64_t prev_seqno = 0;        // chain
    uint64_t timeline = 0;          // chain: its context, in the model's own numbering
    bool new_timeline_after_prev = false;  // chain: its seqno was not later than its chain prev's
    std::optional<uint64_t> raised_from;  // chain: the seqno given, when chain_init raised it to prev's
    bool any = false;               // array: signal_on_any
    std::vector<uint32_t> members;  // array, in order
};

struct CbS {
    bool used = false;
    bool pending = false;
    uint32_t fence = 0;
};

struct AcqS {
    bool live = false;
    bool done = false;
    uint64_t stamp = 0;
    int acquired = 0;
    int contending = -1;    // object whose lock returned -EDEADLK: the only one lock_slow may take
};

// One entry of a fence list. Under exact profiles every slot is present, in order. Under the
// contract profile a slot is an "instance": required ones must be listed while unsignalled,
// optional ones (superseded, or signalled) may or may not be.
struct Slot {
    uint64_t id = 0;       // identity of the entry (contract iterators tell entries of one fence apart)
    uint32_t f = 0;
    Usage u = Usage::KERNEL;
    bool required = true;
    Rule origin = Rule::RESV_ADD_LISTED;   // how it got here: names usage mismatches
    Rule suspect = Rule::RESV_ADD_LISTED;  // the last op that must not have removed it; RESV_USAGE_FILTER:
                                           // no op since a walk with usage seen_u listed it
    Usage seen_u = Usage::KERNEL;
};

// An entry the model knows is gone, and the rule that removed it (names a wrongly kept entry).
struct Gone {
    uint32_t f = 0;
    Usage u = Usage::KERNEL;
    Rule why = Rule::RESV_NO_PHANTOM;
};

struct ResvS {
    bool live = false;
    bool locked = false;
    int holder = -1;        // acquire context, or -1 (plain lock, trylock, unlocked, drm_exec)
    bool by_exec = false;   // held under the drm_exec context's ticket
    Rule reserve_rule = Rule::RESV_RESERVE_GUARANTEE;  // what made the current reservation (names an add's BUG)
    Rule exec_rule = Rule::DRM_EXEC_FINI;  // the drm_exec op that last changed its listing or references
    Rule lock_rule = Rule::WW_IS_LOCKED;  // the op that last changed the lock state
    bool has_list = false;
    uint32_t max = 0;       // capacity (exact profiles)
    bool forfeited = false; // debug profile: unlock took the unused slots away
    uint64_t gen = 0;       // list identity: changes when the list object is replaced
    uint64_t mod = 0;       // bumps on every write (contract restarts)
    int guarantee = 0;      // appends guaranteed by reservations under the current lock
    bool ever_listed = false;
    // contract: the kernel's list may still hold an entry of a signalled fence (one was listed when
    // it signalled, or was dropped from `slots` signalled): a re-add may reuse that slot
    bool may_hold_signaled = false;
    std::vector<Slot> slots;
    std::vector<Gone> gone;
};

struct IterS {
    bool live = false;
    int mode = 0;           // 0 begun, 1 locked, 2 unlocked
    uint32_t r = 0;
    Usage u = Usage::KERNEL;
    int cur = -1;           // fence the unlocked cursor holds a reference on
    // exact cursor
    uint64_t gen = 0;
    bool has_list = false;
    size_t index = 0;
    size_t num = 0;
    Usage fence_usage = Usage::KERNEL;  // usage of the last entry the cursor read
    // contract bookkeeping since the last (re)start
    uint64_t mod_at_restart = 0;
    std::vector<Slot> at_restart;
    std::vector<Entry> yielded;
    std::vector<uint64_t> yielded_ids;
};


// The trace's one drm_exec context (model/drm_exec.cpp). Every reservation object stands for a GEM
// object: the harness holds one reference, the context one per listed, contended or prelocked use.
struct ExecS {
    bool live = false;
    uint32_t flags = 0;
    bool ticket = false;    // the first cleanup ran ww_acquire_init
    uint64_t stamp = 0;
    bool done = false;      // a cleanup returned false (ww_acquire_done)
    bool deadlk = false;    // -EDEADLK since the last cleanup: only cleanup or fini may follow
    bool relocked = false;  // this pass began by relocking the contended object (what lets the loop end)
    int contended = -1;     // the object that died, referenced, not locked; relocked by the next lock
    int prelocked = -1;     // the contended object relocked on the slow path, locked, not listed
    std::vector<uint32_t> listed;  // the locked set, in locking order
    int acquired() const { return static_cast<int>(listed.size()) + (prelocked >= 0); }
};
inline constexpr uint32_t kExecTicket = 0x10000;  // the lock recorder's instance of the context's ticket

// Lock classes of the lock-order rules (model/locking.cpp): the pseudo-locks of the primed order,
// every reservation lock (one class), acquire contexts, and the driver's named locks.
enum class LockClass : uint8_t { FenceMap, Resv, Acquire, FsReclaim, MmuMap, MmapLock, IMmap, Driver0 };
inline constexpr uint32_t kDriverLocks = 4;
inline constexpr size_t kLockClasses = static_cast<size_t>(LockClass::Driver0) + kDriverLocks;
LockClass driver(uint32_t k);  // the class of driver lock k

struct HeldS {
    LockClass cls;
    uint32_t inst = 0;   // resv or acquire context id, 0 for the rest
    bool trylock = false;
    int nest = -1;       // acquire context taken as nest lock
};

struct LockReport {
    enum Kind : uint8_t { Cycle, Recursive, Unbalanced } kind;
    LockClass held, taken;  // taken only for cycles
    friend bool operator==(const LockReport&, const LockReport&) = default;
};

// The lock-dependency state of the trace's one task: its held locks, the dependencies between
// classes (bit j of deps[i]: i before j) starting from the primed order, and whether the checker
// has stopped after its first report.
struct LockS {
    std::vector<HeldS> held;
    std::array<uint16_t, kLockClasses> deps = primed();
    bool stopped = false;
    std::optional<LockReport> report;  // during the current op
    bool waited = false;               // the current op ran a wait annotation
    bool ended = false;                // the current op left a signalling section
    bool sectioned = false;            // the current op ran inside a signalling section
    static std::array<uint16_t, kLockClasses> primed();
};

inline constexpr int64_t kERESTARTSYS = 512;
inline constexpr size_t kMaxGone = 64;

inline bool usage_le(Usage a, Usage b) { return static_cast<int>(a) <= static_cast<int>(b); }
std::string entry_text(uint32_t f, std::optional<Usage> u);
// What a fence list of `requested` entries really holds (SLUB buckets, x86-64).
uint32_t list_capacity(uint64_t requested);

}  // namespace resvcheck::detail

namespace resvcheck {

struct Model::State final : StateView {
    using CtxS = detail::CtxS;
    using FenceS = detail::FenceS;
    using CbS = detail::CbS;
    using AcqS = detail::AcqS;
    using Slot = detail::Slot;
    using ResvS = detail::ResvS;
    using IterS = detail::IterS;
    using FenceKind = detail::FenceKind;

    Profile prof;
    std::vector<CtxS> ctxs;
    std::vector<FenceS> fences;
    std::vector<ResvS> resvs;
    std::vector<IterS> iters;
    std::vector<AcqS> acqs;
    std::vector<CbS> cbs;
    uint64_t next_stamp = 1;
    uint64_t next_gen = 1;
    uint64_t next_slot = 1;
    Slot make_slot(uint32_t f, Usage u, bool required, Rule origin, Rule suspect) {
        return Slot{next_slot++, f, u, required, origin, suspect};
    }
    std::vector<uint64_t> exercised;
    detail::LockS locks;
    std::vector<int> sig_cookies;  // cookies of the open SigBegin ops, innermost last (for generators)
    detail::ExecS exec;

    // ---- per-op judging context ----
    const Observation* obs = nullptr;  // judging this observation, or
    Observation* out = nullptr;        // producing the canonical one
    size_t op_index = 0;
    std::optional<Divergence> div;
    std::vector<uint32_t> touched;     // fences whose references changed during the op
    std::vector<uint32_t> exp_callbacks;
    uint32_t exp_warnings = 0;
    Rule warn_rule = Rule::WARN_ONLY_PREDICTED;
    Rule ref_rule = Rule::FENCE_REF_RELEASE;  // names a missing release during this op
    Rule early_release = Rule::FENCE_REF_NO_EARLY_RELEASE;  // names a release this op must not make
    std::vector<uint32_t> exp_deadlines;
    std::optional<Rule> first_ret_rule;            // the rule behind the op's expected result
    std::vector<std::pair<uint32_t, Rule>> buried;  // entries the op removed, and why
    // scratch buffers of judge_releases and judge_walk, kept so that judging an op allocates nothing
    std::vector<uint32_t> must_release_scratch;
    std::vector<Entry> walk_want;
    std::vector<char> walk_matched;

    explicit State(const Profile& p) : prof(p) { exercised.assign(all_rules().size(), 0); }
    // The initial state again, keeping `old`'s exercised counts and its buffers' capacity (a new
    // trace then allocates nothing until it outgrows the last one).
    struct Recycle {};
    State(State&& old, Recycle);

    // ---- StateView (model.cpp) ----
    uint32_t count(HandleKind k) const override;
    bool alive(HandleKind k, uint32_t id) const override;
    uint32_t live(HandleKind k, uint32_t from, std::span<uint32_t> out) const override;
    bool resv_locked(uint32_t r) const override;
    int resv_holder(uint32_t r) const override;
    int resv_reserved(uint32_t r) const override;
    bool fence_signaled(uint32_t f) const override;
    uint64_t fence_seqno(uint32_t f) const override;
    uint32_t fence_ctx(uint32_t f) const override;
    int fence_kind(uint32_t f) const override;
    int acq_acquired(uint32_t a) const override;
    int acq_contending(uint32_t a) const override;
    int iter_mode(uint32_t i) const override;
    uint32_t iter_resv(uint32_t i) const override;
    bool cb_pending(uint32_t cb) const override;
    int cb_fence(uint32_t cb) const override;
    int sig_cookie() const override;
    bool driver_locked(uint32_t c) const override;
    int exec_phase() const override;
    bool exec_listed(uint32_t r) const override;
    bool exec_older(uint32_t a) const override;
    int exec_acquired() const override { return exec.acquired(); }

    // ---- judging helpers (judge.cpp) ----
    bool producing() const { return out != nullptr; }
    const Observation& seen() const { return producing() ? *out : *obs; }
    void exercise(Rule r) { ++exercised[static_cast<size_t>(r)]; }
    void fail(Rule r, std::string allowed, std::string observed);
    std::string ret_text(RetKind k, int64_t v) const;
    // The return value must be `want`.
    void expect_ret(Rule r, RetKind k, int64_t want);
    // The return value may be any of `allowed`; the first is the canonical choice. Returns the
    // value taken (adopted).
    int64_t expect_ret_any(Rule r, RetKind k, std::initializer_list<int64_t> allowed);
    void expect_warn(Rule r, uint32_t n = 1);
    // Time: the jiffies the op slept on the implementation's virtual clock (0 from one without a
    // clock, and when producing), and the judgement that it slept exactly `want`.
    uint32_t slept() const { return producing() ? 0 : obs->slept; }
    void expect_slept(Rule r, uint32_t want);
    // The op BUG()s (a misuse the kernel catches): `required`, or one behaviour the contract allows.
    // The trace ends after it (ended).
    void expect_bug(Rule r, bool required);
    std::optional<Rule> bug_allowed;  // during the op: a BUG here is the predicted one
    bool ended = false;               // nothing may follow the last op (Model::ended)
    bool in_block = false;            // the ops of a concurrent block (Model::set_in_block)
    // Callbacks, WARNs and deadline hooks the op ran, against those expected (any op can have them).
    void judge_side_effects(const Op& op);
    void judge_lockdep();  // locking.cpp

    // Lock acquisitions as the implementation's annotations make them (locking.cpp).
    void lock_acquire(detail::LockClass c, uint32_t inst = 0, bool trylock = false, int nest = -1);
    void lock_release(detail::LockClass c, uint32_t inst = 0);
    bool sig_begin();             // the cookie
    void sig_end(bool cookie);
    void might_wait();            // __dma_fence_might_wait
    void reclaim_acquire(uint32_t gfp);  // fs_reclaim_acquire(gfp)
    void reclaim_release(uint32_t gfp);

    // ---- references and removed entries (judge.cpp) ----
    void touch(uint32_t f) { touched.push_back(f); }
    void add_slot_ref(const Slot& s);
    void drop_slot_ref(const Slot& s);
    void demote(Slot& s);  // contract: the entry becomes optional
    void bury(ResvS& r, const Slot& s, Rule why);  // the entry is gone because of `why`
    void unbury(ResvS& r, uint32_t f);
    void judge_releases();

    // ---- allocation failure (fail_alloc: alloc.cpp) ----
    uint32_t fail_next = 0;   // armed by fail_alloc for the op after it
    uint32_t fail_at = 0;     // this op: its fail_at-th allocation fails (0: none)
    uint32_t alloc_seen = 0;  // allocations this op has made so far
    // The op makes an allocation: does it fail?
    bool alloc_fails() { return fail_at != 0 && ++alloc_seen == fail_at; }
    // Under fail_alloc, whether the op's next allocation fails when the model cannot tell whether
    // the implementation allocates at all (contract): either is allowed, the observation decides.
    bool alloc_may_fail(Rule r, RetKind k, int64_t failed, int64_t ok);

    // ---- containers (containers.cpp) ----
    uint64_t next_timeline = 1;
    bool is_container(uint32_t f) const { return fences[f].kind == FenceKind::Chain || fences[f].kind == FenceKind::Array; }
    void hold(uint32_t f);
    void unhold(uint32_t f);
    // dma_fence_is_signaled on any fence: containers are polled (chains collect signalled links).
    bool poll(uint32_t f);
    // The fences dma_fence_chain_for_each(head) visits, collecting as it goes; stops after the
    // first visited fence for which stop() is true (which is then the last entry).
    template <typename Stop>
    void chain_walk(uint32_t head, std::vector<uint32_t>& visited, Stop&& stop);
    void unwrap(uint32_t head, std::vector<uint32_t>& leaves);
    // Releases containers whose last reference went during the op (their own releases are not
    // reported, the references they held are dropped); before judge_releases.
    void settle_containers();

    // ---- fences (fence.cpp) ----
    bool later(uint32_t a, uint32_t b) const;
    bool later_or_same(uint32_t a, uint32_t b) const;
    Rule seqno_rule(uint32_t a, uint32_t b) const;
    void signal(uint32_t f);
    void judge_callbacks();

    // ---- fence lists: judging walks (judge.cpp) ----
    enum class Walk { Locked, Unlocked, FencesOnly };
    bool in_scope(const Slot& s, Usage u, Walk w) const;
    bool must_list(const Slot& s) const;
    // Why an observed entry should not be there.
    Rule diagnose_extra(const ResvS& r, const Entry& e, Usage u, Walk w, bool with_usage) const;
    // The op reads r's fence list: one that never had a list reads what init left, so a BUG there
    // (a NULL or stale list pointer) is init's (RESV-INIT-EMPTY), not the reading op's.
    void reads_list(const ResvS& r) {
        if (!r.ever_listed && !first_ret_rule) first_ret_rule = Rule::RESV_INIT_EMPTY;
    }
    // Judges a complete walk (or query result) of r with usage u. `observed` is the adapter's
    // list, or is filled with the canonical one when producing. `main` names a result whose
    // mismatch has no more specific cause; `override_rule` names every mismatch (deadlines).
    void judge_walk(ResvS& r, Usage u, Walk w, std::vector<Entry>& observed, Rule main,
                    std::optional<Rule> override_rule = std::nullopt);
    // Does a query with usage u find an unsignalled fence? Contract: required -> yes; only
    // optional -> either; returns {must, may}.
    std::pair<bool, bool> busy(const ResvS& r, Usage u) const;
    // A query observed nothing unsignalled in scope: optional entries there are gone.
    void adopt_idle(ResvS& r, Usage u);
    void set_suspects(ResvS& r, Rule rule);
    void replace_list(ResvS& r);
};

}  // namespace resvcheck
