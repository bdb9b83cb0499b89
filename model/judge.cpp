// The judging and blame machinery every rule area uses: expected results, references and
// releases, complete walks, and which rule an unexpected or missing entry points to.
#include <algorithm>

#include "detail/model_state.h"
#include "text_format.h"

namespace resvcheck {

using namespace detail;
using State = Model::State;

std::string detail::entry_text(uint32_t f, std::optional<Usage> u) {
    std::string s = "f" + std::to_string(f);
    if (u) s += ":" + std::string(usage_name(*u));
    return s;
}

// ---- results ------------------------------------------------------------------------------------
void State::fail(Rule r, std::string allowed, std::string observed) {
    if (!div) div = Divergence{r, op_index, std::move(allowed), std::move(observed)};
}

std::string State::ret_text(RetKind k, int64_t v) const {
    switch (k) {
    case RetKind::Bool: return v ? "true" : "false";
    case RetKind::Errno: return v < 0 ? errno_name(v) : std::to_string(v);
    case RetKind::Usage: return v >= 0 && v < kUsages ? std::string(usage_name(static_cast<Usage>(v))) : std::to_string(v);
    case RetKind::Ctx: return v < 0 ? "none" : "a" + std::to_string(v);
    default: return std::to_string(v);
    }
}

void State::expect_ret(Rule r, RetKind k, int64_t want) {
    exercise(r);
    if (!first_ret_rule) first_ret_rule = r;
    if (producing()) {
        out->ret = want;
        return;
    }
    if (obs->ret != want) fail(r, "returns " + ret_text(k, want), "returned " + ret_text(k, obs->ret));
}

int64_t State::expect_ret_any(Rule r, RetKind k, std::initializer_list<int64_t> allowed) {
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

void State::expect_slept(Rule r, uint32_t want) {
    exercise(r);
    if (producing()) {
        out->slept = want;
        return;
    }
    if (obs->slept != want)
        fail(r, want ? "sleeps " + std::to_string(want) + " jiffies" : "does not sleep", "slept " + std::to_string(obs->slept) + " jiffies");
}

void State::expect_warn(Rule r, uint32_t n) {
    exp_warnings += n;
    warn_rule = r;
    exercise(r);
}

void State::expect_bug(Rule r, bool required) {
    exercise(r);
    bug_allowed = r;
    if (!required) return;
    if (producing()) {
        out->status = Observation::Status::Bug;
        out->message = "BUG: " + std::string(rule_info(r).function) + " (" + std::string(rule_info(r).id) + ")";
        ended = true;
    } else if (obs->status != Observation::Status::Bug) {
        fail(r, "BUG()", "the op returns");
    }
}

void State::judge_side_effects(const Op& op) {
    const Observation& o = seen();
    if (producing()) {
        for (auto cb : exp_callbacks) out->callbacks.push_back(CbH{cb});
        out->warnings = exp_warnings;
        return;
    }
    judge_callbacks();
    if (o.warnings != exp_warnings) {
        exercise(Rule::WARN_ONLY_PREDICTED);
        // the rule of the op that said whether to WARN, or the generic one; on an object the
        // drm_exec context holds, the lock assertion failed: the rule that took the lock
        Rule why = warn_rule;
        std::visit([&](const auto& x) {
            if constexpr (requires { x.r.id; })
                if (why == Rule::WARN_ONLY_PREDICTED && x.r.id < resvs.size() && resvs[x.r.id].by_exec) why = resvs[x.r.id].lock_rule;
        }, op);
        fail(why, std::to_string(exp_warnings) + " WARN", std::to_string(o.warnings) + " WARN");
    }
    if (!o.deadlines.empty() && !std::holds_alternative<ResvSetDeadline>(op))
        fail(Rule::RESV_DEADLINE, "no deadline hook runs", "deadline hooks ran");
}

// ---- references ---------------------------------------------------------------------------------
void State::add_slot_ref(const Slot& s) {
    auto& fs = fences[s.f];
    ++fs.slots;
    if (s.required) ++fs.required;
    touch(s.f);
}
void State::drop_slot_ref(const Slot& s) {
    auto& fs = fences[s.f];
    --fs.slots;
    if (s.required) --fs.required;
    touch(s.f);
}
void State::demote(Slot& s) {
    if (s.required) {
        s.required = false;
        --fences[s.f].required;
        touch(s.f);
    }
}

namespace {
// Removals an adapter may have missed, the subtle kernel-specific ones first: they explain a
// release that does not happen later.
constexpr Rule kLikelyMissed[] = {
    Rule::RESV_ADD_REUSE_SIGNALED, Rule::RESV_RESERVE_PRUNES_SIGNALED, Rule::RESV_UNLOCK_FORFEITS_RESERVATION,
    Rule::RESV_ADD_REPLACE_SAME_CONTEXT, Rule::RESV_REPLACE_ALL_OF_CONTEXT, Rule::RESV_COPY_REPLACES_DST};
uint32_t removal_bit(Rule r) {
    for (size_t k = 0; k < std::size(kLikelyMissed); ++k)
        if (kLikelyMissed[k] == r) return 1u << k;
    return 0;
}

// Releases: which fences must and may have been released by now.
bool must_release(const FenceS& fs) { return !fs.released && fs.harness == 0 && fs.iter == 0 && fs.slots == 0 && fs.held == 0; }
bool may_release_exact(const FenceS& fs) { return fs.slots == 0; }
bool may_release_contract(const FenceS& fs) { return fs.signaled ? true : fs.required == 0; }  // only optional entries may still name it
bool may_release(const State& s, const FenceS& fs) {
    if (fs.released || fs.harness != 0 || fs.iter != 0 || fs.held != 0) return false;
    return s.prof.exact_kernel ? may_release_exact(fs) : may_release_contract(fs);
}
}  // namespace

void State::bury(ResvS& r, const Slot& s, Rule why) {
    if (fences[s.f].signaled) r.may_hold_signaled = true;
    buried.emplace_back(s.f, why);
    fences[s.f].removed_by |= removal_bit(why);
    if (r.gone.size() >= kMaxGone) r.gone.erase(r.gone.begin());
    r.gone.push_back({s.f, s.u, why});
}
void State::unbury(ResvS& r, uint32_t f) {
    std::erase_if(r.gone, [&](const Gone& g) { return g.f == f; });
}

void State::judge_releases() {
    const bool diverged_before = div.has_value();
    const auto& o = seen();
    std::vector<uint32_t>& must = must_release_scratch;
    must.clear();
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
            if (!may_release(*this, fences[f])) {
                const auto& fs = fences[f];
                // reserve releases only what it prunes: a signalled fence released by a reserve
                // that had room means it reallocated; an unsignalled one must never be dropped
                Rule why = early_release;
                if (!fs.signaled && (why == Rule::RESV_EXACT_CAPACITY || why == Rule::RESV_RESERVE_PRUNES_SIGNALED))
                    why = Rule::RESV_RESERVE_KEEPS_UNSIGNALED;
                fail(why,
                     "f" + std::to_string(f) + " stays alive (references: caller " + std::to_string(fs.harness) +
                         ", reservation entries " + std::to_string(prof.exact_kernel ? fs.slots : fs.required) +
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
    if (div && !diverged_before) div->references = true;
    // Adopt: released fences are gone everywhere.
    for (auto h : o.released) {
        uint32_t f = h.id;
        if (f < fences.size() && fences[f].live && !fences[f].released && may_release(*this, fences[f])) {
            if (fences[f].slots) {
                for (auto& r : resvs) {
                    for (auto& s : r.slots)
                        if (s.f == f) drop_slot_ref(s);
                    std::erase_if(r.slots, [&](const Slot& s) { return s.f == f; });
                }
            }
            fences[f].live = false;
            fences[f].released = true;
        }
    }
}

// ---- fence lists: judging walks -----------------------------------------------------------------
bool State::in_scope(const Slot& s, Usage u, Walk w) const {
    return usage_le(s.u, u) && (w == Walk::Locked || !fences[s.f].signaled);
}
bool State::must_list(const Slot& s) const { return prof.exact_kernel || (s.required && !fences[s.f].signaled); }

Rule State::diagnose_extra(const ResvS& r, const Entry& e, Usage u, Walk w, bool with_usage) const {
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

namespace {

// One complete walk being judged.
struct WalkJudge {
    State& s;
    ResvS& r;
    Usage u;
    State::Walk w;
    std::vector<Entry>& observed;
    Rule main;
    std::optional<Rule> override_rule;
    bool with_usage = w != State::Walk::FencesOnly;
    std::vector<Entry>& want;     // the State's scratch buffers: no allocation per walk
    std::vector<char>& matched;

    Rule name(Rule rr) const { return override_rule ? *override_rule : rr; }
    bool in_scope(const Slot& sl) const { return s.in_scope(sl, u, w); }

    std::string list_text(const std::vector<Entry>& l) const {
        std::string t = "{";
        for (size_t i = 0; i < l.size(); ++i)
            t += (i ? ", " : "") + entry_text(l[i].fence.id, with_usage ? std::optional(l[i].usage) : std::nullopt);
        return t + "}";
    }
    void fail_list(Rule rr) {
        s.fail(name(rr), list_text(want) + (s.prof.exact_kernel ? "" : " (and possibly signalled or superseded entries)"),
               list_text(observed));
    }

    // A walk with usage U that returned only entries of usage U (or nothing) while stronger ones,
    // untouched since they were added, are missing: the usage comparison runs the wrong way
    // (entries above U would have been reported as extras already).
    bool inverted_filter() const {
        if (u == Usage::KERNEL || w == State::Walk::FencesOnly) return false;
        for (const auto& e : observed)
            if (e.usage != u) return false;
        bool missing = false;
        for (size_t j = 0; j < r.slots.size(); ++j) {
            const auto& sl = r.slots[j];
            if (matched[j] || !in_scope(sl) || !s.must_list(sl)) continue;
            if (!(static_cast<int>(sl.u) < static_cast<int>(u)) ||
                (sl.suspect != Rule::RESV_ADD_LISTED && sl.suspect != Rule::RESV_UNLOCK_KEEPS_FENCES &&
                 sl.suspect != Rule::RESV_USAGE_FILTER))
                return false;
            missing = true;
        }
        return missing;
    }

    void exercise_all() {
        s.exercise(name(main));
        s.exercise(name(Rule::RESV_USAGE_FILTER));
        s.exercise(name(Rule::RESV_NO_PHANTOM));
        if (w != State::Walk::Locked) s.exercise(name(Rule::RESV_ITER_UNLOCKED_SKIPS_SIGNALED));
        for (const auto& sl : r.slots)
            if (in_scope(sl)) {
                s.exercise(name(sl.suspect));
                if (with_usage) s.exercise(name(sl.origin));
            }
        for (const auto& g : r.gone) s.exercise(name(g.why));
        if (!r.ever_listed) s.exercise(name(Rule::RESV_INIT_EMPTY));
    }

    // Match every observed entry to a distinct slot in scope (required ones first).
    bool match_observed() {
        matched.assign(r.slots.size(), 0);
        for (const auto& e : observed) {
            auto fits = [&](const Slot& sl) { return sl.f == e.fence.id && (!with_usage || sl.u == e.usage) && in_scope(sl); };
            int pick = -1;
            for (size_t j = 0; j < r.slots.size(); ++j)
                if (!matched[j] && fits(r.slots[j]) && (pick < 0 || (r.slots[j].required && !r.slots[pick].required)))
                    pick = static_cast<int>(j);
            if (pick < 0) {
                if (!s.div) fail_list(s.diagnose_extra(r, e, u, w, with_usage));
                return false;
            }
            matched[pick] = 1;
        }
        return true;
    }

    // Every slot that must be listed is listed (or covered by the same fence with a stronger usage).
    bool none_missing() {
        std::optional<Rule> first_missing;
        bool only_signaled_missing = true, all_signaled_missing = true, any_signaled = false;
        for (size_t j = 0; j < r.slots.size(); ++j) {
            const auto& sl = r.slots[j];
            if (!in_scope(sl) || matched[j]) {
                if (in_scope(sl) && s.fences[sl.f].signaled) { any_signaled = true; all_signaled_missing = false; }
                continue;
            }
            if (s.fences[sl.f].signaled) any_signaled = true;
            if (!s.must_list(sl)) continue;
            bool covered = !s.prof.exact_kernel && std::any_of(observed.begin(), observed.end(), [&](const Entry& e) {
                return e.fence.id == sl.f && (!with_usage || usage_le(e.usage, sl.u));
            });
            if (covered) continue;
            // an entry a copy or replace put there may be missing for its own reasons (usage)
            if (!s.fences[sl.f].signaled || sl.suspect == Rule::RESV_COPY_UNSIGNALED || sl.suspect == Rule::RESV_REPLACE_ALL_OF_CONTEXT)
                only_signaled_missing = false;
            // listed by a walk and untouched since: this walk lost it, through its usage if that differs
            if (!first_missing) first_missing = sl.suspect == Rule::RESV_USAGE_FILTER ? (sl.seen_u == u ? main : Rule::RESV_USAGE_FILTER) : sl.suspect;
        }
        if (!first_missing) return true;
        if (s.prof.exact_kernel && w == State::Walk::Locked && only_signaled_missing && all_signaled_missing && any_signaled)
            fail_list(Rule::RESV_ITER_LOCKED_YIELDS_SIGNALED);
        else if (inverted_filter())
            fail_list(Rule::RESV_USAGE_FILTER);
        else
            fail_list(*first_missing);
        return false;
    }

    // Exact: the entries come in slot order.
    void settle_exact() {
        if (w == State::Walk::Locked) s.exercise(name(Rule::RESV_ITER_LOCKED_YIELDS_SIGNALED));
        if (want.size() > 1) s.exercise(name(Rule::RESV_SLOT_ORDER));
        bool same = want.size() == observed.size();
        for (size_t i = 0; same && i < want.size(); ++i)
            same = want[i].fence == observed[i].fence && (!with_usage || want[i].usage == observed[i].usage);
        if (!same) fail_list(Rule::RESV_SLOT_ORDER);
    }

    // Contract: unmatched slots in scope are gone for good. A fence-only result cannot tell
    // two entries of one fence apart, so those stay while the fence is listed at all.
    void settle_contract() {
        for (size_t j = r.slots.size(); j-- > 0;) {
            const auto& sl = r.slots[j];
            bool ambiguous = !with_usage && std::any_of(observed.begin(), observed.end(), [&](const Entry& e) { return e.fence.id == sl.f; });
            if (in_scope(sl) && !matched[j] && !ambiguous) {
                s.bury(r, sl, Rule::RESV_NO_PHANTOM);
                s.drop_slot_ref(sl);
                r.slots.erase(r.slots.begin() + static_cast<long>(j));
            }
        }
    }

    void judge() {
        exercise_all();
        want.clear();
        for (const auto& sl : r.slots)
            if (in_scope(sl) && s.must_list(sl)) want.push_back({FenceH{sl.f}, sl.u});
        if (s.producing()) {
            observed = want;
            if (!with_usage)
                for (auto& e : observed) e.usage = Usage::KERNEL;
        }
        if (!match_observed() || !none_missing()) return;
        if (!s.div && with_usage)
            for (size_t j = 0; j < r.slots.size(); ++j)
                if (matched[j]) {
                    r.slots[j].suspect = Rule::RESV_USAGE_FILTER;
                    r.slots[j].seen_u = u;
                }
        if (s.prof.exact_kernel) settle_exact();
        else settle_contract();
    }
};

}  // namespace

void State::judge_walk(ResvS& r, Usage u, Walk w, std::vector<Entry>& observed, Rule main, std::optional<Rule> override_rule) {
    reads_list(r);
    WalkJudge{*this, r, u, w, observed, main, override_rule, w != Walk::FencesOnly, walk_want, walk_matched}.judge();
}

std::pair<bool, bool> State::busy(const ResvS& r, Usage u) const {
    bool must = false, may = false;
    for (const auto& s : r.slots) {
        if (!usage_le(s.u, u) || fences[s.f].signaled) continue;
        may = true;
        if (must_list(s)) must = true;
    }
    return {must, may};
}

void State::adopt_idle(ResvS& r, Usage u) {
    for (size_t j = r.slots.size(); j-- > 0;) {
        const auto& s = r.slots[j];
        if (usage_le(s.u, u) && !fences[s.f].signaled && !must_list(s)) {
            bury(r, s, Rule::RESV_NO_PHANTOM);
            drop_slot_ref(s);
            r.slots.erase(r.slots.begin() + static_cast<long>(j));
        }
    }
}

void State::set_suspects(ResvS& r, Rule rule) {
    for (auto& s : r.slots) s.suspect = rule;
}
void State::replace_list(ResvS& r) {
    r.gen = next_gen++;
    ++r.mod;
}

}  // namespace resvcheck
