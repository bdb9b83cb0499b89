// Stepwise iterators: dma_resv_iter_begin / first / next (locked and unlocked) / end (rule areas
// resv.iter.locked, resv.iter.unlocked). Exact profiles follow the kernel's cursor slot by slot;
// the contract judges each step against the entries listed now or at the last (re)start.
#include <algorithm>

#include "detail/op_rules.h"

namespace resvcheck::detail {
namespace {

using Walk = State::Walk;

// ---- the cursor's fence reference ---------------------------------------------------------------
void drop_cur(State& s, IterS& it) {
    if (it.cur >= 0) {
        --s.fences[it.cur].iter;
        s.touch(static_cast<uint32_t>(it.cur));
        it.cur = -1;
    }
}
void take_cur(State& s, IterS& it, uint32_t f) {
    it.cur = static_cast<int>(f);
    ++s.fences[f].iter;
}

// ---- exact cursor semantics ---------------------------------------------------------------------
void exact_restart(IterS& it, const ResvS& r) {
    it.index = 0;
    it.gen = r.gen;
    it.has_list = r.has_list;
    it.num = r.has_list ? r.slots.size() : 0;
}
// dma_resv_iter_walk_unlocked: without a list it returns without touching the cursor's fence.
void exact_walk_unlocked(State& s, IterS& it, const ResvS& r) {
    if (!it.has_list) return;
    drop_cur(s, it);
    while (it.index < it.num && it.index < r.slots.size()) {
        const auto& sl = r.slots[it.index++];
        it.fence_usage = sl.u;
        if (!s.fences[sl.f].signaled && usage_le(sl.u, it.u)) {
            take_cur(s, it, sl.f);
            return;
        }
    }
}

std::string step_text(const std::optional<Entry>& e) { return e ? entry_text(e->fence.id, e->usage) : std::string("NULL"); }

// Judges an exact step against the one entry (or NULL) the kernel's cursor yields.
void judge_exact_step(State& s, const std::optional<Entry>& want, bool want_restart, Rule restart_rule, ResvS& r, IterS& it, Walk w) {
    const auto& o = s.seen();
    s.exercise(restart_rule);
    s.exercise(Rule::RESV_ITER_ONCE_PER_ENTRY);
    if (s.producing()) {
        if (want) s.out->fences.push_back(*want);
        s.out->restarted = want_restart;
        return;
    }
    std::optional<Entry> got;
    if (!o.fences.empty()) got = o.fences.front();
    if (o.fences.size() > 1) {
        s.fail(w == Walk::Locked ? Rule::RESV_ITER_LOCKED_ALL : Rule::RESV_ITER_ONCE_PER_ENTRY, "one fence or NULL",
               std::to_string(o.fences.size()) + " fences");
    } else if (o.restarted != want_restart) {  // a wrong restart explains a wrong entry, not the other way round
        // flagged without a cause, yet the walk went on to the entry it should: the flag is wrong, not the walk
        if (restart_rule == Rule::RESV_ITER_NO_SPURIOUS_RESTART && got == want) restart_rule = Rule::RESV_ITER_RESTART_FLAG;
        s.fail(restart_rule, want_restart ? "is_restarted true" : "is_restarted false",
               std::string(o.restarted ? "is_restarted true" : "is_restarted false") + ", yielded " + step_text(got));
    } else if (got != want) {
        Rule rr;
        if (got && want && w == Walk::Locked && s.fences[want->fence.id].signaled) {
            rr = Rule::RESV_ITER_LOCKED_YIELDS_SIGNALED;  // it skipped the signalled entry the cursor is on
        } else if (got) {
            rr = s.diagnose_extra(r, *got, it.u, w, true);
            // Relative to the cursor (it.index is past the wanted entry): ahead means order, behind means twice.
            size_t here = it.index == 0 ? 0 : it.index - 1;
            bool ahead = false, behind = false;
            for (size_t j = 0; j < r.slots.size(); ++j)
                if (r.slots[j].f == got->fence.id && r.slots[j].u == got->usage && s.in_scope(r.slots[j], it.u, w))
                    (j > here ? ahead : behind) = true;
            if (rr == Rule::RESV_ITER_ONCE_PER_ENTRY || rr == Rule::RESV_ADD_LISTED) {
                if (ahead) rr = w == Walk::Locked ? Rule::RESV_SLOT_ORDER : Rule::RESV_ITER_SNAPSHOT;
                else if (behind) rr = Rule::RESV_ITER_ONCE_PER_ENTRY;
            }
        } else if (w == Walk::Unlocked && !it.has_list) {
            rr = Rule::RESV_ITER_NO_LIST_KEEPS_FENCE;
        } else {
            rr = w == Walk::Locked ? Rule::RESV_ITER_LOCKED_ALL : Rule::RESV_ITER_UNLOCKED_COMPLETE;
            for (const auto& sl : r.slots)
                if (sl.f == want->fence.id) rr = s.fences[sl.f].signaled && w == Walk::Locked ? Rule::RESV_ITER_LOCKED_YIELDS_SIGNALED : rr;
        }
        s.fail(rr, "yields " + step_text(want), "yielded " + step_text(got));
    }
}

void locked_step_exact(State& s, IterS& it, ResvS& r, bool first) {
    if (first) exact_restart(it, r);
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
    judge_exact_step(s, want, first, Rule::RESV_ITER_LOCKED_RESTARTED, r, it, Walk::Locked);
}

void unlocked_step_exact(State& s, IterS& it, ResvS& r, bool first) {
    bool restarted = false;
    // list identity is a pointer: NULL equals NULL whatever happened in between
    if (first || it.has_list != r.has_list || (r.has_list && it.gen != r.gen)) {
        if (!first) s.exercise(Rule::RESV_ITER_RESTART_ON_REALLOC);
        exact_restart(it, r);
        restarted = true;
    } else {
        s.exercise(Rule::RESV_ITER_NO_SPURIOUS_RESTART);
        s.exercise(Rule::RESV_ITER_SNAPSHOT);
    }
    if (!it.has_list && it.cur >= 0) s.exercise(Rule::RESV_ITER_NO_LIST_KEEPS_FENCE);
    exact_walk_unlocked(s, it, r);
    std::optional<Entry> want;
    if (it.cur >= 0) want = Entry{FenceH{static_cast<uint32_t>(it.cur)}, it.fence_usage};
    Rule restart_rule = first       ? Rule::RESV_ITER_RESTART_FLAG
                        : restarted ? Rule::RESV_ITER_RESTART_ON_REALLOC
                                    : Rule::RESV_ITER_NO_SPURIOUS_RESTART;
    s.exercise(Rule::RESV_ITER_RESTART_FLAG);
    s.exercise(Rule::RESV_ITER_UNLOCKED_SKIPS_SIGNALED);
    s.exercise(Rule::RESV_ITER_UNLOCKED_COMPLETE);
    judge_exact_step(s, want, restarted, restart_rule, r, it, Walk::Unlocked);
}

// ---- contract -----------------------------------------------------------------------------------
// One step of either iterator under the contract.
void step_contract(State& s, IterS& it, ResvS& r, Walk w, bool first) {
    const auto& o = s.seen();
    Rule restart_rule = w == Walk::Locked ? Rule::RESV_ITER_LOCKED_RESTARTED : Rule::RESV_ITER_RESTART_FLAG;
    s.exercise(restart_rule);
    if (w == Walk::Unlocked && !first) s.exercise(Rule::RESV_ITER_NO_SPURIOUS_RESTART);
    bool restarted = s.producing() ? first : o.restarted;
    if (first && !restarted) s.fail(restart_rule, "is_restarted true", "is_restarted false");
    if (!first && restarted) {
        if (w == Walk::Locked)
            s.fail(restart_rule, "is_restarted false", "is_restarted true");
        else if (r.mod == it.mod_at_restart)
            s.fail(Rule::RESV_ITER_NO_SPURIOUS_RESTART, "no restart (the object was not modified)", "is_restarted true");
    }
    const bool has_previous = !it.yielded.empty();
    const Entry previous = has_previous ? it.yielded.back() : Entry{};
    if (restarted) {
        it.yielded.clear();
        it.yielded_ids.clear();
        it.at_restart = r.slots;
        it.mod_at_restart = r.mod;
    }
    if (w == Walk::Unlocked) drop_cur(s, it);
    std::optional<Entry> got;
    if (s.producing()) {
        // canonical: the first required entry in scope not yet yielded
        for (const auto& sl : r.slots) {
            if (!s.in_scope(sl, it.u, w) || !s.must_list(sl)) continue;
            if (std::find(it.yielded_ids.begin(), it.yielded_ids.end(), sl.id) == it.yielded_ids.end()) {
                got = Entry{FenceH{sl.f}, sl.u};
                break;
            }
        }
        if (got) s.out->fences.push_back(*got);
        s.out->restarted = first;
    } else if (!o.fences.empty()) {
        got = o.fences.front();
        if (o.fences.size() > 1) s.fail(Rule::RESV_ITER_ONCE_PER_ENTRY, "one fence or NULL", std::to_string(o.fences.size()) + " fences");
    }
    s.exercise(Rule::RESV_NO_PHANTOM);
    s.exercise(Rule::RESV_USAGE_FILTER);
    s.exercise(Rule::RESV_ITER_ONCE_PER_ENTRY);
    if (got) {
        // The entry it names: one listed now or at the (re)start, not yet yielded in this pass.
        auto same = [&](const Slot& sl) { return sl.f == got->fence.id && sl.u == got->usage; };
        auto fresh = [&](const Slot& sl) { return same(sl) && std::find(it.yielded_ids.begin(), it.yielded_ids.end(), sl.id) == it.yielded_ids.end(); };
        const Slot* entry = nullptr;
        for (const auto* v : {&r.slots, &it.at_restart})
            for (const auto& sl : *v)
                if (!entry && fresh(sl)) entry = &sl;
        bool known = std::any_of(r.slots.begin(), r.slots.end(), same) || std::any_of(it.at_restart.begin(), it.at_restart.end(), same);
        bool sig = got->fence.id < s.fences.size() && s.fences[got->fence.id].signaled;
        bool repeat = !entry && has_previous && previous == *got;
        if (w == Walk::Unlocked && repeat && !first) {
            // e.g. 6.12 after the list went away (RESV-ITER-NO-LIST-KEEPS-FENCE)
            s.fail(Rule::RESV_ITER_ONCE_PER_ENTRY, "the next entry or NULL", "returned its previous fence " + entry_text(got->fence.id, got->usage) + " again");
        } else if (w == Walk::Unlocked && sig) {
            s.exercise(Rule::RESV_ITER_UNLOCKED_SKIPS_SIGNALED);
            s.fail(Rule::RESV_ITER_UNLOCKED_SKIPS_SIGNALED, "no signalled fence", "yielded signalled " + entry_text(got->fence.id, got->usage));
        } else if (!usage_le(got->usage, it.u)) {
            s.fail(Rule::RESV_USAGE_FILTER, "usage <= " + std::string(usage_name(it.u)), "yielded " + entry_text(got->fence.id, got->usage));
        } else if (!known) {
            s.fail(s.diagnose_extra(r, *got, it.u, w, true), "a listed fence", "yielded " + entry_text(got->fence.id, got->usage));
        } else if (!entry) {
            s.fail(Rule::RESV_ITER_ONCE_PER_ENTRY, "each entry once per pass", "yielded " + entry_text(got->fence.id, got->usage) + " again");
        }
        it.yielded.push_back(*got);
        if (entry) it.yielded_ids.push_back(entry->id);
        if (w == Walk::Unlocked && got->fence.id < s.fences.size() && s.fences[got->fence.id].live) take_cur(s, it, got->fence.id);
        return;
    }
    // End of the pass: everything that stayed listed, in scope and unsignalled was yielded.
    Rule complete = w == Walk::Locked ? Rule::RESV_ITER_LOCKED_ALL : Rule::RESV_ITER_UNLOCKED_COMPLETE;
    s.exercise(complete);
    for (const auto& sl : it.at_restart) {
        if (!s.in_scope(sl, it.u, w) || !s.must_list(sl)) continue;
        bool still = std::any_of(r.slots.begin(), r.slots.end(), [&](const Slot& x) { return x.id == sl.id && s.must_list(x); });
        if (!still) continue;
        bool got_it = std::any_of(it.yielded.begin(), it.yielded.end(), [&](const Entry& e) { return e.fence.id == sl.f && usage_le(e.usage, sl.u); });
        if (!got_it) {
            s.fail(complete, entry_text(sl.f, sl.u) + " yielded before the end", "NULL without it");
            return;
        }
    }
}

void locked_step(State& s, IterH ih, bool first) {
    auto& it = s.iters[ih.id];
    auto& r = s.resvs[it.r];
    it.mode = 1;
    s.reads_list(r);
    if (s.prof.exact_kernel) locked_step_exact(s, it, r, first);
    else step_contract(s, it, r, Walk::Locked, first);
}

void unlocked_step(State& s, IterH ih, bool first) {
    auto& it = s.iters[ih.id];
    auto& r = s.resvs[it.r];
    it.mode = 2;
    s.reads_list(r);
    s.ref_rule = Rule::RESV_ITER_HOLDS_REF;
    s.exercise(Rule::RESV_ITER_HOLDS_REF);
    if (s.prof.exact_kernel) unlocked_step_exact(s, it, r, first);
    else step_contract(s, it, r, Walk::Unlocked, first);
}

bool pre_step(Pre& p, IterH i, int want_mode, bool first) {
    if (!p.s.alive(HandleKind::Iter, i.id)) return p.fail("i" + std::to_string(i.id) + " is not a begun iterator");
    const auto& it = p.s.iters[i.id];
    if (!first && it.mode != want_mode) return p.fail("i" + std::to_string(i.id) + ": call the matching _first before _next");
    if (first && it.mode != 0 && it.mode != want_mode) return p.fail("i" + std::to_string(i.id) + " already walks in the other mode");
    if (want_mode == 1 && !p.s.resv_locked(it.r)) return p.fail("the locked iterator needs r" + std::to_string(it.r) + " locked");
    return true;
}

}  // namespace

bool pre(Pre& p, const ResvIterBegin& o) { return p.fresh(o.i, "iterator") && p.resv(o.r); }
void run(State& s, const ResvIterBegin& o) {
    IterS it;
    it.live = true;
    it.r = o.r.id;
    it.u = o.usage;
    s.iters.push_back(it);
}

bool pre(Pre& p, const ResvIterFirst& o) { return pre_step(p, o.i, 1, true); }
void run(State& s, const ResvIterFirst& o) { locked_step(s, o.i, true); }
bool pre(Pre& p, const ResvIterNext& o) { return pre_step(p, o.i, 1, false); }
void run(State& s, const ResvIterNext& o) { locked_step(s, o.i, false); }
bool pre(Pre& p, const ResvIterFirstUnlocked& o) { return pre_step(p, o.i, 2, true); }
void run(State& s, const ResvIterFirstUnlocked& o) { unlocked_step(s, o.i, true); }
bool pre(Pre& p, const ResvIterNextUnlocked& o) { return pre_step(p, o.i, 2, false); }
void run(State& s, const ResvIterNextUnlocked& o) { unlocked_step(s, o.i, false); }

bool pre(Pre& p, const ResvIterEnd& o) {
    return p.s.alive(HandleKind::Iter, o.i.id) || p.fail("i" + std::to_string(o.i.id) + " is not a begun iterator");
}
void run(State& s, const ResvIterEnd& o) {
    auto& it = s.iters[o.i.id];
    s.ref_rule = Rule::RESV_ITER_HOLDS_REF;
    if (it.cur >= 0) s.exercise(Rule::RESV_ITER_HOLDS_REF);
    drop_cur(s, it);
    it.live = false;
}

}  // namespace resvcheck::detail
