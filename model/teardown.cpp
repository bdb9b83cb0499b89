// Teardown (the end of every generated case): the harness ends every iterator, removes its pending
// callbacks, unlocks and finishes every object and acquire context and drops every reference it
// holds. judge_releases then requires every fence to be released: a reference the implementation
// leaked shows here, and diagnosis (runner/diagnose.h) blames the op that leaked it by its
// reference rule. Whether memory remains (ALLOC-NO-LEAK-TEARDOWN) is judged after the releases in
// model.cpp, so a leaked reference is named before the memory it keeps.
#include "detail/op_rules.h"

namespace resvcheck::detail {

bool pre(Pre& p, const Teardown&) {
    // what the teardown does not undo: the driver side and drm_exec end in their own ops
    if (p.s.exec.live) return p.fail("a drm_exec context is live: drm_exec_fini first");
    for (const auto& h : p.s.locks.held)
        if (h.cls != LockClass::Resv && h.cls != LockClass::Acquire) return p.fail("a driver lock or signalling section is held");
    return true;
}

void run(State& s, const Teardown&) {
    for (uint32_t i = 0; i < s.iters.size(); ++i)
        if (s.iters[i].live) run(s, ResvIterEnd{IterH{i}});
    for (auto& cb : s.cbs)
        if (cb.pending) {
            cb.pending = false;
            s.fences[cb.fence].pending.clear();
        }
    for (uint32_t r = 0; r < s.resvs.size(); ++r)
        if (s.resvs[r].live && s.resvs[r].locked) run(s, ResvUnlock{ResvH{r}});
    for (uint32_t r = 0; r < s.resvs.size(); ++r)
        if (s.resvs[r].live) run(s, ResvFini{ResvH{r}});
    for (uint32_t a = 0; a < s.acqs.size(); ++a)
        if (s.acqs[a].live) run(s, WwAcquireFini{AcqH{a}});
    for (uint32_t f = 0; f < s.fences.size(); ++f)
        if (s.fences[f].harness > 0) {
            s.fences[f].harness = 0;
            s.touch(f);
        }
    // a release missing now is the last reference's (diagnosis finds the op that leaked it)
    s.ref_rule = Rule::FENCE_REF_RELEASE;
    s.early_release = Rule::FENCE_REF_NO_EARLY_RELEASE;
}

}  // namespace resvcheck::detail
