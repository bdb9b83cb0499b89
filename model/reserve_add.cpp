// Reservation objects: their lifetime, reserving slots and adding fences (rule areas
// resv.lifetime, resv.reserve, resv.add). The contract keeps entries as required or optional
// instances; the exact kernel profiles keep the kernel's slots, in order, with its capacity.
#include <algorithm>
#include <bit>
#include <cerrno>

#include "detail/op_rules.h"

namespace resvcheck::detail {

// SLUB kmalloc buckets (x86-64): what a fence list of a requested size really gets.
static uint64_t kmalloc_bucket(uint64_t size) {
    static constexpr uint64_t kBuckets[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
    for (uint64_t b : kBuckets)
        if (size <= b) return b;
    return std::bit_ceil(size);  // page-order allocation
}
uint32_t list_capacity(uint64_t requested) {
    constexpr uint64_t header = 24, entry = 8;  // rcu_head + two u32; one tagged pointer per slot
    return static_cast<uint32_t>((kmalloc_bucket(header + entry * requested) - header) / entry);
}

// ---- lifetime -----------------------------------------------------------------------------------
bool pre(Pre& p, const ResvInit& o) { return p.fresh(o.r, "reservation object"); }
void run(State& s, const ResvInit&) {
    ResvS r;
    r.live = true;
    r.gen = 0;  // no list
    s.resvs.push_back(r);
}

bool pre(Pre& p, const ResvFini& o) {
    if (!p.resv(o.r) || !p.no_iter(o.r)) return false;
    if (p.s.resvs[o.r.id].locked) return p.fail("fini of a locked object");
    if (p.s.exec_listed(o.r.id) || p.s.exec.contended == static_cast<int>(o.r.id))
        return p.fail("the drm_exec context holds a reference on r" + std::to_string(o.r.id) + "'s GEM object");
    return true;
}
void run(State& s, const ResvFini& o) {
    auto& r = s.resvs[o.r.id];
    s.ref_rule = Rule::RESV_FINI_DROPS_REFS;
    if (!r.slots.empty()) s.exercise(Rule::RESV_FINI_DROPS_REFS);
    for (const auto& sl : r.slots) s.drop_slot_ref(sl);
    r.slots.clear();
    r.live = false;
}

// ---- reserve ------------------------------------------------------------------------------------
namespace {

// reserve_fences(0): exact kernels answer one way, the contract allows either.
void reserve_zero_exact(State& s) {
    if (s.prof.reserve_zero_einval) {
        s.expect_ret(Rule::RESV_RESERVE_ZERO, RetKind::Errno, -EINVAL);
        s.expect_warn(Rule::RESV_RESERVE_ZERO);
    } else {
        s.expect_ret(Rule::RESV_RESERVE_ZERO, RetKind::Errno, 0);  // list with capacity: nothing to do
    }
}
void reserve_zero_contract(State& s, ResvS& r) {
    int64_t got = s.expect_ret_any(Rule::RESV_RESERVE_ZERO, RetKind::Errno, {-EINVAL, 0});
    if (got == -EINVAL) {
        s.expect_warn(Rule::RESV_RESERVE_ZERO);
    } else {
        s.exercise(Rule::WARN_ONLY_PREDICTED);
        ++r.mod;  // kernels that accept 0 (6.1, 6.6) may reallocate the list: a paused walk may restart
    }
}

void reallocate(State& s, ResvS& r, uint32_t requested, Rule prune_why) {
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

// The kernel keeps the list while it has room, else reallocates (pruning signalled fences).
void reserve_exact(State& s, ResvS& r, uint32_t n) {
    uint32_t num = static_cast<uint32_t>(r.slots.size());
    s.exercise(Rule::RESV_EXACT_CAPACITY);
    if (r.has_list && r.max != 0) {
        if (num + n <= r.max) {
            s.early_release = Rule::RESV_EXACT_CAPACITY;
            for (auto& sl : r.slots)
                if (s.fences[sl.f].signaled) sl.suspect = Rule::RESV_EXACT_CAPACITY;
            return;
        }
        if (r.forfeited) s.exercise(Rule::RESV_UNLOCK_FORFEITS_RESERVATION);
        reallocate(s, r, std::max(num + n, 2 * r.max),
                   r.forfeited ? Rule::RESV_UNLOCK_FORFEITS_RESERVATION : Rule::RESV_RESERVE_PRUNES_SIGNALED);
    } else {
        Rule why = s.prof.unlock_forfeits_reservation && r.has_list ? Rule::RESV_UNLOCK_FORFEITS_RESERVATION
                                                                    : Rule::RESV_RESERVE_PRUNES_SIGNALED;
        reallocate(s, r, std::max<uint32_t>(4, std::bit_ceil(n)), why);
    }
}
// The contract: the list may have been reallocated (iterators may restart).
void reserve_contract(ResvS& r) {
    ++r.mod;
    r.ever_listed = true;
    r.has_list = true;
}

}  // namespace

bool pre(Pre& p, const ResvReserveFences& o) {
    if (!p.resv(o.r) || !p.locked(o.r) || !p.no_locked_iter(o.r)) return false;
    if (o.num_fences > kMaxReserve) return p.fail("reserve at most " + std::to_string(kMaxReserve) + " slots at once");
    const auto& rs = p.s.resvs[o.r.id];
    if (o.num_fences == 0 && !p.s.prof.reserve_zero_einval && (!rs.has_list || rs.max == 0))
        return p.fail("reserve_fences(0) without a list is undefined in 6.1 (roundup_pow_of_two(0))");
    if (rs.slots.size() + o.num_fences > 200) return p.fail("lists are limited to 200 entries");
    return true;
}
std::optional<Rule> misuse(const State& s, const ResvReserveFences& o) {
    Pre p{s, std::nullopt};
    if (o.num_fences != 0 || !s.prof.reserve_zero_einval || !pre(p, o)) return std::nullopt;  // 6.1 does not catch it
    return Rule::RESV_RESERVE_ZERO;
}
void run(State& s, const ResvReserveFences& o) {
    auto& r = s.resvs[o.r.id];
    uint32_t n = o.num_fences;
    s.ref_rule = Rule::RESV_RESERVE_PRUNES_SIGNALED;
    s.early_release = Rule::RESV_RESERVE_PRUNES_SIGNALED;
    if (n == 0) {
        if (s.prof.exact_kernel) reserve_zero_exact(s);
        else reserve_zero_contract(s, r);
        return;
    }
    if (s.fail_at) {
        // One allocation, and only when the list lacks room: exact profiles know the capacity, the
        // contract knows only that an object without a list must allocate.
        bool needs = s.prof.exact_kernel ? !(r.has_list && r.max != 0 && r.slots.size() + n <= r.max) : !r.has_list;
        bool failed = needs || s.prof.exact_kernel ? needs && s.alloc_fails()
                                                   : s.alloc_may_fail(Rule::RESV_RESERVE_ENOMEM, RetKind::Errno, -ENOMEM, 0);
        if (failed) {  // the object is unchanged
            s.expect_ret(Rule::RESV_RESERVE_ENOMEM, RetKind::Errno, -ENOMEM);
            s.early_release = Rule::RESV_RESERVE_ENOMEM;
            return;
        }
    }
    s.expect_ret(Rule::RESV_RESERVE_OK, RetKind::Errno, 0);
    r.reserve_rule = Rule::RESV_RESERVE_GUARANTEE;
    r.guarantee = std::max(r.guarantee, static_cast<int>(n));
    for (auto& sl : r.slots) sl.suspect = Rule::RESV_RESERVE_KEEPS_UNSIGNALED;
    if (s.prof.exact_kernel) reserve_exact(s, r, n);
    else reserve_contract(r);
}

// ---- add ----------------------------------------------------------------------------------------
namespace {

// How an entry relates to a fence being added: it qualifies for in-place replacement (nothing),
// or the rule that forbids removing it.
std::optional<Rule> classify(const State& s, const Slot& sl, uint32_t f, Usage usage) {
    const auto& old = s.fences[sl.f];
    const auto& fs = s.fences[f];
    if (old.ctx != fs.ctx) return Rule::RESV_ADD_OTHER_CONTEXT_KEPT;
    if (!usage_le(usage, sl.u)) return Rule::RESV_ADD_NO_REPLACE_WEAKER;
    if (s.later_or_same(f, sl.f)) return std::nullopt;
    return old.seqno == fs.seqno ? Rule::RESV_ADD_SAME_SEQNO_DISTINCT : Rule::RESV_ADD_NO_REPLACE_OLDER;
}

// The contract: superseded entries become optional (they may stay), the new one is required; a
// fence re-added with the same usage adds no entry, so its first old one goes (a listing too many
// is blamed on it), unless the new one may have taken another slot: a signalled entry's or another
// superseded one's (the kernel takes the first it meets and the fence is then listed twice,
// kernel-rules RESV-ADD-04), or the fence itself is signalled (its entries are optional).
void add_fence_contract(State& s, ResvS& r, const ResvAddFence& o, const Slot& fresh) {
    // ... and only when no other entry qualifies for the new one's slot (one met first would take it)
    bool one_entry = !s.fences[o.f.id].signaled && !r.may_hold_signaled &&
                     std::none_of(r.slots.begin(), r.slots.end(), [&](const Slot& sl) {
                         return s.fences[sl.f].signaled || (!(sl.f == o.f.id && sl.u == o.usage) && !classify(s, sl, o.f.id, o.usage));
                     });
    for (size_t i = 0; i < r.slots.size();) {
        auto& sl = r.slots[i];
        if (one_entry && sl.f == o.f.id && sl.u == o.usage) {  // the first one: more may exist (replace_fences)
            one_entry = false;
            s.exercise(Rule::RESV_ADD_SAME_FENCE_ONCE);
            s.bury(r, sl, Rule::RESV_ADD_SAME_FENCE_ONCE);
            s.drop_slot_ref(sl);
            r.slots.erase(r.slots.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        auto c = classify(s, sl, o.f.id, o.usage);
        if (!c) s.demote(sl);
        else sl.suspect = *c;
        ++i;
    }
    r.slots.push_back(fresh);
    s.add_slot_ref(fresh);
}

// The kernel: the first slot that is superseded or signalled is replaced in place, else append.
void add_fence_exact(State& s, ResvS& r, const ResvAddFence& o, Slot fresh, bool stronger_self, bool misused) {
    for (size_t i = 0; i < r.slots.size(); ++i) {
        auto& sl = r.slots[i];
        auto c = classify(s, sl, o.f.id, o.usage);
        bool sig = s.fences[sl.f].signaled;
        if (!c || sig) {
            if (!c && sl.f == o.f.id && sl.u == o.usage) s.exercise(Rule::RESV_ADD_SAME_FENCE_ONCE);  // in place: one entry
            s.bury(r, sl, !c ? Rule::RESV_ADD_REPLACE_SAME_CONTEXT : Rule::RESV_ADD_REUSE_SIGNALED);
            s.exercise(!c ? Rule::RESV_ADD_REPLACE_SAME_CONTEXT : Rule::RESV_ADD_REUSE_SIGNALED);
            s.drop_slot_ref(sl);
            sl = fresh;
            s.add_slot_ref(sl);
            for (size_t k = i + 1; k < r.slots.size(); ++k) {
                auto ck = classify(s, r.slots[k], o.f.id, o.usage);
                r.slots[k].suspect = !ck || s.fences[r.slots[k].f].signaled ? Rule::RESV_ADD_FIRST_MATCH_ONLY : *ck;
            }
            return;
        }
        sl.suspect = *c;
    }
    s.exercise(Rule::RESV_ADD_APPEND);
    if (r.slots.size() >= r.max) {
        // the kernel BUG()s here: predicted for a misuse, unreachable for a correct model otherwise
        if (misused) s.expect_bug(Rule::MISUSE_ADD_BEYOND_RESERVED, true);
        else s.fail(Rule::RESV_RESERVE_GUARANTEE, "a reserved slot", "none left");
        return;
    }
    fresh.origin = fresh.suspect = stronger_self ? Rule::RESV_ADD_APPEND : Rule::RESV_ADD_LISTED;
    r.slots.push_back(fresh);
    s.add_slot_ref(fresh);
}

}  // namespace

bool pre(Pre& p, const ResvAddFence& o) {
    if (!p.resv(o.r) || !p.plain(o.f) || !p.locked(o.r) || !p.usage_ok(o.usage)) return false;
    if (p.s.resvs[o.r.id].guarantee < 1) return p.fail("add_fence needs a slot reserved with resv_reserve_fences under this lock");
    return true;
}
// Misuse: a container (a WARN, then added as any fence), or no reserved slot left on an object
// with a list (replaced in place, appended while the list has room, else a BUG). Without a list
// the kernel dereferences NULL: no documented reaction, so that stays a set-up error.
std::optional<Rule> misuse(const State& s, const ResvAddFence& o) {
    Pre p{s, std::nullopt};
    if (!p.resv(o.r) || !p.fence(o.f) || !p.locked(o.r) || !p.usage_ok(o.usage)) return std::nullopt;
    const auto& r = s.resvs[o.r.id];
    if (s.is_container(o.f.id)) return r.guarantee >= 1 ? std::optional(Rule::MISUSE_ADD_CONTAINER_WARNS) : std::nullopt;
    if (s.fences[o.f.id].kind != FenceKind::Plain || r.guarantee >= 1 || !r.has_list) return std::nullopt;
    return Rule::MISUSE_ADD_BEYOND_RESERVED;
}
void run(State& s, const ResvAddFence& o) {
    auto& r = s.resvs[o.r.id];
    const uint32_t f = o.f.id;
    s.ref_rule = Rule::RESV_ADD_DROPS_REPLACED_REF;
    s.exercise(Rule::RESV_ADD_DROPS_REPLACED_REF);
    s.exercise(Rule::RESV_RESERVE_GUARANTEE);  // a BUG() here would break it
    if (!s.first_ret_rule) s.first_ret_rule = r.reserve_rule;
    const bool beyond = r.guarantee < 1;  // a misuse (the precondition let it through marked)
    if (s.is_container(f)) {
        // the model keeps no container in a list (its signalling is polled): the trace ends here
        s.expect_warn(Rule::MISUSE_ADD_CONTAINER_WARNS);
        s.first_ret_rule = Rule::MISUSE_ADD_CONTAINER_WARNS;  // a BUG is worse than the WARN
        s.ended = true;
    }
    if (beyond) {
        s.exercise(Rule::MISUSE_ADD_BEYOND_RESERVED);
        s.first_ret_rule = Rule::MISUSE_ADD_BEYOND_RESERVED;  // names an unpredicted BUG
        // the contract does not know the list's capacity: a BUG is allowed, or the add as usual
        if (!s.prof.exact_kernel) s.expect_bug(Rule::MISUSE_ADD_BEYOND_RESERVED, false);
    } else {
        --r.guarantee;
    }
    ++r.mod;
    r.ever_listed = true;
    s.unbury(r, f);
    bool stronger_self = false;
    for (const auto& sl : r.slots)
        if (sl.f == f && usage_le(sl.u, o.usage) && sl.u != o.usage) stronger_self = true;
    Slot fresh = s.make_slot(f, o.usage, true, Rule::RESV_ADD_LISTED, Rule::RESV_ADD_LISTED);
    if (s.prof.exact_kernel) add_fence_exact(s, r, o, fresh, stronger_self, beyond);
    else add_fence_contract(s, r, o, fresh);
}

}  // namespace resvcheck::detail
