// The dma_fence API newer kernels add (rule area fence.api7 of spec/rules.def): check_and_signal
// (7.0), the RCU name helpers (6.17), was_initialized and fences with an inline lock (7.1),
// dedup_array (6.15). Profiles have these ops when their fence_api bits say so (Model::has_op).
#include <algorithm>
#include <array>
#include <string>

#include "detail/op_rules.h"

namespace resvcheck::detail {

bool pre(Pre& p, const FenceCheckAndSignal& o) { return p.plain(o.f); }
void run(State& s, const FenceCheckAndSignal& o) {
    auto& f = s.fences[o.f.id];
    if (f.signaled) {
        s.expect_ret(Rule::FENCE_CHECK_AND_SIGNAL_AGAIN, RetKind::Bool, 1);
        s.exercise(Rule::FENCE_CB_ONCE);
    } else {
        s.expect_ret(Rule::FENCE_CHECK_AND_SIGNAL_FIRST, RetKind::Bool, 0);
        if (!f.pending.empty()) s.exercise(Rule::FENCE_CB_RUN_ON_SIGNAL);
        s.signal(o.f.id);
    }
}

// Names: 1 = the ops' own, 0 = the placeholder. After signalling, exact 7.x kernels detach; the
// contract allows either (what the driver's names point to may still be there).
static void judge_name(State& s, FenceH f) {
    if (!s.fences[f.id].signaled) s.expect_ret(Rule::FENCE_NAME_UNSIGNALED, RetKind::Bool, 1);
    else if (s.prof.names_detached) s.expect_ret(Rule::FENCE_NAME_SIGNALED_DETACHED, RetKind::Bool, 0);
    else s.expect_ret_any(Rule::FENCE_NAME_UNSIGNALED, RetKind::Bool, {0, 1});
}
bool pre(Pre& p, const FenceDriverName& o) { return p.plain(o.f); }
void run(State& s, const FenceDriverName& o) { judge_name(s, o.f); }
bool pre(Pre& p, const FenceTimelineName& o) { return p.plain(o.f); }
void run(State& s, const FenceTimelineName& o) { judge_name(s, o.f); }

bool pre(Pre& p, const FenceWasInitialized& o) { return p.plain(o.f); }
void run(State& s, const FenceWasInitialized&) { s.expect_ret(Rule::FENCE_WAS_INITIALIZED, RetKind::Bool, 1); }

bool pre(Pre& p, const FenceInitInline& o) { return pre(p, FenceInit{o.f, o.c, o.seqno}); }
void run(State& s, const FenceInitInline& o) {
    s.exercise(Rule::FENCE_INIT_INLINE_LOCK);  // the adapter takes the new lock once: a broken one BUG()s here
    run(s, FenceInit{o.f, o.c, o.seqno});
}

// ---- dedup_array --------------------------------------------------------------------------------
static std::array<uint32_t, 4> entries(const FenceDedupArray& o) { return {o.f1.id, o.f2.id, o.f3.id, o.f4.id}; }

bool pre(Pre& p, const FenceDedupArray& o) {
    for (uint32_t f : entries(o))
        if (!p.plain(FenceH{f})) return false;
    // sort() needs a consistent order: 32-bit seqnos of one context that wrap around have none
    auto e = entries(o);
    for (uint32_t a : e)
        for (uint32_t b : e)
            for (uint32_t c : e)
                if (p.s.fences[a].ctx == p.s.fences[b].ctx && p.s.fences[b].ctx == p.s.fences[c].ctx && p.s.later(a, b) &&
                    p.s.later(b, c) && !p.s.later(a, c))
                    return p.fail("dma_fence_dedup_array sorts: the seqnos of one context's entries must be ordered (no wrap-around cycle)");
    return true;
}

void run(State& s, const FenceDedupArray& o) {
    s.ref_rule = Rule::FENCE_DEDUP_PUTS_DROPPED;       // a reference left on a removed entry
    s.early_release = Rule::FENCE_DEDUP_PUTS_DROPPED;  // a reference taken from a kept one
    s.exercise(Rule::FENCE_DEDUP_PUTS_DROPPED);       // judged by the releases the op makes
    const auto e = entries(o);
    // a fence may be kept iff no entry of its context is later; the canonical pick is the first
    auto keepable = [&](uint32_t f) {
        return std::none_of(e.begin(), e.end(), [&](uint32_t g) { return s.fences[g].ctx == s.fences[f].ctx && s.later(g, f); });
    };
    std::vector<uint32_t> ctxs;
    for (uint32_t f : e)
        if (std::find(ctxs.begin(), ctxs.end(), s.fences[f].ctx) == ctxs.end()) ctxs.push_back(s.fences[f].ctx);
    std::sort(ctxs.begin(), ctxs.end());  // contexts are allocated in ascending order
    s.expect_ret(Rule::FENCE_DEDUP_LATEST, RetKind::Errno, static_cast<int64_t>(ctxs.size()));
    s.exercise(Rule::FENCE_DEDUP_SORTED);
    auto names = [](const std::vector<Entry>& v) {
        std::string t = "{";
        for (size_t i = 0; i < v.size(); ++i) t += (i ? ", f" : "f") + std::to_string(v[i].fence.id);
        return t + "}";
    };
    if (s.producing()) {
        for (uint32_t c : ctxs)
            for (uint32_t f : e)
                if (s.fences[f].ctx == c && keepable(f)) {
                    s.out->fences.push_back({FenceH{f}, Usage::BOOKKEEP});
                    break;
                }
        return;
    }
    const auto& got = s.obs->fences;
    std::vector<uint32_t> seen;
    for (const auto& en : got) {
        const uint32_t f = en.fence.id;
        const bool entry = f < s.fences.size() && std::find(e.begin(), e.end(), f) != e.end();
        if (!entry || !keepable(f) || std::find(seen.begin(), seen.end(), s.fences[f].ctx) != seen.end())
            return s.fail(Rule::FENCE_DEDUP_LATEST, "the latest entry of each of " + std::to_string(ctxs.size()) + " context(s)",
                          names(got));
        seen.push_back(s.fences[f].ctx);
    }
    if (seen.size() != ctxs.size())
        return s.fail(Rule::FENCE_DEDUP_LATEST, "the latest entry of each of " + std::to_string(ctxs.size()) + " context(s)", names(got));
    if (seen != ctxs) s.fail(Rule::FENCE_DEDUP_SORTED, "sorted by context", names(got));
}

}  // namespace resvcheck::detail
