// dma_resv_replace_fences and dma_resv_copy_fences (rule areas resv.replace, resv.copy).
#include <cerrno>

#include "detail/op_rules.h"

namespace resvcheck::detail {

bool pre(Pre& p, const ResvReplaceFences& o) {
    return p.resv(o.r) && p.ctx(o.c) && p.plain(o.f) && p.locked(o.r) && p.usage_ok(o.usage) && p.no_locked_iter(o.r);
}
// Every entry of the context becomes the new fence, in place. Under the contract a signalled
// entry the new fence replaces is optional (the signalled one might already have gone).
void run(State& s, const ResvReplaceFences& o) {
    auto& r = s.resvs[o.r.id];
    s.ref_rule = Rule::RESV_REPLACE_REFS;
    s.exercise(Rule::RESV_REPLACE_REFS);
    ++r.mod;
    bool any = false;
    for (auto& sl : r.slots) {
        if (s.fences[sl.f].ctx == o.c.id) {
            any = true;
            s.bury(r, sl, Rule::RESV_REPLACE_ALL_OF_CONTEXT);
            bool req = sl.required && (s.prof.exact_kernel || !s.fences[sl.f].signaled);
            s.drop_slot_ref(sl);
            sl = s.make_slot(o.f.id, o.usage, req, Rule::RESV_REPLACE_ALL_OF_CONTEXT, Rule::RESV_REPLACE_ALL_OF_CONTEXT);
            s.add_slot_ref(sl);
        } else {
            sl.suspect = Rule::RESV_REPLACE_OTHERS_KEPT;
        }
    }
    if (any) s.unbury(r, o.f.id);
}

bool pre(Pre& p, const ResvCopyFences& o) {
    if (!p.resv(o.dst) || !p.resv(o.src) || !p.locked(o.dst) || !p.no_locked_iter(o.dst)) return false;
    if (o.dst.id == o.src.id) return p.fail("copy_fences from an object into itself");
    return true;
}
// dst's list becomes a new list of src's unsignalled entries, with their usages; an empty copy
// leaves dst without a list.
void run(State& s, const ResvCopyFences& o) {
    auto& dst = s.resvs[o.dst.id];
    auto& src = s.resvs[o.src.id];
    if (s.fail_at) {
        // Under fail_alloc: the new list is allocated at src's first unsignalled fence; failing,
        // copy_fences returns -ENOMEM and leaves dst as it was.
        auto [must, may] = s.busy(src, Usage::BOOKKEEP);
        if (must ? s.alloc_fails() : may && s.alloc_may_fail(Rule::RESV_COPY_ENOMEM, RetKind::Errno, -ENOMEM, 0)) {
            s.ref_rule = Rule::RESV_COPY_ENOMEM;  // a reference it kept is this rule's
            s.reads_list(src);
            return s.expect_ret(Rule::RESV_COPY_ENOMEM, RetKind::Errno, -ENOMEM);
        }
    }
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

}  // namespace resvcheck::detail
