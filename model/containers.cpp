// Fence containers: dma_fence_chain links, dma_fence_array, dma_fence_unwrap and merge, the
// private stub (rule areas fence.chain, fence.array, fence.unwrap, fence.container).
//
// A container is a fence handle whose signalled state is derived from the fences it holds: the
// model polls it as dma_fence_is_signaled does, and a chain's polling and walking unlink links
// whose contained fence has signalled (CHAIN-WALK-COLLECTS), which can release them and, through
// them, harness fences: those releases are what an adapter reports and the model checks.
#include <algorithm>
#include <cerrno>

#include "detail/op_rules.h"

namespace resvcheck {

using namespace detail;
using State = Model::State;

// ---- references and polling ----------------------------------------------------------------------
void State::hold(uint32_t f) {
    ++fences[f].held;
    touch(f);
}
void State::unhold(uint32_t f) {
    --fences[f].held;
    touch(f);
}

void State::settle_containers() {
    for (size_t i = 0; i < touched.size(); ++i) {  // releases append to touched
        uint32_t f = touched[i];
        auto& fs = fences[f];
        if (fs.kind == FenceKind::Plain || fs.released || fs.harness || fs.held || fs.iter || fs.slots) continue;
        fs.live = false;
        fs.released = true;
        // a fence that stays alive after its container went names the container's references
        if (ref_rule == Rule::FENCE_REF_RELEASE && fs.kind != FenceKind::Stub)
            ref_rule = fs.kind == FenceKind::Chain ? Rule::CHAIN_REFS : Rule::ARRAY_REFS;
        if (fs.kind == FenceKind::Chain) {
            unhold(static_cast<uint32_t>(fs.contained));
            if (fs.prev >= 0) unhold(static_cast<uint32_t>(fs.prev));
        }
        for (uint32_t m : fs.members) unhold(m);
    }
}

bool State::poll(uint32_t f) {
    auto& fs = fences[f];
    if (fs.signaled) return true;  // the flag is tested before ops->signaled: no walk
    bool sig = false;
    switch (fs.kind) {
    case FenceKind::Plain: return false;
    case FenceKind::Stub: sig = true; break;
    case FenceKind::Array: {
        // ops->signaled stops as soon as enough members have signalled
        size_t need = fs.any ? 1 : fs.members.size(), got = 0;
        for (size_t i = 0; i < fences[f].members.size() && got < need; ++i)
            if (poll(fences[f].members[i])) ++got;
        sig = got >= need;
        break;
    }
    case FenceKind::Chain: {
        std::vector<uint32_t> seen;
        bool pending = false;
        chain_walk(f, seen, [&](uint32_t l) {
            const auto& ls = fences[l];
            pending = !poll(ls.kind == FenceKind::Chain ? static_cast<uint32_t>(ls.contained) : l);
            return pending;
        });
        sig = !pending;
        break;
    }
    }
    if (sig) fences[f].signaled = true;
    return sig;
}

template <typename Stop>
void State::chain_walk(uint32_t head, std::vector<uint32_t>& visited, Stop&& stop) {
    visited.push_back(head);
    if (stop(head)) return;
    for (uint32_t cur = head; fences[cur].kind == FenceKind::Chain;) {
        int next = -1;
        while (fences[cur].prev >= 0) {
            const auto p = static_cast<uint32_t>(fences[cur].prev);
            const bool chain = fences[p].kind == FenceKind::Chain;
            if (!poll(chain ? static_cast<uint32_t>(fences[p].contained) : p)) {
                next = static_cast<int>(p);
                break;
            }
            // unlink p: cur now points past it, and drops its reference on it
            const int replacement = chain ? fences[p].prev : -1;
            if (replacement >= 0) hold(static_cast<uint32_t>(replacement));
            fences[cur].prev = replacement;
            unhold(p);
        }
        if (next < 0) return;
        cur = static_cast<uint32_t>(next);
        visited.push_back(cur);
        if (stop(cur)) return;
    }
}

void State::unwrap(uint32_t head, std::vector<uint32_t>& leaves) {
    std::vector<uint32_t> links;
    chain_walk(head, links, [](uint32_t) { return false; });
    for (uint32_t l : links) {
        const auto& ls = fences[l];
        const uint32_t c = ls.kind == FenceKind::Chain ? static_cast<uint32_t>(ls.contained) : l;
        if (fences[c].kind == FenceKind::Array) leaves.insert(leaves.end(), fences[c].members.begin(), fences[c].members.end());
        else leaves.push_back(c);
    }
}

namespace detail {
namespace {

std::string fences_text(const std::vector<uint32_t>& v) {
    std::string t = "{";
    for (size_t i = 0; i < v.size(); ++i) t += (i ? ", f" : "f") + std::to_string(v[i]);
    return t + "}";
}
std::vector<uint32_t> observed_fences(const State& s) {
    std::vector<uint32_t> v;
    for (const auto& e : s.obs->fences) v.push_back(e.fence.id);
    return v;
}

// The observation must list exactly `want`; in order where `ordered`, else as a multiset.
void expect_fences(State& s, Rule r, const std::vector<uint32_t>& want, bool ordered) {
    s.exercise(r);
    if (s.producing()) {
        for (uint32_t f : want) s.out->fences.push_back({FenceH{f}, Usage::BOOKKEEP});
        return;
    }
    auto got = observed_fences(s);
    auto a = want, b = got;
    if (!ordered) {
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
    }
    if (a != b) s.fail(r, "yields " + fences_text(want), "yielded " + fences_text(got));
}

bool opt_live(Pre& p, const OptFenceH& h) { return !h.h || p.fence(*h.h); }
std::vector<uint32_t> present(std::initializer_list<OptFenceH> hs) {
    std::vector<uint32_t> v;
    for (const auto& h : hs)
        if (h.h) v.push_back(h.h->id);
    return v;
}

FenceS new_container(FenceKind k) {
    FenceS f;
    f.live = true;
    f.kind = k;
    f.ctx = kNoCtx;
    f.harness = 1;
    return f;
}

}  // namespace

// ---- containers answering the plain fence queries ----------------------------------------------
static Rule signal_rule(const FenceS& fs) {
    switch (fs.kind) {
    case FenceKind::Chain: return Rule::CHAIN_SIGNALED;
    case FenceKind::Array: return fs.any ? Rule::ARRAY_SIGNAL_ANY : Rule::ARRAY_SIGNAL_ALL;
    default: return Rule::STUB_SIGNALED;
    }
}
void run_container_is_signaled(State& s, uint32_t f) {
    s.ref_rule = Rule::CHAIN_WALK_COLLECTS;  // polling a chain collects its signalled links
    s.early_release = Rule::CHAIN_WALK_COLLECTS;
    bool sig = s.poll(f);
    s.expect_ret(signal_rule(s.fences[f]), RetKind::Bool, sig);
}
void run_container_get_status(State& s, uint32_t f) {
    s.ref_rule = Rule::CHAIN_WALK_COLLECTS;
    s.early_release = Rule::CHAIN_WALK_COLLECTS;
    bool sig = s.poll(f);
    const auto& fs = s.fences[f];
    // no container propagates an error on the paths a trace reaches: status 0 or 1; a pending
    // array that reports anything else shows its marker, a signalled one that does not signals wrongly
    Rule r = fs.kind == FenceKind::Array && !sig ? Rule::ARRAY_PENDING_ERROR_HIDDEN : signal_rule(fs);
    if (fs.kind == FenceKind::Array && sig && !s.producing() && s.obs->ret != 0) r = Rule::ARRAY_PENDING_ERROR_HIDDEN;
    s.expect_ret(r, RetKind::Errno, sig ? 1 : 0);
}

// ---- chains --------------------------------------------------------------------------------------
bool pre(Pre& p, const FenceChainInit& o) {
    if (!p.fresh(o.f, "fence") || !p.fence(o.fence) || !opt_live(p, o.prev)) return false;
    // chaining through the contained fence WARNs: chains link through prev only
    if (p.s.fences[o.fence.id].kind == FenceKind::Chain) return p.fail("a chain link cannot contain a chain link (the kernel WARNs)");
    return true;
}
void run(State& s, const FenceChainInit& o) {
    FenceS c = new_container(FenceKind::Chain);
    c.contained = static_cast<int>(o.fence.id);
    c.prev = o.prev.h ? static_cast<int>(o.prev.h->id) : -1;
    c.seqno = o.seqno;
    const FenceS* prev = o.prev.h ? &s.fences[o.prev.h->id] : nullptr;
    if (prev && prev->kind == FenceKind::Chain && o.seqno > prev->seqno) {
        s.exercise(Rule::CHAIN_INIT_CONTEXT);
        c.timeline = prev->timeline;
        c.prev_seqno = prev->seqno;
    } else {
        s.exercise(prev && prev->kind == FenceKind::Chain ? Rule::CHAIN_SEQNO_NOT_BACKWARDS : Rule::CHAIN_INIT_CONTEXT);
        c.timeline = s.next_timeline++;
        if (prev && prev->kind == FenceKind::Chain) {
            c.seqno = std::max(prev->seqno, o.seqno);
            c.new_timeline_after_prev = true;
            if (o.seqno < prev->seqno) c.raised_from = o.seqno;
        }
    }
    s.fences.push_back(c);
    s.hold(o.fence.id);
    if (o.prev.h) s.hold(o.prev.h->id);
    s.exercise(Rule::CHAIN_REFS);
    s.ref_rule = s.early_release = Rule::CHAIN_REFS;  // what the link's references promise
}

bool pre(Pre& p, const FenceChainWalk& o) { return p.fence(o.f); }
void run(State& s, const FenceChainWalk& o) {
    s.ref_rule = s.early_release = Rule::CHAIN_WALK_COLLECTS;
    std::vector<uint32_t> seen;
    s.chain_walk(o.f.id, seen, [](uint32_t) { return false; });
    expect_fences(s, Rule::CHAIN_WALK_COLLECTS, seen, true);
}

bool pre(Pre& p, const FenceChainFindSeqno& o) { return p.fence(o.f); }
void run(State& s, const FenceChainFindSeqno& o) {
    s.ref_rule = s.early_release = Rule::CHAIN_WALK_COLLECTS;
    const uint32_t head = o.f.id;
    const FenceS& h = s.fences[head];
    if (o.seqno == 0) {
        s.expect_ret(Rule::CHAIN_FIND_SEQNO_ZERO, RetKind::Errno, 0);
        return expect_fences(s, Rule::CHAIN_FIND_SEQNO_ZERO, {head}, true);
    }
    if (h.kind != FenceKind::Chain || h.seqno < o.seqno) {
        s.expect_ret(Rule::CHAIN_FIND_SEQNO_EINVAL, RetKind::Errno, -EINVAL);
        return expect_fences(s, Rule::CHAIN_FIND_SEQNO_EINVAL, {head}, true);
    }
    const uint64_t timeline = h.timeline;
    // -EINVAL for a point above the seqno the head was given and at most the one chain_init raised
    // it to is exactly what a link that kept its lower seqno answers: chain_init's rule is the root
    const bool kept_lower = !s.producing() && s.obs->ret == -EINVAL && h.raised_from && o.seqno > *h.raised_from;
    s.expect_ret(kept_lower ? Rule::CHAIN_SEQNO_NOT_BACKWARDS : Rule::CHAIN_FIND_SEQNO, RetKind::Errno, 0);
    std::vector<uint32_t> seen;
    bool found = false;
    s.chain_walk(head, seen, [&](uint32_t l) {
        const auto& ls = s.fences[l];
        found = ls.kind != FenceKind::Chain || ls.timeline != timeline || ls.prev_seqno < o.seqno;
        return found;
    });
    std::vector<uint32_t> want;
    if (found) want.push_back(seen.back());
    // the walk ending past a link that began a new timeline (into its prev's) is what a link that
    // kept its prev's timeline answers: chain_init's rule is the root
    bool crossed = false;
    if (!s.producing() && found && s.fences[want[0]].new_timeline_after_prev && s.obs->fences.size() == 1)
        for (int l = s.fences[want[0]].prev; l >= 0 && !crossed; l = s.fences[l].kind == FenceKind::Chain ? s.fences[l].prev : -1)
            crossed = s.obs->fences[0].fence.id == static_cast<uint32_t>(l);
    expect_fences(s, crossed ? Rule::CHAIN_SEQNO_NOT_BACKWARDS : Rule::CHAIN_FIND_SEQNO, want, true);
}

// ---- arrays --------------------------------------------------------------------------------------
bool pre(Pre& p, const FenceArrayCreate& o) {
    if (!p.fresh(o.f, "fence") || !p.fence(o.m0) || !opt_live(p, o.m1) || !opt_live(p, o.m2) || !opt_live(p, o.m3)) return false;
    for (uint32_t m : present({OptFenceH{o.m0}, o.m1, o.m2, o.m3}))
        if (p.s.is_container(m)) return p.fail("an array cannot hold a container (the kernel WARNs): flatten it first");
    if (o.signal_on_any && !p.s.prof.array_signal_on_any) return p.fail("this kernel's dma_fence_array_create has no signal_on_any (7.0 dropped it)");
    return true;
}
void run(State& s, const FenceArrayCreate& o) {
    if (s.alloc_fails()) {  // its one allocation: NULL, no handle
        s.expect_ret(Rule::ARRAY_CREATE_ENOMEM, RetKind::Errno, -ENOMEM);
        s.ref_rule = s.early_release = Rule::ARRAY_CREATE_ENOMEM;
        s.fences.emplace_back();
        return;
    }
    FenceS a = new_container(FenceKind::Array);
    a.any = o.signal_on_any;
    a.members = present({OptFenceH{o.m0}, o.m1, o.m2, o.m3});
    s.expect_ret(Rule::ARRAY_REFS, RetKind::Errno, 0);
    s.ref_rule = s.early_release = Rule::ARRAY_REFS;
    for (uint32_t m : a.members) s.hold(m);
    s.fences.push_back(std::move(a));
}

// ---- unwrap and merge ----------------------------------------------------------------------------
bool pre(Pre& p, const FenceUnwrap& o) { return p.fence(o.f); }
void run(State& s, const FenceUnwrap& o) {
    s.ref_rule = s.early_release = Rule::CHAIN_WALK_COLLECTS;
    std::vector<uint32_t> leaves;
    s.unwrap(o.f.id, leaves);
    expect_fences(s, Rule::UNWRAP_LEAVES, leaves, s.prof.exact_kernel);
}

bool pre(Pre& p, const FenceUnwrapMerge& o) {
    return p.fence(o.m0) && opt_live(p, o.m1) && opt_live(p, o.m2) && opt_live(p, o.m3);
}
void run(State& s, const FenceUnwrapMerge& o) {
    s.ref_rule = s.early_release = Rule::CHAIN_WALK_COLLECTS;
    std::vector<uint32_t> leaves;
    for (uint32_t in : present({OptFenceH{o.m0}, o.m1, o.m2, o.m3})) s.unwrap(in, leaves);
    std::vector<uint32_t> pending;
    for (uint32_t l : leaves)
        if (!s.poll(l)) pending.push_back(l);
    s.exercise(Rule::MERGE_REFS);
    // the stub, or the table of pending leaves; 7.x returns a lone pending leaf before allocating
    const bool lone = s.prof.merge_lone_no_alloc && pending.size() == 1;
    if (!lone && s.alloc_fails()) {
        // with no leaf pending, what failed is dma_fence_allocate_private_stub: its rule says
        // what merge may return, and names a crash on what it returned
        const Rule failed = pending.empty() ? Rule::STUB_ENOMEM : Rule::MERGE_ENOMEM;
        s.ref_rule = s.early_release = Rule::MERGE_ENOMEM;
        s.expect_ret(failed, RetKind::Errno, -ENOMEM);
        return expect_fences(s, failed, {}, true);
    }
    if (pending.empty()) {
        s.expect_ret(Rule::MERGE_STUB, RetKind::Errno, 2);
        return expect_fences(s, Rule::MERGE_STUB, {}, true);
    }
    // Per context (only plain fences are unsignalled leaves), the latest survive: any fence that
    // no other pending fence of its context is later than (of equal seqnos, either one).
    std::vector<uint32_t> ctxs;
    for (uint32_t f : pending) ctxs.push_back(s.fences[f].ctx);
    std::sort(ctxs.begin(), ctxs.end());
    ctxs.erase(std::unique(ctxs.begin(), ctxs.end()), ctxs.end());
    std::vector<std::vector<uint32_t>> allowed;  // per context, ascending
    for (uint32_t c : ctxs) {
        std::vector<uint32_t> group, best;
        for (uint32_t f : pending)
            if (s.fences[f].ctx == c && std::find(group.begin(), group.end(), f) == group.end()) group.push_back(f);
        // the latest is later than every other of a different seqno; 32-bit seqnos spread over
        // more than half the range have no latest (the order is not transitive), and then the
        // sort may keep any of them
        for (uint32_t f : group)
            if (std::all_of(group.begin(), group.end(),
                            [&](uint32_t g) { return g == f || s.fences[g].seqno == s.fences[f].seqno || s.later(f, g); }))
                best.push_back(f);
        allowed.push_back(best.empty() ? group : best);
    }
    const bool array = allowed.size() > 1;
    if (array && s.alloc_fails()) {  // the array: the references it took are dropped again
        s.ref_rule = s.early_release = Rule::MERGE_ENOMEM;
        s.expect_ret(Rule::MERGE_ENOMEM, RetKind::Errno, -ENOMEM);
        return expect_fences(s, Rule::MERGE_ENOMEM, {}, true);
    }
    const Rule r = array ? Rule::MERGE_ARRAY : Rule::MERGE_SINGLE;
    s.expect_ret(r, RetKind::Errno, array ? 1 : 0);
    if (array && s.prof.exact_kernel) s.exercise(Rule::MERGE_ORDER);
    if (s.producing()) {
        for (const auto& a : allowed) s.out->fences.push_back({FenceH{a.front()}, Usage::BOOKKEEP});
        return;
    }
    std::string want = "{";
    for (size_t i = 0; i < allowed.size(); ++i) {
        want += i ? ", " : "";
        want += allowed[i].size() == 1 ? "f" + std::to_string(allowed[i][0]) : "one of " + fences_text(allowed[i]);
    }
    want += "}";
    auto got = observed_fences(s);
    // match each observed fence to its context's group
    std::vector<char> used(allowed.size(), 0);
    bool ok = got.size() == allowed.size();
    for (size_t i = 0; ok && i < got.size(); ++i) {
        const uint32_t f = got[i];
        size_t k = 0;
        while (k < allowed.size() && std::find(allowed[k].begin(), allowed[k].end(), f) == allowed[k].end()) ++k;
        if (k == allowed.size() || used[k]) ok = false;
        else used[k] = 1;
        if (ok && s.prof.exact_kernel && k != i) {
            s.fail(Rule::MERGE_ORDER, "members sorted by context " + want, "yielded " + fences_text(got));
            return;
        }
    }
    if (!ok) {
        // a signalled leaf kept names the dropping rule; otherwise the dedup or the count is off
        bool signalled = std::any_of(got.begin(), got.end(), [&](uint32_t f) { return f < s.fences.size() && s.fences[f].signaled; });
        s.fail(signalled ? Rule::MERGE_ARRAY : r, "yields " + want, "yielded " + fences_text(got));
    }
}

// ---- the stubs and is_container ------------------------------------------------------------------
bool pre(Pre&, const FenceGetStub&) { return true; }
void run(State& s, const FenceGetStub&) { s.expect_ret(Rule::STUB_GLOBAL_SIGNALED, RetKind::Errno, 1); }
bool pre(Pre& p, const FenceAllocatePrivateStub& o) { return p.fresh(o.f, "fence"); }
void run(State& s, const FenceAllocatePrivateStub&) {
    if (s.alloc_fails()) {
        s.expect_ret(Rule::STUB_ENOMEM, RetKind::Errno, -ENOMEM);
        s.fences.emplace_back();
        return;
    }
    FenceS st = new_container(FenceKind::Stub);
    st.signaled = true;
    s.expect_ret(Rule::STUB_SIGNALED, RetKind::Errno, 0);
    s.fences.push_back(st);
}

bool pre(Pre& p, const FenceIsContainer& o) { return p.fence(o.f); }
void run(State& s, const FenceIsContainer& o) { s.expect_ret(Rule::FENCE_IS_CONTAINER, RetKind::Bool, s.is_container(o.f.id)); }

}  // namespace detail
}  // namespace resvcheck
