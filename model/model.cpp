// The reference model. Every check names the rule it enforces (spec/rules.def); each op handler
// states what the contract allows, compares it with the observation (or produces the canonical
// observation for the model adapter), and advances the state.
#include "model.h"

#include <algorithm>
#include <bit>
#include <cerrno>

#include "state.h"
#include "text_format.h"

namespace resvcheck {

using namespace detail;

namespace {

constexpr int64_t kERESTARTSYS = 512;
constexpr uint32_t kMaxReserve = 64;   // keeps lists within the observation limit
constexpr size_t kMaxGone = 64;

bool usage_le(Usage a, Usage b) { return static_cast<int>(a) <= static_cast<int>(b); }

std::string entry_text(uint32_t f, std::optional<Usage> u) {
    std::string s = "f" + std::to_string(f);
    if (u) s += ":" + std::string(usage_name(*u));
    return s;
}

// SLUB kmalloc buckets (x86-64): what a fence list of a requested size really gets.
uint64_t kmalloc_bucket(uint64_t size) {
    static constexpr uint64_t kBuckets[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
    for (uint64_t b : kBuckets)
        if (size <= b) return b;
    return std::bit_ceil(size);  // page-order allocation
}
uint32_t list_capacity(uint64_t requested) {
    constexpr uint64_t header = 24, entry = 8;  // rcu_head + two u32; one tagged pointer per slot
    return static_cast<uint32_t>((kmalloc_bucket(header + entry * requested) - header) / entry);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
struct Model::State final : StateView {
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
    std::vector<uint32_t> exp_deadlines;
    std::optional<Rule> first_ret_rule;            // the rule behind the op's expected result
    std::vector<std::pair<uint32_t, Rule>> buried;  // entries the op removed, and why

    explicit State(const Profile& p) : prof(p) { exercised.assign(all_rules().size(), 0); }

    // ---- StateView ----
    template <typename V>
    static bool in(const V& v, uint32_t id) { return id < v.size(); }
    uint32_t count(HandleKind k) const override {
        switch (k) {
        case HandleKind::Resv: return static_cast<uint32_t>(resvs.size());
        case HandleKind::Fence: return static_cast<uint32_t>(fences.size());
        case HandleKind::Ctx: return static_cast<uint32_t>(ctxs.size());
        case HandleKind::Iter: return static_cast<uint32_t>(iters.size());
        case HandleKind::Acq: return static_cast<uint32_t>(acqs.size());
        case HandleKind::Cb: return static_cast<uint32_t>(cbs.size());
        }
        return 0;
    }
    bool alive(HandleKind k, uint32_t id) const override {
        switch (k) {
        case HandleKind::Resv: return in(resvs, id) && resvs[id].live;
        case HandleKind::Fence: return in(fences, id) && fences[id].live && fences[id].harness > 0;
        case HandleKind::Ctx: return in(ctxs, id) && ctxs[id].live;
        case HandleKind::Iter: return in(iters, id) && iters[id].live;
        case HandleKind::Acq: return in(acqs, id) && acqs[id].live;
        case HandleKind::Cb: return in(cbs, id);
        }
        return false;
    }
    bool resv_locked(uint32_t r) const override { return in(resvs, r) && resvs[r].locked; }
    int resv_holder(uint32_t r) const override { return in(resvs, r) ? resvs[r].holder : -1; }
    int resv_reserved(uint32_t r) const override { return in(resvs, r) ? resvs[r].guarantee : 0; }
    bool fence_signaled(uint32_t f) const override { return in(fences, f) && fences[f].signaled; }
    uint64_t fence_seqno(uint32_t f) const override { return in(fences, f) ? fences[f].seqno : 0; }
    uint32_t fence_ctx(uint32_t f) const override { return in(fences, f) ? fences[f].ctx : 0; }
    int acq_acquired(uint32_t a) const override { return in(acqs, a) ? acqs[a].acquired : 0; }
    int acq_contending(uint32_t a) const override { return in(acqs, a) ? acqs[a].contending : -1; }
    int iter_mode(uint32_t i) const override { return in(iters, i) && iters[i].live ? iters[i].mode : -1; }
    uint32_t iter_resv(uint32_t i) const override { return in(iters, i) ? iters[i].r : 0; }
    bool cb_pending(uint32_t cb) const override { return in(cbs, cb) && cbs[cb].pending; }
    int cb_fence(uint32_t cb) const override { return in(cbs, cb) && cbs[cb].used ? static_cast<int>(cbs[cb].fence) : -1; }

    // ---- judging helpers ----
    bool producing() const { return out != nullptr; }
    const Observation& seen() const { return producing() ? *out : *obs; }
    void exercise(Rule r) { ++exercised[static_cast<size_t>(r)]; }
    void fail(Rule r, std::string allowed, std::string observed) {
        if (!div) div = Divergence{r, op_index, std::move(allowed), std::move(observed)};
    }

    std::string ret_text(RetKind k, int64_t v) const {
        switch (k) {
        case RetKind::Bool: return v ? "true" : "false";
        case RetKind::Errno: return v < 0 ? errno_name(v) : std::to_string(v);
        case RetKind::Usage: return v >= 0 && v < kUsages ? std::string(usage_name(static_cast<Usage>(v))) : std::to_string(v);
        case RetKind::Ctx: return v < 0 ? "none" : "a" + std::to_string(v);
        default: return std::to_string(v);
        }
    }
    // The return value must be `want`.
    void expect_ret(Rule r, RetKind k, int64_t want) {
        exercise(r);
        if (!first_ret_rule) first_ret_rule = r;
        if (producing()) {
            out->ret = want;
            return;
        }
        if (obs->ret != want) fail(r, "returns " + ret_text(k, want), "returned " + ret_text(k, obs->ret));
    }
    // The return value may be any of `allowed`; the first is the canonical choice. Returns the
    // value taken (adopted).
    int64_t expect_ret_any(Rule r, RetKind k, std::initializer_list<int64_t> allowed) {
        exercise(r);
        if (!first_ret_rule) first_ret_rule = r;
        if (producing()) return out->ret = *allowed.begin();
        if (std::find(allowed.begin(), allowed.end(), obs->ret) == allowed.end()) {
            std::string a;
            for (auto v : allowed) a += (a.empty() ? "returns " : " or ") + ret_text(k, v);
            fail(r, a, "returned " + ret_text(k, obs->ret));
        }
        return obs->ret;
    }
    void expect_warn(Rule r, uint32_t n = 1) {
        exp_warnings += n;
        warn_rule = r;
        exercise(r);
    }

    // ---- references ----
    void touch(uint32_t f) { touched.push_back(f); }
    void add_slot_ref(const Slot& s) {
        auto& fs = fences[s.f];
        ++fs.slots;
        if (s.required) ++fs.required;
        touch(s.f);
    }
    void drop_slot_ref(const Slot& s) {
        auto& fs = fences[s.f];
        --fs.slots;
        if (s.required) --fs.required;
        touch(s.f);
    }
    void demote(Slot& s) {
        if (s.required) {
            s.required = false;
            --fences[s.f].required;
            touch(s.f);
        }
    }
    // Removals an adapter may have missed, the subtle kernel-specific ones first: they explain a
    // release that does not happen later.
    static constexpr Rule kLikelyMissed[] = {
        Rule::RESV_ADD_REUSE_SIGNALED, Rule::RESV_RESERVE_PRUNES_SIGNALED, Rule::RESV_UNLOCK_FORFEITS_RESERVATION,
        Rule::RESV_ADD_REPLACE_SAME_CONTEXT, Rule::RESV_REPLACE_ALL_OF_CONTEXT, Rule::RESV_COPY_REPLACES_DST};
    static uint32_t removal_bit(Rule r) {
        for (size_t k = 0; k < std::size(kLikelyMissed); ++k)
            if (kLikelyMissed[k] == r) return 1u << k;
        return 0;
    }
    void bury(ResvS& r, const Slot& s, Rule why) {
        buried.emplace_back(s.f, why);
        fences[s.f].removed_by |= removal_bit(why);
        if (r.gone.size() >= kMaxGone) r.gone.erase(r.gone.begin());
        r.gone.push_back({s.f, s.u, why});
    }
    void unbury(ResvS& r, uint32_t f) {
        std::erase_if(r.gone, [&](const Gone& g) { return g.f == f; });
    }
    // Releases: which fences must and may have been released by now.
    bool must_release(const FenceS& fs) const { return !fs.released && fs.harness == 0 && fs.iter == 0 && fs.slots == 0; }
    bool may_release(const FenceS& fs) const {
        if (fs.released || fs.harness != 0 || fs.iter != 0) return false;
        if (prof.exact) return fs.slots == 0;
        return fs.signaled ? true : fs.required == 0;  // only optional entries may still name it
    }
    void forget_fence_slots(uint32_t f) {
        for (auto& r : resvs) {
            for (auto& s : r.slots)
                if (s.f == f) drop_slot_ref(s);
            std::erase_if(r.slots, [&](const Slot& s) { return s.f == f; });
        }
    }
    void judge_releases() {
        const auto& o = seen();
        std::vector<uint32_t> must;
        std::sort(touched.begin(), touched.end());
        touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
        for (uint32_t f : touched)
            if (must_release(fences[f])) must.push_back(f);
        if (producing()) {
            for (uint32_t f : must) out->released.push_back(FenceH{f});
        } else {
            for (auto h : o.released) {
                uint32_t f = h.id;
                exercise(Rule::FENCE_REF_RELEASE_ONCE);
                exercise(Rule::FENCE_REF_NO_EARLY_RELEASE);
                if (f >= fences.size() || !fences[f].live) {
                    if (f < fences.size() && fences[f].released)
                        fail(Rule::FENCE_REF_RELEASE_ONCE, "f" + std::to_string(f) + " was already released",
                             "released f" + std::to_string(f) + " again");
                    else
                        fail(Rule::RESV_NO_PHANTOM, "no such fence", "released f" + std::to_string(f));
                    continue;
                }
                if (!may_release(fences[f])) {
                    const auto& fs = fences[f];
                    fail(Rule::FENCE_REF_NO_EARLY_RELEASE,
                         "f" + std::to_string(f) + " stays alive (references: caller " + std::to_string(fs.harness) +
                             ", reservation entries " + std::to_string(prof.exact ? fs.slots : fs.required) +
                             ", cursors " + std::to_string(fs.iter) + ")",
                         "released f" + std::to_string(f));
                }
            }
            for (uint32_t f : must) {
                exercise(ref_rule);
                bool seen_it = std::any_of(o.released.begin(), o.released.end(), [&](FenceH h) { return h.id == f; });
                // the entry this op removed explains the missing release best
                Rule why = ref_rule;
                bool this_op = false;
                for (const auto& [bf, br] : buried)
                    if (bf == f) {
                        this_op = true;
                        if (br == Rule::RESV_ADD_REUSE_SIGNALED) why = br;  // the slot was not reused
                    }
                // An entry removed by an earlier op still holds a reference in the adapter: name
                // the rule that removed it, the subtle kernel-specific removals first.
                if (!this_op && ref_rule == Rule::FENCE_REF_RELEASE) {
                    for (Rule k : kLikelyMissed)
                        if (fences[f].removed_by & removal_bit(k)) {
                            why = k;
                            break;
                        }
                }
                if (!seen_it)
                    fail(why, "f" + std::to_string(f) + " released (its last reference was dropped)",
                         "f" + std::to_string(f) + " not released");
            }
        }
        // Adopt: released fences are gone everywhere.
        for (auto h : o.released) {
            uint32_t f = h.id;
            if (f < fences.size() && fences[f].live && !fences[f].released && may_release(fences[f])) {
                if (fences[f].slots) forget_fence_slots(f);
                fences[f].live = false;
                fences[f].released = true;
            }
        }
    }

    // ---- fences ----
    bool later(uint32_t a, uint32_t b) const {
        const auto& fa = fences[a];
        const auto& fb = fences[b];
        if (ctxs[fa.ctx].seq64) return fa.seqno > fb.seqno;
        return static_cast<int32_t>(static_cast<uint32_t>(fa.seqno) - static_cast<uint32_t>(fb.seqno)) > 0;
    }
    bool later_or_same(uint32_t a, uint32_t b) const { return a == b || later(a, b); }
    Rule seqno_rule(uint32_t a, uint32_t b) const {
        if (fences[a].seqno == fences[b].seqno) return Rule::FENCE_LATER_STRICT;
        return ctxs[fences[a].ctx].seq64 ? Rule::FENCE_SEQNO_LATER_64 : Rule::FENCE_SEQNO_LATER_32;
    }
    void signal(uint32_t f) {
        auto& fs = fences[f];
        fs.signaled = true;
        for (uint32_t cb : fs.pending) {
            cbs[cb].pending = false;
            exp_callbacks.push_back(cb);
        }
        fs.pending.clear();
        touch(f);  // a signalled fence's optional entries may now be dropped
    }

    // ---- fence lists: judging walks ----
    enum class Walk { Locked, Unlocked, FencesOnly };

    bool in_scope(const Slot& s, Usage u, Walk w) const {
        return usage_le(s.u, u) && (w == Walk::Locked || !fences[s.f].signaled);
    }
    bool must_list(const Slot& s) const { return prof.exact || (s.required && !fences[s.f].signaled); }

    // Why an observed entry should not be there.
    Rule diagnose_extra(const ResvS& r, const Entry& e, Usage u, Walk w, bool with_usage) const {
        uint32_t f = e.fence.id;
        bool listed = false, listed_other_usage = false;
        Rule origin = Rule::RESV_ADD_LISTED;
        for (const auto& s : r.slots) {
            if (s.f != f) continue;
            listed = true;
            if (with_usage && s.u != e.usage) {
                listed_other_usage = true;
                origin = s.origin;
            }
        }
        if (f < fences.size() && fences[f].signaled && w != Walk::Locked && listed) return Rule::RESV_ITER_UNLOCKED_SKIPS_SIGNALED;
        if (with_usage && !usage_le(e.usage, u)) return Rule::RESV_USAGE_FILTER;
        for (const auto& s : r.slots)
            if (s.f == f && (!with_usage || s.u == e.usage) && !usage_le(s.u, u)) return Rule::RESV_USAGE_FILTER;
        for (auto it = r.gone.rbegin(); it != r.gone.rend(); ++it)
            if (it->f == f && (!with_usage || it->u == e.usage)) return it->why;
        if (listed_other_usage) return origin;
        if (listed) return Rule::RESV_ITER_ONCE_PER_ENTRY;
        for (auto it = r.gone.rbegin(); it != r.gone.rend(); ++it)
            if (it->f == f) return it->why;
        return r.ever_listed ? Rule::RESV_NO_PHANTOM : Rule::RESV_INIT_EMPTY;
    }

    // A walk with usage U that returned only entries of usage U (or nothing) while stronger ones,
    // untouched since they were added, are missing: the usage comparison runs the wrong way
    // (entries above U would have been reported as extras already).
    bool inverted_filter(const ResvS& r, Usage u, Walk w, const std::vector<Entry>& observed, const std::vector<char>& matched) const {
        if (u == Usage::KERNEL || w == Walk::FencesOnly) return false;
        for (const auto& e : observed)
            if (e.usage != u) return false;
        bool missing = false;
        for (size_t j = 0; j < r.slots.size(); ++j) {
            const auto& s = r.slots[j];
            if (matched[j] || !in_scope(s, u, w) || !must_list(s)) continue;
            if (!(static_cast<int>(s.u) < static_cast<int>(u)) ||
                (s.suspect != Rule::RESV_ADD_LISTED && s.suspect != Rule::RESV_UNLOCK_KEEPS_FENCES))
                return false;
            missing = true;
        }
        return missing;
    }

    std::string list_text(const std::vector<Entry>& l, bool with_usage) const {
        std::string s = "{";
        for (size_t i = 0; i < l.size(); ++i)
            s += (i ? ", " : "") + entry_text(l[i].fence.id, with_usage ? std::optional(l[i].usage) : std::nullopt);
        return s + "}";
    }
    std::vector<Entry> expected_list(const ResvS& r, Usage u, Walk w) const {
        std::vector<Entry> l;
        for (const auto& s : r.slots)
            if (in_scope(s, u, w) && must_list(s)) l.push_back({FenceH{s.f}, s.u});
        return l;
    }

    // Judges a complete walk (or query result) of r with usage u. `observed` is the adapter's
    // list, or is filled with the canonical one when producing. `main` names a result whose
    // mismatch has no more specific cause; `override_rule` names every mismatch (deadlines).
    void judge_walk(ResvS& r, Usage u, Walk w, std::vector<Entry>& observed, Rule main,
                    std::optional<Rule> override_rule = std::nullopt) {
        bool with_usage = w != Walk::FencesOnly;
        auto name = [&](Rule rr) { return override_rule ? *override_rule : rr; };
        exercise(name(main));
        exercise(name(Rule::RESV_USAGE_FILTER));
        exercise(name(Rule::RESV_NO_PHANTOM));
        if (w != Walk::Locked) exercise(name(Rule::RESV_ITER_UNLOCKED_SKIPS_SIGNALED));
        for (const auto& s : r.slots)
            if (in_scope(s, u, w)) {
                exercise(name(s.suspect));
                if (with_usage) exercise(name(s.origin));
            }
        for (const auto& g : r.gone) exercise(name(g.why));
        if (!r.ever_listed) exercise(name(Rule::RESV_INIT_EMPTY));
        auto want = expected_list(r, u, w);
        if (producing()) {
            observed = want;
            if (!with_usage)
                for (auto& e : observed) e.usage = Usage::KERNEL;
        }
        auto fail_list = [&](Rule rr) {
            fail(name(rr), list_text(want, with_usage) + (prof.exact ? "" : " (and possibly signalled or superseded entries)"),
                 list_text(observed, with_usage));
        };

        // Match every observed entry to a distinct slot in scope (required ones first).
        std::vector<char> matched(r.slots.size(), 0);
        for (const auto& e : observed) {
            auto fits = [&](const Slot& s) { return s.f == e.fence.id && (!with_usage || s.u == e.usage) && in_scope(s, u, w); };
            int pick = -1;
            for (size_t j = 0; j < r.slots.size(); ++j)
                if (!matched[j] && fits(r.slots[j]) && (pick < 0 || (r.slots[j].required && !r.slots[pick].required)))
                    pick = static_cast<int>(j);
            if (pick < 0) {
                if (!div) fail_list(diagnose_extra(r, e, u, w, with_usage));
                return;
            }
            matched[pick] = 1;
        }
        // Every slot that must be listed is listed (or covered by the same fence with a stronger usage).
        std::vector<Rule> missing_rules;
        bool only_signaled_missing = true, all_signaled_missing = true, any_signaled = false;
        for (size_t j = 0; j < r.slots.size(); ++j) {
            const auto& s = r.slots[j];
            if (!in_scope(s, u, w) || matched[j]) {
                if (in_scope(s, u, w) && fences[s.f].signaled) { any_signaled = true; all_signaled_missing = false; }
                continue;
            }
            if (fences[s.f].signaled) any_signaled = true;
            if (!must_list(s)) continue;
            bool covered = !prof.exact && std::any_of(observed.begin(), observed.end(), [&](const Entry& e) {
                return e.fence.id == s.f && (!with_usage || usage_le(e.usage, s.u));
            });
            if (covered) continue;
            // an entry a copy or replace put there may be missing for its own reasons (usage)
            if (!fences[s.f].signaled || s.suspect == Rule::RESV_COPY_UNSIGNALED || s.suspect == Rule::RESV_REPLACE_ALL_OF_CONTEXT)
                only_signaled_missing = false;
            missing_rules.push_back(s.suspect);
        }
        if (!missing_rules.empty()) {
            if (prof.exact && w == Walk::Locked && only_signaled_missing && all_signaled_missing && any_signaled)
                fail_list(Rule::RESV_ITER_LOCKED_YIELDS_SIGNALED);
            else if (inverted_filter(r, u, w, observed, matched))
                fail_list(Rule::RESV_USAGE_FILTER);
            else
                fail_list(missing_rules.front());
            return;
        }
        if (prof.exact) {
            if (w == Walk::Locked) exercise(name(Rule::RESV_ITER_LOCKED_YIELDS_SIGNALED));
            if (want.size() > 1) exercise(name(Rule::RESV_SLOT_ORDER));
            bool same = want.size() == observed.size();
            for (size_t i = 0; same && i < want.size(); ++i)
                same = want[i].fence == observed[i].fence && (!with_usage || want[i].usage == observed[i].usage);
            if (!same) fail_list(Rule::RESV_SLOT_ORDER);
            return;
        }
        // Contract: unmatched slots in scope are gone for good. A fence-only result cannot tell
        // two entries of one fence apart, so those stay while the fence is listed at all.
        for (size_t j = r.slots.size(); j-- > 0;) {
            const auto& s = r.slots[j];
            bool ambiguous = !with_usage && std::any_of(observed.begin(), observed.end(), [&](const Entry& e) { return e.fence.id == s.f; });
            if (in_scope(s, u, w) && !matched[j] && !ambiguous) {
                bury(r, s, Rule::RESV_NO_PHANTOM);
                drop_slot_ref(s);
                r.slots.erase(r.slots.begin() + static_cast<long>(j));
            }
        }
    }

    // Does a query with usage u find an unsignalled fence? Contract: required -> yes; only
    // optional -> either; returns {must, may}.
    std::pair<bool, bool> busy(const ResvS& r, Usage u) const {
        bool must = false, may = false;
        for (const auto& s : r.slots) {
            if (!usage_le(s.u, u) || fences[s.f].signaled) continue;
            may = true;
            if (must_list(s)) must = true;
        }
        return {must, may};
    }
    // A query observed nothing unsignalled in scope: optional entries there are gone.
    void adopt_idle(ResvS& r, Usage u) {
        for (size_t j = r.slots.size(); j-- > 0;) {
            const auto& s = r.slots[j];
            if (usage_le(s.u, u) && !fences[s.f].signaled && !must_list(s)) {
                bury(r, s, Rule::RESV_NO_PHANTOM);
                drop_slot_ref(s);
                r.slots.erase(r.slots.begin() + static_cast<long>(j));
            }
        }
    }

    void set_suspects(ResvS& r, Rule rule) {
        for (auto& s : r.slots) s.suspect = rule;
    }
    void replace_list(ResvS& r) {
        r.gen = next_gen++;
        ++r.mod;
    }

    // ---- iterator helpers (exact cursor semantics) ----
    void iter_drop_cur(IterS& it) {
        if (it.cur >= 0) {
            --fences[it.cur].iter;
            touch(static_cast<uint32_t>(it.cur));
            it.cur = -1;
        }
    }
    void iter_take(IterS& it, uint32_t f) {
        it.cur = static_cast<int>(f);
        ++fences[f].iter;
    }
    void exact_restart(IterS& it, const ResvS& r) {
        it.index = 0;
        it.gen = r.gen;
        it.has_list = r.has_list;
        it.num = r.has_list ? r.slots.size() : 0;
    }
    // dma_resv_iter_walk_unlocked: without a list it returns without touching the cursor's fence.
    void exact_walk_unlocked(IterS& it, const ResvS& r) {
        if (!it.has_list) return;
        iter_drop_cur(it);
        while (it.index < it.num && it.index < r.slots.size()) {
            const auto& s = r.slots[it.index++];
            it.fence_usage = s.u;
            if (!fences[s.f].signaled && usage_le(s.u, it.u)) {
                iter_take(it, s.f);
                return;
            }
        }
    }
    std::optional<Entry> exact_cursor_entry(const IterS& it) const {
        if (it.cur < 0) return std::nullopt;
        return Entry{FenceH{static_cast<uint32_t>(it.cur)}, it.fence_usage};
    }

    void judge_step(const std::optional<Entry>& want, bool want_restart, Rule restart_rule, ResvS& r, IterS& it, Walk w) {
        const auto& o = seen();
        exercise(restart_rule);
        exercise(Rule::RESV_ITER_ONCE_PER_ENTRY);
        if (producing()) {
            if (want) out->fences.push_back(*want);
            out->restarted = want_restart;
        } else {
            std::optional<Entry> got;
            if (!o.fences.empty()) got = o.fences.front();
            auto txt = [&](const std::optional<Entry>& e) { return e ? entry_text(e->fence.id, e->usage) : std::string("NULL"); };
            if (o.fences.size() > 1) {
                fail(w == Walk::Locked ? Rule::RESV_ITER_LOCKED_ALL : Rule::RESV_ITER_ONCE_PER_ENTRY, "one fence or NULL",
                     std::to_string(o.fences.size()) + " fences");
            } else if (o.restarted != want_restart) {  // a wrong restart explains a wrong entry, not the other way round
                fail(restart_rule, want_restart ? "is_restarted true" : "is_restarted false",
                     std::string(o.restarted ? "is_restarted true" : "is_restarted false") + ", yielded " + txt(got));
            } else if (got != want) {
                Rule rr;
                if (got && want && w == Walk::Locked && fences[want->fence.id].signaled) {
                    rr = Rule::RESV_ITER_LOCKED_YIELDS_SIGNALED;  // it skipped the signalled entry the cursor is on
                } else if (got) {
                    rr = diagnose_extra(r, *got, it.u, w, true);
                    // Relative to the cursor (it.index is past the wanted entry): ahead means order, behind means twice.
                    size_t here = it.index == 0 ? 0 : it.index - 1;
                    bool ahead = false, behind = false;
                    for (size_t j = 0; j < r.slots.size(); ++j)
                        if (r.slots[j].f == got->fence.id && r.slots[j].u == got->usage && in_scope(r.slots[j], it.u, w))
                            (j > here ? ahead : behind) = true;
                    if (rr == Rule::RESV_ITER_ONCE_PER_ENTRY || rr == Rule::RESV_ADD_LISTED) {
                        if (ahead) rr = w == Walk::Locked ? Rule::RESV_SLOT_ORDER : Rule::RESV_ITER_SNAPSHOT;
                        else if (behind) rr = Rule::RESV_ITER_ONCE_PER_ENTRY;
                    }
                } else if (w == Walk::Unlocked && !it.has_list) {
                    rr = Rule::RESV_ITER_NO_LIST_KEEPS_FENCE;
                } else {
                    rr = w == Walk::Locked ? Rule::RESV_ITER_LOCKED_ALL : Rule::RESV_ITER_UNLOCKED_COMPLETE;
                    for (const auto& s : r.slots)
                        if (s.f == want->fence.id) rr = fences[s.f].signaled && w == Walk::Locked ? Rule::RESV_ITER_LOCKED_YIELDS_SIGNALED : rr;
                }
                fail(rr, "yields " + txt(want), "yielded " + txt(got));
            }
        }
    }

    // Contract judging of one iterator step.
    void contract_step(IterS& it, ResvS& r, Walk w, bool first) {
        const auto& o = seen();
        Rule restart_rule = w == Walk::Locked ? Rule::RESV_ITER_LOCKED_RESTARTED : Rule::RESV_ITER_RESTART_FLAG;
        exercise(restart_rule);
        if (w == Walk::Unlocked && !first) exercise(Rule::RESV_ITER_NO_SPURIOUS_RESTART);
        bool restarted = producing() ? first : o.restarted;
        if (first && !restarted) fail(restart_rule, "is_restarted true", "is_restarted false");
        if (!first && restarted) {
            if (w == Walk::Locked)
                fail(restart_rule, "is_restarted false", "is_restarted true");
            else if (r.mod == it.mod_at_restart)
                fail(Rule::RESV_ITER_NO_SPURIOUS_RESTART, "no restart (the object was not modified)", "is_restarted true");
        }
        std::optional<Entry> previous = it.yielded.empty() ? std::nullopt : std::optional(it.yielded.back());
        if (restarted) {
            it.yielded.clear();
            it.yielded_ids.clear();
            it.at_restart = r.slots;
            it.mod_at_restart = r.mod;
        }
        if (w == Walk::Unlocked) iter_drop_cur(it);
        std::optional<Entry> got;
        if (producing()) {
            // canonical: the first required entry in scope not yet yielded
            for (const auto& s : r.slots) {
                if (!in_scope(s, it.u, w) || !must_list(s)) continue;
                if (std::find(it.yielded_ids.begin(), it.yielded_ids.end(), s.id) == it.yielded_ids.end()) {
                    got = Entry{FenceH{s.f}, s.u};
                    break;
                }
            }
            if (got) out->fences.push_back(*got);
            out->restarted = first;
        } else if (!o.fences.empty()) {
            got = o.fences.front();
            if (o.fences.size() > 1) fail(Rule::RESV_ITER_ONCE_PER_ENTRY, "one fence or NULL", std::to_string(o.fences.size()) + " fences");
        }
        exercise(Rule::RESV_NO_PHANTOM);
        exercise(Rule::RESV_USAGE_FILTER);
        exercise(Rule::RESV_ITER_ONCE_PER_ENTRY);
        if (got) {
            // The entry it names: one listed now or at the (re)start, not yet yielded in this pass.
            auto same = [&](const Slot& s) { return s.f == got->fence.id && s.u == got->usage; };
            auto fresh = [&](const Slot& s) { return same(s) && std::find(it.yielded_ids.begin(), it.yielded_ids.end(), s.id) == it.yielded_ids.end(); };
            const Slot* entry = nullptr;
            for (const auto* v : {&r.slots, &it.at_restart})
                for (const auto& s : *v)
                    if (!entry && fresh(s)) entry = &s;
            bool known = std::any_of(r.slots.begin(), r.slots.end(), same) || std::any_of(it.at_restart.begin(), it.at_restart.end(), same);
            bool sig = got->fence.id < fences.size() && fences[got->fence.id].signaled;
            bool repeat = !entry && previous == *got;
            if (w == Walk::Unlocked && repeat && !first) {
                // e.g. 6.12 after the list went away (RESV-ITER-NO-LIST-KEEPS-FENCE)
                fail(Rule::RESV_ITER_ONCE_PER_ENTRY, "the next entry or NULL", "returned its previous fence " + entry_text(got->fence.id, got->usage) + " again");
            } else if (w == Walk::Unlocked && sig) {
                exercise(Rule::RESV_ITER_UNLOCKED_SKIPS_SIGNALED);
                fail(Rule::RESV_ITER_UNLOCKED_SKIPS_SIGNALED, "no signalled fence", "yielded signalled " + entry_text(got->fence.id, got->usage));
            } else if (!usage_le(got->usage, it.u)) {
                fail(Rule::RESV_USAGE_FILTER, "usage <= " + std::string(usage_name(it.u)), "yielded " + entry_text(got->fence.id, got->usage));
            } else if (!known) {
                fail(diagnose_extra(r, *got, it.u, w, true), "a listed fence", "yielded " + entry_text(got->fence.id, got->usage));
            } else if (!entry) {
                fail(Rule::RESV_ITER_ONCE_PER_ENTRY, "each entry once per pass", "yielded " + entry_text(got->fence.id, got->usage) + " again");
            }
            it.yielded.push_back(*got);
            if (entry) it.yielded_ids.push_back(entry->id);
            if (w == Walk::Unlocked && got->fence.id < fences.size() && fences[got->fence.id].live) iter_take(it, got->fence.id);
            return;
        }
        // End of the pass: everything that stayed listed, in scope and unsignalled was yielded.
        Rule complete = w == Walk::Locked ? Rule::RESV_ITER_LOCKED_ALL : Rule::RESV_ITER_UNLOCKED_COMPLETE;
        exercise(complete);
        for (const auto& s : it.at_restart) {
            if (!in_scope(s, it.u, w) || !must_list(s)) continue;
            bool still = std::any_of(r.slots.begin(), r.slots.end(), [&](const Slot& x) { return x.id == s.id && must_list(x); });
            if (!still) continue;
            bool got_it = std::any_of(it.yielded.begin(), it.yielded.end(), [&](const Entry& e) { return e.fence.id == s.f && usage_le(e.usage, s.u); });
            if (!got_it) {
                fail(complete, entry_text(s.f, s.u) + " yielded before the end", "NULL without it");
                return;
            }
        }
    }
};

// ---------------------------------------------------------------------------------------------
namespace {

// The rule a BUG() during an op breaks: what the op promises when its preconditions hold.
Rule primary_rule(const Op& op) {
    return std::visit(
        [](const auto& o) -> Rule {
            using O = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<O, ResvAddFence>) return Rule::RESV_RESERVE_GUARANTEE;
            else if constexpr (std::is_same_v<O, ResvReserveFences>) return Rule::RESV_RESERVE_OK;
            else if constexpr (std::is_same_v<O, ResvReplaceFences>) return Rule::RESV_REPLACE_ALL_OF_CONTEXT;
            else if constexpr (std::is_same_v<O, ResvCopyFences>) return Rule::RESV_COPY_RETURNS_0;
            else if constexpr (std::is_same_v<O, ResvLock> || std::is_same_v<O, ResvLockInterruptible>) return Rule::WW_LOCK_UNCONTENDED;
            else if constexpr (std::is_same_v<O, ResvLockSlow> || std::is_same_v<O, ResvLockSlowInterruptible>) return Rule::WW_LOCK_SLOW;
            else if constexpr (std::is_same_v<O, ResvTrylock>) return Rule::WW_TRYLOCK;
            else if constexpr (std::is_same_v<O, ResvUnlock>) return Rule::WW_UNLOCK;
            else if constexpr (std::is_same_v<O, ResvFini>) return Rule::RESV_FINI_DROPS_REFS;
            else if constexpr (std::is_same_v<O, FenceSignal>) return Rule::FENCE_SIGNAL_FIRST;
            else if constexpr (std::is_same_v<O, FencePut> || std::is_same_v<O, FenceGet>) return Rule::FENCE_REF_RELEASE;
            else if constexpr (std::is_same_v<O, FenceAddCallback>) return Rule::FENCE_CB_ADD_PENDING;
            else if constexpr (std::is_same_v<O, FenceRemoveCallback>) return Rule::FENCE_CB_REMOVE_PENDING;
            else if constexpr (std::is_same_v<O, ResvGetFences>) return Rule::RESV_GET_FENCES;
            else if constexpr (std::is_same_v<O, ResvGetSingleton>) return Rule::RESV_SINGLETON_ARRAY;
            else if constexpr (O::iterator || std::is_same_v<O, ResvIterEnd>) return Rule::RESV_ITER_HOLDS_REF;
            else if constexpr (std::is_same_v<O, ResvForEachFence>) return Rule::RESV_ITER_LOCKED_ALL;
            else return Rule::WARN_ONLY_PREDICTED;
        },
        op);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Preconditions: what a caller must guarantee. Generators and the fuzz decoder only send ops
// that pass; replay reports a trace that breaks one as a set-up error, not a violation.
namespace {

struct Pre {
    const Model::State& s;
    std::optional<std::string> why;
    bool fail(std::string m) {
        why = std::move(m);
        return false;
    }
    template <HandleKind K>
    bool fresh(Handle<K> h, const char* what) {
        if (h.id != s.count(K))
            return fail(std::string(what) + " handle " + std::string(handle_prefix(K)) + std::to_string(h.id) +
                        " must be the next unused one (" + std::string(handle_prefix(K)) + std::to_string(s.count(K)) + ")");
        return true;
    }
    bool resv(ResvH r) { return s.alive(HandleKind::Resv, r.id) || fail("r" + std::to_string(r.id) + " is not an initialised reservation object"); }
    bool fence(FenceH f) {
        return s.alive(HandleKind::Fence, f.id) ||
               fail("the caller holds no reference on f" + std::to_string(f.id) + " (not initialised, or put)");
    }
    bool ctx(CtxH c) { return s.alive(HandleKind::Ctx, c.id) || fail("c" + std::to_string(c.id) + " is not an allocated context"); }
    bool acq(AcqH a) { return s.alive(HandleKind::Acq, a.id) || fail("a" + std::to_string(a.id) + " is not an initialised acquire context"); }
    bool locked(ResvH r) { return s.resv_locked(r.id) || fail("r" + std::to_string(r.id) + " must be locked"); }
    bool no_locked_iter(ResvH r) {
        for (uint32_t i = 0; i < s.iters.size(); ++i)
            if (s.iters[i].live && s.iters[i].r == r.id && s.iters[i].mode == 1)
                return fail("a locked iteration (i" + std::to_string(i) + ") of r" + std::to_string(r.id) + " is in progress");
        return true;
    }
    bool no_iter(ResvH r) {
        for (uint32_t i = 0; i < s.iters.size(); ++i)
            if (s.iters[i].live && s.iters[i].r == r.id)
                return fail("iterator i" + std::to_string(i) + " on r" + std::to_string(r.id) + " has not ended");
        return true;
    }
    // A lock attempt that would sleep forever in a single-threaded harness is not allowed.
    bool lock_ok(ResvH r, std::optional<AcqH> a, bool sigpending, bool slow) {
        const auto& rs = s.resvs[r.id];
        if (a) {
            const auto& as = s.acqs[a->id];
            if (as.done) return fail("a" + std::to_string(a->id) + " is done (ww_acquire_done): it may not lock more");
            if (slow && as.contending != static_cast<int>(r.id))
                return fail("lock_slow is only for the object whose lock returned -EDEADLK to a" + std::to_string(a->id));
            // the wait-die back-off (ww_mutex_lock_acquired's debug checks): after -EDEADLK the
            // context drops everything and takes the contended object next
            if (as.contending >= 0 && (as.contending != static_cast<int>(r.id) || as.acquired != 0))
                return fail("after -EDEADLK, a" + std::to_string(a->id) + " must unlock what it holds and lock r" +
                            std::to_string(as.contending) + " next");
            if (slow && as.acquired != 0) return fail("lock_slow needs a context that holds nothing (back off first)");
        }
        if (!rs.locked) return true;
        if (a && rs.holder == static_cast<int>(a->id)) return true;  // -EALREADY
        if (sigpending) return true;                                  // -EINTR
        if (a && !slow && rs.holder >= 0 && s.acqs[a->id].acquired > 0 &&
            s.acqs[rs.holder].stamp < s.acqs[a->id].stamp)
            return true;  // -EDEADLK
        return fail("r" + std::to_string(r.id) + " is held: this lock attempt would sleep forever in a single-threaded trace");
    }
    bool usage_ok(Usage u) { return static_cast<int>(u) < kUsages || fail("usage out of range"); }

    bool check(const Op& op) {
        return std::visit([&](const auto& o) { return (*this)(o); }, op);
    }
    bool operator()(const FenceContextAlloc& o) { return fresh(o.c, "context"); }
    bool operator()(const FenceInit& o) { return fresh(o.f, "fence") && ctx(o.c); }
    bool operator()(const FenceSignal& o) { return fence(o.f); }
    bool operator()(const FenceSetError& o) {
        if (!fence(o.f)) return false;
        if (o.error >= 0 || o.error < -4095) return fail("set_error needs an error in [-4095, -1]");
        return true;
    }
    bool operator()(const FenceGetStatus& o) { return fence(o.f); }
    bool operator()(const FenceIsSignaled& o) { return fence(o.f); }
    bool same_ctx(FenceH a, FenceH b) {
        if (!fence(a) || !fence(b)) return false;
        if (s.fences[a.id].ctx != s.fences[b.id].ctx) return fail("is_later compares fences of one context only");
        return true;
    }
    bool operator()(const FenceIsLater& o) { return same_ctx(o.f1, o.f2); }
    bool operator()(const FenceIsLaterOrSame& o) { return same_ctx(o.f1, o.f2); }
    bool operator()(const FenceAddCallback& o) {
        if (!fence(o.f)) return false;
        if (o.cb.id > s.cbs.size()) return fail("callback handles are allocated in order: next is cb" + std::to_string(s.cbs.size()));
        if (o.cb.id < s.cbs.size() && s.cbs[o.cb.id].pending) return fail("cb" + std::to_string(o.cb.id) + " is still pending on a fence");
        return true;
    }
    bool operator()(const FenceRemoveCallback& o) {
        if (!fence(o.f)) return false;
        if (o.cb.id >= s.cbs.size() || s.cbs[o.cb.id].fence != o.f.id)
            return fail("cb" + std::to_string(o.cb.id) + " was never added to f" + std::to_string(o.f.id));
        return true;
    }
    bool operator()(const FenceGet& o) { return fence(o.f); }
    bool operator()(const FencePut& o) {
        if (!fence(o.f)) return false;
        if (s.fences[o.f.id].harness == 1 && !s.fences[o.f.id].pending.empty())
            return fail("putting the last caller reference of f" + std::to_string(o.f.id) + " while callbacks are pending");
        return true;
    }
    bool operator()(const FenceWaitTimeout& o) {
        if (!fence(o.f)) return false;
        if (o.timeout < 0) return fail("timeout must be >= 0");
        if (o.timeout > 0 && !s.fences[o.f.id].signaled && !(o.intr && o.sigpending))
            return fail("waiting with a timeout on an unsignalled fence would sleep");
        return true;
    }
    bool operator()(const WwAcquireInit& o) { return fresh(o.a, "acquire context"); }
    bool operator()(const WwAcquireDone& o) {
        if (!acq(o.a)) return false;
        if (s.acqs[o.a.id].done) return fail("ww_acquire_done called twice on a" + std::to_string(o.a.id));
        return true;
    }
    bool operator()(const WwAcquireFini& o) {
        if (!acq(o.a)) return false;
        if (s.acqs[o.a.id].acquired != 0) return fail("ww_acquire_fini with locks still held");
        return true;
    }
    bool operator()(const ResvInit& o) { return fresh(o.r, "reservation object"); }
    bool operator()(const ResvFini& o) {
        if (!resv(o.r) || !no_iter(o.r)) return false;
        if (s.resvs[o.r.id].locked) return fail("fini of a locked object");
        return true;
    }
    bool operator()(const ResvLock& o) {
        if (!resv(o.r) || (o.a.h && !acq(*o.a.h))) return false;
        return lock_ok(o.r, o.a.h, false, false);
    }
    bool operator()(const ResvLockInterruptible& o) {
        if (!resv(o.r) || (o.a.h && !acq(*o.a.h))) return false;
        return lock_ok(o.r, o.a.h, o.sigpending, false);
    }
    bool operator()(const ResvLockSlow& o) { return resv(o.r) && acq(o.a) && lock_ok(o.r, o.a, false, true) && free_or_fail(o.r); }
    bool operator()(const ResvLockSlowInterruptible& o) {
        return resv(o.r) && acq(o.a) && lock_ok(o.r, o.a, o.sigpending, true) && (o.sigpending || free_or_fail(o.r));
    }
    bool free_or_fail(ResvH r) {
        if (s.resvs[r.id].locked) return fail("lock_slow of a held object would sleep forever in a single-threaded trace");
        return true;
    }
    bool operator()(const ResvTrylock& o) { return resv(o.r); }
    bool operator()(const ResvUnlock& o) { return resv(o.r) && locked(o.r) && no_locked_iter(o.r); }
    bool operator()(const ResvIsLocked& o) { return resv(o.r); }
    bool operator()(const ResvLockingCtx& o) { return resv(o.r); }
    bool operator()(const ResvReserveFences& o) {
        if (!resv(o.r) || !locked(o.r) || !no_locked_iter(o.r)) return false;
        if (o.num_fences > kMaxReserve) return fail("reserve at most " + std::to_string(kMaxReserve) + " slots at once");
        const auto& rs = s.resvs[o.r.id];
        if (o.num_fences == 0 && !s.prof.v612 && (!rs.has_list || rs.max == 0))
            return fail("reserve_fences(0) without a list is undefined in 6.1 (roundup_pow_of_two(0))");
        if (rs.slots.size() + o.num_fences > 200) return fail("lists are limited to 200 entries");
        return true;
    }
    bool operator()(const ResvAddFence& o) {
        if (!resv(o.r) || !fence(o.f) || !locked(o.r) || !usage_ok(o.usage)) return false;
        if (s.resvs[o.r.id].guarantee < 1) return fail("add_fence needs a slot reserved with resv_reserve_fences under this lock");
        return true;
    }
    bool operator()(const ResvReplaceFences& o) { return resv(o.r) && ctx(o.c) && fence(o.f) && locked(o.r) && usage_ok(o.usage) && no_locked_iter(o.r); }
    bool operator()(const ResvCopyFences& o) {
        if (!resv(o.dst) || !resv(o.src) || !locked(o.dst) || !no_locked_iter(o.dst)) return false;
        if (o.dst.id == o.src.id) return fail("copy_fences from an object into itself");
        return true;
    }
    bool operator()(const ResvGetFences& o) { return resv(o.r); }
    bool operator()(const ResvGetSingleton& o) { return resv(o.r); }
    bool operator()(const ResvTestSignaled& o) { return resv(o.r); }
    bool operator()(const ResvWaitTimeout& o) {
        if (!resv(o.r)) return false;
        if (o.timeout < 0) return fail("timeout must be >= 0");
        if (o.timeout > 0 && !(o.intr && o.sigpending)) {
            for (const auto& sl : s.resvs[o.r.id].slots)
                if (usage_le(sl.u, o.usage) && !s.fences[sl.f].signaled)
                    return fail("waiting with a timeout while f" + std::to_string(sl.f) + " is unsignalled would sleep");
        }
        return true;
    }
    bool operator()(const ResvSetDeadline& o) { return resv(o.r); }
    bool operator()(const ResvUsageRw&) { return true; }
    bool operator()(const ResvForEachFence& o) { return resv(o.r) && locked(o.r); }
    bool operator()(const ResvForEachFenceUnlocked& o) { return resv(o.r); }
    bool operator()(const ResvIterBegin& o) { return fresh(o.i, "iterator") && resv(o.r); }
    bool iter(IterH i, int want_mode, bool first) {
        if (!s.alive(HandleKind::Iter, i.id)) return fail("i" + std::to_string(i.id) + " is not a begun iterator");
        const auto& it = s.iters[i.id];
        if (!first && it.mode != want_mode) return fail("i" + std::to_string(i.id) + ": call the matching _first before _next");
        if (first && it.mode != 0 && it.mode != want_mode) return fail("i" + std::to_string(i.id) + " already walks in the other mode");
        if (want_mode == 1 && !s.resv_locked(it.r)) return fail("the locked iterator needs r" + std::to_string(it.r) + " locked");
        return true;
    }
    bool operator()(const ResvIterFirst& o) { return iter(o.i, 1, true); }
    bool operator()(const ResvIterNext& o) { return iter(o.i, 1, false); }
    bool operator()(const ResvIterFirstUnlocked& o) { return iter(o.i, 2, true); }
    bool operator()(const ResvIterNextUnlocked& o) { return iter(o.i, 2, false); }
    bool operator()(const ResvIterEnd& o) { return s.alive(HandleKind::Iter, o.i.id) || fail("i" + std::to_string(o.i.id) + " is not a begun iterator"); }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Op handlers.
namespace {

struct Apply {
    Model::State& s;

    void operator()(const FenceContextAlloc& o) {
        s.ctxs.push_back({true, o.seqno64});
    }
    void operator()(const FenceInit& o) {
        FenceS f;
        f.live = true;
        f.ctx = o.c.id;
        f.seqno = o.seqno;
        f.harness = 1;
        s.fences.push_back(f);
    }
    void operator()(const FenceSignal& o) {
        auto& f = s.fences[o.f.id];
        if (f.signaled) {
            s.expect_ret(Rule::FENCE_SIGNAL_ONCE, RetKind::Errno, -EINVAL);
            s.exercise(Rule::FENCE_CB_ONCE);
        } else {
            s.expect_ret(Rule::FENCE_SIGNAL_FIRST, RetKind::Errno, 0);
            if (!f.pending.empty()) s.exercise(Rule::FENCE_CB_RUN_ON_SIGNAL);
            s.signal(o.f.id);
        }
    }
    void operator()(const FenceSetError& o) {
        auto& f = s.fences[o.f.id];
        if (f.signaled) {
            s.expect_warn(Rule::FENCE_ERROR_AFTER_SIGNAL_WARNS);
            if (s.prof.exact) {
                f.error = o.error;
                f.late = true;
            } else {
                f.error_unknown = true;
                f.late_error = o.error;
            }
        } else {
            s.exercise(Rule::FENCE_ERROR_BEFORE_SIGNAL);
            s.warn_rule = Rule::FENCE_ERROR_BEFORE_SIGNAL;
            f.error = o.error;
            f.error_unknown = false;
        }
    }
    void operator()(const FenceGetStatus& o) {
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
    void operator()(const FenceIsSignaled& o) {
        bool sig = s.fences[o.f.id].signaled;
        s.expect_ret(sig ? Rule::FENCE_SIGNALED_STICKY : Rule::FENCE_INIT_UNSIGNALED, RetKind::Bool, sig);
    }
    void operator()(const FenceIsLater& o) {
        s.expect_ret(s.seqno_rule(o.f1.id, o.f2.id), RetKind::Bool, s.later(o.f1.id, o.f2.id));
    }
    void operator()(const FenceIsLaterOrSame& o) {
        Rule r = o.f1.id == o.f2.id || s.fences[o.f1.id].seqno == s.fences[o.f2.id].seqno ? Rule::FENCE_LATER_OR_SAME_IDENTITY
                                                                                         : s.seqno_rule(o.f1.id, o.f2.id);
        s.expect_ret(r, RetKind::Bool, s.later_or_same(o.f1.id, o.f2.id));
    }
    void operator()(const FenceAddCallback& o) {
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
    void operator()(const FenceRemoveCallback& o) {
        auto& cb = s.cbs[o.cb.id];
        if (cb.pending) {
            s.expect_ret(Rule::FENCE_CB_REMOVE_PENDING, RetKind::Bool, 1);
            cb.pending = false;
            std::erase(s.fences[o.f.id].pending, o.cb.id);
        } else {
            s.expect_ret(Rule::FENCE_CB_REMOVE_DONE, RetKind::Bool, 0);
        }
    }
    void operator()(const FenceGet& o) {
        ++s.fences[o.f.id].harness;
    }
    void operator()(const FencePut& o) {
        --s.fences[o.f.id].harness;
        s.touch(o.f.id);
    }
    void operator()(const FenceWaitTimeout& o) {
        bool sig = s.fences[o.f.id].signaled;
        if (sig)
            s.expect_ret(o.timeout ? Rule::FENCE_WAIT_SIGNALED : Rule::FENCE_WAIT_POLL, RetKind::Errno, o.timeout ? o.timeout : 1);
        else if (o.intr && o.sigpending)
            s.expect_ret(Rule::FENCE_WAIT_INTERRUPTED, RetKind::Errno, -kERESTARTSYS);
        else
            s.expect_ret(Rule::FENCE_WAIT_POLL, RetKind::Errno, 0);
    }

    // ---- ww ----
    void operator()(const WwAcquireInit&) {
        AcqS a;
        a.live = true;
        a.stamp = s.next_stamp++;
        s.acqs.push_back(a);
    }
    void operator()(const WwAcquireDone& o) { s.acqs[o.a.id].done = true; }
    void operator()(const WwAcquireFini& o) { s.acqs[o.a.id].live = false; }

    void take_lock(ResvS& r, std::optional<AcqH> a, Rule why) {
        r.locked = true;
        r.holder = a ? static_cast<int>(a->id) : -1;
        r.lock_rule = why;
        r.guarantee = 0;
        if (a) {
            ++s.acqs[a->id].acquired;
            s.acqs[a->id].contending = -1;
        }
    }
    // dma_resv_lock and friends. Returns the result the model expects (already judged).
    void lock(ResvH rh, std::optional<AcqH> a, bool interruptible, bool sigpending, bool slow) {
        auto& r = s.resvs[rh.id];
        if (!r.locked) {
            s.expect_ret(slow ? Rule::WW_LOCK_SLOW : interruptible && sigpending ? Rule::WW_INTERRUPTIBLE_EINTR : Rule::WW_LOCK_UNCONTENDED,
                         RetKind::Errno, 0);
            take_lock(r, a, slow ? Rule::WW_LOCK_SLOW : Rule::WW_LOCK_UNCONTENDED);
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
    void operator()(const ResvLock& o) { lock(o.r, o.a.h, false, false, false); }
    void operator()(const ResvLockInterruptible& o) { lock(o.r, o.a.h, true, o.sigpending, false); }
    void operator()(const ResvLockSlow& o) {
        auto& r = s.resvs[o.r.id];
        s.exercise(Rule::WW_LOCK_SLOW);
        take_lock(r, o.a, Rule::WW_LOCK_SLOW);
    }
    void operator()(const ResvLockSlowInterruptible& o) { lock(o.r, o.a, true, o.sigpending, true); }
    void operator()(const ResvTrylock& o) {
        auto& r = s.resvs[o.r.id];
        s.expect_ret(Rule::WW_TRYLOCK, RetKind::Bool, !r.locked);
        if (!r.locked) take_lock(r, std::nullopt, Rule::WW_TRYLOCK);
    }
    void operator()(const ResvUnlock& o) {
        auto& r = s.resvs[o.r.id];
        if (r.holder >= 0) --s.acqs[r.holder].acquired;
        r.locked = false;
        r.holder = -1;
        r.lock_rule = Rule::WW_UNLOCK;
        r.guarantee = 0;
        if (s.prof.debug_mutexes && r.has_list && r.max > r.slots.size()) {
            r.max = static_cast<uint32_t>(r.slots.size());
            r.forfeited = true;
        }
        s.set_suspects(r, Rule::RESV_UNLOCK_KEEPS_FENCES);
    }
    void operator()(const ResvIsLocked& o) {
        auto& r = s.resvs[o.r.id];
        s.expect_ret(r.lock_rule, RetKind::Bool, r.locked);
        s.exercise(Rule::WW_IS_LOCKED);
    }
    void operator()(const ResvLockingCtx& o) {
        auto& r = s.resvs[o.r.id];
        s.exercise(Rule::WW_LOCKING_CTX);
        Rule why = r.lock_rule == Rule::WW_LOCK_UNCONTENDED || r.lock_rule == Rule::WW_IS_LOCKED ? Rule::WW_LOCKING_CTX : r.lock_rule;
        s.expect_ret(why, RetKind::Ctx, r.locked ? r.holder : -1);
    }

    // ---- reservation ----
    void operator()(const ResvInit&) {
        ResvS r;
        r.live = true;
        r.gen = 0;  // no list
        s.resvs.push_back(r);
    }
    void operator()(const ResvFini& o) {
        auto& r = s.resvs[o.r.id];
        s.ref_rule = Rule::RESV_FINI_DROPS_REFS;
        if (!r.slots.empty()) s.exercise(Rule::RESV_FINI_DROPS_REFS);
        for (const auto& sl : r.slots) s.drop_slot_ref(sl);
        r.slots.clear();
        r.live = false;
    }
    void reallocate(ResvS& r, uint32_t requested, Rule prune_why) {
        r.max = list_capacity(requested);
        r.forfeited = false;
        r.has_list = true;
        r.ever_listed = true;
        for (size_t j = r.slots.size(); j-- > 0;) {
            const auto& sl = r.slots[j];
            if (s.fences[sl.f].signaled) {
                s.bury(r, sl, prune_why);
                s.drop_slot_ref(sl);
                r.slots.erase(r.slots.begin() + static_cast<long>(j));
            }
        }
        s.replace_list(r);
    }
    void operator()(const ResvReserveFences& o) {
        auto& r = s.resvs[o.r.id];
        uint32_t n = o.num_fences;
        s.ref_rule = Rule::RESV_RESERVE_PRUNES_SIGNALED;
        if (n == 0) {
            if (!s.prof.exact) {
                int64_t got = s.expect_ret_any(Rule::RESV_RESERVE_ZERO, RetKind::Errno, {-EINVAL, 0});
                if (got == -EINVAL) s.expect_warn(Rule::RESV_RESERVE_ZERO);
                else s.exercise(Rule::WARN_ONLY_PREDICTED);
            } else if (s.prof.v612) {
                s.expect_ret(Rule::RESV_RESERVE_ZERO, RetKind::Errno, -EINVAL);
                s.expect_warn(Rule::RESV_RESERVE_ZERO);
            } else {
                s.expect_ret(Rule::RESV_RESERVE_ZERO, RetKind::Errno, 0);  // list with capacity: nothing to do
            }
            return;
        }
        s.expect_ret(Rule::RESV_RESERVE_OK, RetKind::Errno, 0);
        r.guarantee = std::max(r.guarantee, static_cast<int>(n));
        for (auto& sl : r.slots) sl.suspect = Rule::RESV_RESERVE_KEEPS_UNSIGNALED;
        if (!s.prof.exact) {
            ++r.mod;  // may have reallocated
            r.ever_listed = true;
            r.has_list = true;
            return;
        }
        uint32_t num = static_cast<uint32_t>(r.slots.size());
        s.exercise(Rule::RESV_EXACT_CAPACITY);
        if (r.has_list && r.max != 0) {
            if (num + n <= r.max) {
                for (auto& sl : r.slots)
                    if (s.fences[sl.f].signaled) sl.suspect = Rule::RESV_EXACT_CAPACITY;
                return;
            }
            if (r.forfeited) s.exercise(Rule::RESV_UNLOCK_FORFEITS_RESERVATION);
            reallocate(r, std::max(num + n, 2 * r.max),
                       r.forfeited ? Rule::RESV_UNLOCK_FORFEITS_RESERVATION : Rule::RESV_RESERVE_PRUNES_SIGNALED);
        } else {
            Rule why = s.prof.debug_mutexes && r.has_list ? Rule::RESV_UNLOCK_FORFEITS_RESERVATION : Rule::RESV_RESERVE_PRUNES_SIGNALED;
            reallocate(r, std::max<uint32_t>(4, std::bit_ceil(n)), why);
        }
    }
    void operator()(const ResvAddFence& o) {
        auto& r = s.resvs[o.r.id];
        const uint32_t f = o.f.id;
        const auto& fs = s.fences[f];
        s.ref_rule = Rule::RESV_ADD_DROPS_REPLACED_REF;
        s.exercise(Rule::RESV_ADD_DROPS_REPLACED_REF);
        s.exercise(Rule::RESV_RESERVE_GUARANTEE);  // a BUG() here would break it
        --r.guarantee;
        ++r.mod;
        r.ever_listed = true;
        s.unbury(r, f);
        // How a slot relates to the new fence: qualifies for in-place replacement, or which rule
        // forbids removing it.
        auto classify = [&](const Slot& sl) -> std::optional<Rule> {
            const auto& old = s.fences[sl.f];
            if (old.ctx != fs.ctx) return Rule::RESV_ADD_OTHER_CONTEXT_KEPT;
            if (!usage_le(o.usage, sl.u)) return Rule::RESV_ADD_NO_REPLACE_WEAKER;
            if (s.later_or_same(f, sl.f)) return std::nullopt;
            return old.seqno == fs.seqno ? Rule::RESV_ADD_SAME_SEQNO_DISTINCT : Rule::RESV_ADD_NO_REPLACE_OLDER;
        };
        bool stronger_self = false;
        for (const auto& sl : r.slots)
            if (sl.f == f && usage_le(sl.u, o.usage) && sl.u != o.usage) stronger_self = true;
        Slot fresh = s.make_slot(f, o.usage, true, Rule::RESV_ADD_LISTED, Rule::RESV_ADD_LISTED);
        if (!s.prof.exact) {
            for (auto& sl : r.slots) {
                auto c = classify(sl);
                if (!c) s.demote(sl);
                else sl.suspect = *c;
            }
            r.slots.push_back(fresh);
            s.add_slot_ref(fresh);
            return;
        }
        for (size_t i = 0; i < r.slots.size(); ++i) {
            auto& sl = r.slots[i];
            auto c = classify(sl);
            bool sig = s.fences[sl.f].signaled;
            if (!c || sig) {
                s.bury(r, sl, !c ? Rule::RESV_ADD_REPLACE_SAME_CONTEXT : Rule::RESV_ADD_REUSE_SIGNALED);
                s.exercise(!c ? Rule::RESV_ADD_REPLACE_SAME_CONTEXT : Rule::RESV_ADD_REUSE_SIGNALED);
                s.drop_slot_ref(sl);
                sl = fresh;
                s.add_slot_ref(sl);
                for (size_t k = i + 1; k < r.slots.size(); ++k) {
                    auto ck = classify(r.slots[k]);
                    r.slots[k].suspect = !ck || s.fences[r.slots[k].f].signaled ? Rule::RESV_ADD_FIRST_MATCH_ONLY : *ck;
                }
                return;
            }
            sl.suspect = *c;
        }
        s.exercise(Rule::RESV_ADD_APPEND);
        if (r.slots.size() >= r.max) {
            // the kernel BUG()s here; the precondition makes it unreachable for a correct model
            s.fail(Rule::RESV_RESERVE_GUARANTEE, "a reserved slot", "none left");
            return;
        }
        fresh.origin = fresh.suspect = stronger_self ? Rule::RESV_ADD_APPEND : Rule::RESV_ADD_LISTED;
        r.slots.push_back(fresh);
        s.add_slot_ref(fresh);
    }
    void operator()(const ResvReplaceFences& o) {
        auto& r = s.resvs[o.r.id];
        s.ref_rule = Rule::RESV_REPLACE_REFS;
        s.exercise(Rule::RESV_REPLACE_REFS);
        ++r.mod;
        bool any = false;
        for (auto& sl : r.slots) {
            if (s.fences[sl.f].ctx == o.c.id) {
                any = true;
                s.bury(r, sl, Rule::RESV_REPLACE_ALL_OF_CONTEXT);
                bool req = sl.required && (s.prof.exact || !s.fences[sl.f].signaled);
                s.drop_slot_ref(sl);
                sl = s.make_slot(o.f.id, o.usage, req, Rule::RESV_REPLACE_ALL_OF_CONTEXT, Rule::RESV_REPLACE_ALL_OF_CONTEXT);
                s.add_slot_ref(sl);
            } else {
                sl.suspect = Rule::RESV_REPLACE_OTHERS_KEPT;
            }
        }
        if (any) s.unbury(r, o.f.id);
    }
    void operator()(const ResvCopyFences& o) {
        auto& dst = s.resvs[o.dst.id];
        auto& src = s.resvs[o.src.id];
        s.ref_rule = Rule::RESV_COPY_REPLACES_DST;
        s.expect_ret(Rule::RESV_COPY_RETURNS_0, RetKind::Errno, 0);
        std::vector<Slot> copy;
        for (auto& sl : src.slots) {
            sl.suspect = Rule::RESV_COPY_REPLACES_DST;
            if (s.fences[sl.f].signaled) continue;
            copy.push_back(s.make_slot(sl.f, sl.u, sl.required, Rule::RESV_COPY_KEEPS_USAGE, Rule::RESV_COPY_UNSIGNALED));
        }
        for (const auto& sl : dst.slots) {
            s.bury(dst, sl, Rule::RESV_COPY_REPLACES_DST);
            s.drop_slot_ref(sl);
        }
        for (const auto& sl : src.slots)
            if (s.fences[sl.f].signaled) s.bury(dst, sl, Rule::RESV_COPY_UNSIGNALED);
        for (const auto& sl : copy) s.unbury(dst, sl.f);
        bool had_list = dst.has_list;
        uint32_t src_num = static_cast<uint32_t>(src.slots.size());
        dst.slots = std::move(copy);
        for (const auto& sl : dst.slots) s.add_slot_ref(sl);
        dst.guarantee = 0;
        dst.ever_listed = true;
        ++dst.mod;
        if (dst.slots.empty()) {
            dst.has_list = false;
            dst.max = 0;
            if (had_list) dst.gen = s.next_gen++;
        } else {
            dst.has_list = true;
            dst.max = list_capacity(src_num);
            dst.gen = s.next_gen++;
        }
    }
    void operator()(const ResvGetFences& o) {
        auto& r = s.resvs[o.r.id];
        s.expect_ret(Rule::RESV_GET_FENCES, RetKind::Errno, 0);
        std::vector<Entry> got = s.producing() ? std::vector<Entry>{} : s.obs->fences;
        s.judge_walk(r, o.usage, Model::State::Walk::FencesOnly, got, Rule::RESV_GET_FENCES);
        if (s.producing()) s.out->fences = got;
    }
    void operator()(const ResvGetSingleton& o) {
        auto& r = s.resvs[o.r.id];
        std::vector<Entry> got = s.producing() ? std::vector<Entry>{} : s.obs->fences;
        s.judge_walk(r, o.usage, Model::State::Walk::FencesOnly, got, Rule::RESV_GET_FENCES);
        size_t n = got.size();
        Rule rule = n == 0 ? Rule::RESV_SINGLETON_NONE : n == 1 ? Rule::RESV_SINGLETON_ONE : Rule::RESV_SINGLETON_ARRAY;
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
    bool query_busy(ResvS& r, Usage u, Rule rule, RetKind k, int64_t if_busy, int64_t if_idle, std::optional<Rule> busy_rule = {}) {
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
    void operator()(const ResvTestSignaled& o) {
        query_busy(s.resvs[o.r.id], o.usage, Rule::RESV_TEST_SIGNALED, RetKind::Bool, 0, 1);
    }
    void operator()(const ResvWaitTimeout& o) {
        auto& r = s.resvs[o.r.id];
        int64_t busy = o.intr && o.sigpending ? -kERESTARTSYS : 0;
        Rule idle_rule = o.timeout == 0 ? Rule::RESV_WAIT_POLL : Rule::RESV_WAIT_NOTHING;
        query_busy(r, o.usage, idle_rule, RetKind::Errno, busy, o.timeout == 0 ? 1 : o.timeout,
                   busy ? std::optional(Rule::FENCE_WAIT_INTERRUPTED) : std::nullopt);
    }
    void operator()(const ResvSetDeadline& o) {
        auto& r = s.resvs[o.r.id];
        std::vector<Entry> got;
        if (!s.producing())
            for (auto h : s.obs->deadlines) got.push_back({h, Usage::KERNEL});
        s.judge_walk(r, o.usage, Model::State::Walk::FencesOnly, got, Rule::RESV_DEADLINE, Rule::RESV_DEADLINE);
        for (const auto& e : got) s.exp_deadlines.push_back(e.fence.id);
        if (s.producing())
            for (const auto& e : got) s.out->deadlines.push_back(e.fence);
    }
    void operator()(const ResvUsageRw& o) {
        s.expect_ret(Rule::RESV_USAGE_RW, RetKind::Usage, static_cast<int64_t>(o.write ? Usage::READ : Usage::WRITE));
    }
    void operator()(const ResvForEachFence& o) {
        auto& r = s.resvs[o.r.id];
        std::vector<Entry> got = s.producing() ? std::vector<Entry>{} : s.obs->fences;
        s.judge_walk(r, o.usage, Model::State::Walk::Locked, got, Rule::RESV_ITER_LOCKED_ALL);
        if (s.producing()) s.out->fences = got;
        else if (s.obs->restarted) s.fail(Rule::RESV_ITER_LOCKED_RESTARTED, "no restart under the lock", "restarted");
    }
    void operator()(const ResvForEachFenceUnlocked& o) {
        auto& r = s.resvs[o.r.id];
        std::vector<Entry> got = s.producing() ? std::vector<Entry>{} : s.obs->fences;
        s.judge_walk(r, o.usage, Model::State::Walk::Unlocked, got, Rule::RESV_ITER_UNLOCKED_COMPLETE);
        s.exercise(Rule::RESV_ITER_NO_SPURIOUS_RESTART);
        if (s.producing()) s.out->fences = got;
        else if (s.obs->restarted) s.fail(Rule::RESV_ITER_NO_SPURIOUS_RESTART, "no restart (nothing changed during the walk)", "restarted");
    }

    // ---- stepwise iterators ----
    void operator()(const ResvIterBegin& o) {
        IterS it;
        it.live = true;
        it.r = o.r.id;
        it.u = o.usage;
        s.iters.push_back(it);
    }
    void locked_step(IterH ih, bool first) {
        auto& it = s.iters[ih.id];
        auto& r = s.resvs[it.r];
        it.mode = 1;
        if (!s.prof.exact) {
            s.contract_step(it, r, Model::State::Walk::Locked, first);
            return;
        }
        if (first) s.exact_restart(it, r);
        std::optional<Entry> want;
        while (it.has_list && it.index < r.slots.size()) {
            const auto& sl = r.slots[it.index++];
            if (usage_le(sl.u, it.u)) {
                want = Entry{FenceH{sl.f}, sl.u};
                break;
            }
        }
        s.exercise(Rule::RESV_ITER_LOCKED_ALL);
        s.exercise(Rule::RESV_SLOT_ORDER);
        s.judge_step(want, first, Rule::RESV_ITER_LOCKED_RESTARTED, r, it, Model::State::Walk::Locked);
    }
    void unlocked_step(IterH ih, bool first) {
        auto& it = s.iters[ih.id];
        auto& r = s.resvs[it.r];
        it.mode = 2;
        s.ref_rule = Rule::RESV_ITER_HOLDS_REF;
        s.exercise(Rule::RESV_ITER_HOLDS_REF);
        if (!s.prof.exact) {
            s.contract_step(it, r, Model::State::Walk::Unlocked, first);
            return;
        }
        bool restarted = false;
        // list identity is a pointer: NULL equals NULL whatever happened in between
        if (first || it.has_list != r.has_list || (r.has_list && it.gen != r.gen)) {
            if (!first) s.exercise(Rule::RESV_ITER_RESTART_ON_REALLOC);
            s.exact_restart(it, r);
            restarted = true;
        } else {
            s.exercise(Rule::RESV_ITER_NO_SPURIOUS_RESTART);
            s.exercise(Rule::RESV_ITER_SNAPSHOT);
        }
        if (!it.has_list && it.cur >= 0) s.exercise(Rule::RESV_ITER_NO_LIST_KEEPS_FENCE);
        s.exact_walk_unlocked(it, r);
        auto want = s.exact_cursor_entry(it);
        Rule restart_rule = first ? Rule::RESV_ITER_RESTART_FLAG
                            : restarted ? Rule::RESV_ITER_RESTART_ON_REALLOC
                                        : Rule::RESV_ITER_NO_SPURIOUS_RESTART;
        s.exercise(Rule::RESV_ITER_RESTART_FLAG);
        s.exercise(Rule::RESV_ITER_UNLOCKED_SKIPS_SIGNALED);
        s.exercise(Rule::RESV_ITER_UNLOCKED_COMPLETE);
        s.judge_step(want, restarted, restart_rule, r, it, Model::State::Walk::Unlocked);
    }
    void operator()(const ResvIterFirst& o) { locked_step(o.i, true); }
    void operator()(const ResvIterNext& o) { locked_step(o.i, false); }
    void operator()(const ResvIterFirstUnlocked& o) { unlocked_step(o.i, true); }
    void operator()(const ResvIterNextUnlocked& o) { unlocked_step(o.i, false); }
    void operator()(const ResvIterEnd& o) {
        auto& it = s.iters[o.i.id];
        s.ref_rule = Rule::RESV_ITER_HOLDS_REF;
        if (it.cur >= 0) s.exercise(Rule::RESV_ITER_HOLDS_REF);
        s.iter_drop_cur(it);
        it.live = false;
    }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
Model::Model(const Profile& p) : s_(std::make_unique<State>(p)) {}
Model::~Model() = default;
Model::Model(const Model& o) : s_(std::make_unique<State>(*o.s_)) {}
Model& Model::operator=(const Model& o) {
    s_ = std::make_unique<State>(*o.s_);
    return *this;
}
const Profile& Model::profile() const { return s_->prof; }
const StateView& Model::view() const { return *s_; }
const std::vector<uint64_t>& Model::exercised() const { return s_->exercised; }
void Model::clear_exercised() { std::fill(s_->exercised.begin(), s_->exercised.end(), 0); }

void Model::reset() {
    auto ex = std::move(s_->exercised);
    s_ = std::make_unique<State>(s_->prof);
    s_->exercised = std::move(ex);
}

bool Model::has_op(const Op& op) const { return s_->prof.v612 || !std::holds_alternative<ResvSetDeadline>(op); }

std::optional<std::string> Model::precondition(const Op& op) const {
    Pre p{*s_, std::nullopt};
    p.check(op);
    return p.why;
}

namespace {
void run_op(Model::State& s, const Op& op) {
    s.div.reset();
    s.first_ret_rule.reset();
    s.buried.clear();
    s.touched.clear();
    s.exp_callbacks.clear();
    s.exp_deadlines.clear();
    s.exp_warnings = 0;
    s.warn_rule = Rule::WARN_ONLY_PREDICTED;
    s.ref_rule = Rule::FENCE_REF_RELEASE;
    if (!s.producing() && s.obs->status == Observation::Status::Bug) {
        // Name the rule behind the result the op should have had; the run stops here anyway.
        const Observation* bug = s.obs;
        Observation expected;
        s.obs = nullptr;
        s.out = &expected;
        std::visit(Apply{s}, op);
        s.out = nullptr;
        s.obs = bug;
        Rule r = s.first_ret_rule.value_or(primary_rule(op));
        s.exercise(r);
        s.div.reset();
        s.fail(r, "the op completes" + (expected.ret || op_ret(op) != RetKind::None ? " and returns " + s.ret_text(op_ret(op), expected.ret) : std::string()),
               "BUG: " + bug->message);
        return;
    }
    std::visit(Apply{s}, op);
    s.exercise(Rule::WARN_ONLY_PREDICTED);
    const Observation& o = s.seen();
    // Side effects any op can have.
    if (s.producing()) {
        for (auto cb : s.exp_callbacks) s.out->callbacks.push_back(CbH{cb});
        s.out->warnings = s.exp_warnings;
    } else {
        if (!s.exp_callbacks.empty() || !o.callbacks.empty()) {
            s.exercise(Rule::FENCE_CB_ONCE);
            if (s.prof.exact && s.exp_callbacks.size() > 1) s.exercise(Rule::FENCE_CB_ORDER);
            std::vector<uint32_t> got;
            for (auto c : o.callbacks) got.push_back(c.id);
            auto txt = [](const std::vector<uint32_t>& v) {
                std::string t = "cb{";
                for (size_t i = 0; i < v.size(); ++i) t += (i ? ", cb" : "cb") + std::to_string(v[i]);
                return t + "}";
            };
            auto a = s.exp_callbacks, b = got;
            std::sort(a.begin(), a.end());
            std::sort(b.begin(), b.end());
            if (a != b) {
                bool missing = std::any_of(a.begin(), a.end(), [&](uint32_t c) { return std::count(a.begin(), a.end(), c) > std::count(b.begin(), b.end(), c); });
                s.fail(missing ? Rule::FENCE_CB_RUN_ON_SIGNAL : Rule::FENCE_CB_ONCE, "runs " + txt(s.exp_callbacks), "ran " + txt(got));
            } else if (s.prof.exact && s.exp_callbacks != got) {
                s.fail(Rule::FENCE_CB_ORDER, "runs " + txt(s.exp_callbacks) + " in registration order", "ran " + txt(got));
            }
        }
        if (o.warnings != s.exp_warnings) {
            s.exercise(Rule::WARN_ONLY_PREDICTED);
            // the rule of the op that said whether to WARN, or the generic one
            s.fail(s.warn_rule, std::to_string(s.exp_warnings) + " WARN", std::to_string(o.warnings) + " WARN");
        }
        if (!o.deadlines.empty() && !std::holds_alternative<ResvSetDeadline>(op))
            s.fail(Rule::RESV_DEADLINE, "no deadline hook runs", "deadline hooks ran");
    }
    s.judge_releases();
}
}  // namespace

std::optional<Divergence> Model::step(const Op& op, const Observation& observed, size_t op_index) {
    s_->obs = &observed;
    s_->out = nullptr;
    s_->op_index = op_index;
    run_op(*s_, op);
    return s_->div;
}

Observation Model::perform(const Op& op) {
    Observation o;
    s_->obs = nullptr;
    s_->out = &o;
    run_op(*s_, op);
    s_->out = nullptr;
    return o;
}

}  // namespace resvcheck
