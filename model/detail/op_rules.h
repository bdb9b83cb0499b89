// detail/op_rules.h - each op's rules, by the file of model/ that holds them (internal to model/).
//
// For every op O there are two functions in the file of its rule area:
//   bool pre(Pre&, const O&)   its preconditions: what a caller must guarantee. Generators and the
//                              fuzz decoder only send ops that pass; replay reports a trace that
//                              breaks one as a set-up error, not a violation.
//   void run(State&, const O&) its effect and judgement: what the contract allows, compared with
//                              the observation (or produced as the canonical one), then the step.
// model.cpp dispatches to them; an op without both does not compile.
#pragma once

#include <optional>
#include <string>

#include "detail/model_state.h"

namespace resvcheck::detail {

using State = Model::State;

// The precondition checks every area shares; each fails with the reason and returns false.
struct Pre {
    const State& s;
    std::optional<std::string> why;

    bool fail(std::string m);
    template <HandleKind K>
    bool fresh(Handle<K> h, const char* what) {
        if (h.id != s.count(K))
            return fail(std::string(what) + " handle " + std::string(handle_prefix(K)) + std::to_string(h.id) +
                        " must be the next unused one (" + std::string(handle_prefix(K)) + std::to_string(s.count(K)) + ")");
        return true;
    }
    bool resv(ResvH r);
    bool fence(FenceH f);
    bool ctx(CtxH c);
    bool acq(AcqH a);
    bool locked(ResvH r);
    bool no_locked_iter(ResvH r);
    bool no_iter(ResvH r);
    bool usage_ok(Usage u);
};

#define RESVCHECK_OP_RULES(O) \
    bool pre(Pre& p, const O& o); \
    void run(State& s, const O& o)

// fence.cpp: seqnos, signalling, status, waits, callbacks, references
RESVCHECK_OP_RULES(FenceContextAlloc);
RESVCHECK_OP_RULES(FenceInit);
RESVCHECK_OP_RULES(FenceSignal);
RESVCHECK_OP_RULES(FenceSetError);
RESVCHECK_OP_RULES(FenceGetStatus);
RESVCHECK_OP_RULES(FenceIsSignaled);
RESVCHECK_OP_RULES(FenceIsLater);
RESVCHECK_OP_RULES(FenceIsLaterOrSame);
RESVCHECK_OP_RULES(FenceAddCallback);
RESVCHECK_OP_RULES(FenceRemoveCallback);
RESVCHECK_OP_RULES(FenceGet);
RESVCHECK_OP_RULES(FencePut);
RESVCHECK_OP_RULES(FenceWaitTimeout);
// ww.cpp: acquire contexts and the reservation lock
RESVCHECK_OP_RULES(WwAcquireInit);
RESVCHECK_OP_RULES(WwAcquireDone);
RESVCHECK_OP_RULES(WwAcquireFini);
RESVCHECK_OP_RULES(ResvLock);
RESVCHECK_OP_RULES(ResvLockInterruptible);
RESVCHECK_OP_RULES(ResvLockSlow);
RESVCHECK_OP_RULES(ResvLockSlowInterruptible);
RESVCHECK_OP_RULES(ResvTrylock);
RESVCHECK_OP_RULES(ResvUnlock);
RESVCHECK_OP_RULES(ResvIsLocked);
RESVCHECK_OP_RULES(ResvLockingCtx);
// reserve_add.cpp: object lifetime, reserving slots, adding fences
RESVCHECK_OP_RULES(ResvInit);
RESVCHECK_OP_RULES(ResvFini);
RESVCHECK_OP_RULES(ResvReserveFences);
RESVCHECK_OP_RULES(ResvAddFence);
// replace_copy.cpp
RESVCHECK_OP_RULES(ResvReplaceFences);
RESVCHECK_OP_RULES(ResvCopyFences);
// query.cpp: queries and complete walks
RESVCHECK_OP_RULES(ResvGetFences);
RESVCHECK_OP_RULES(ResvGetSingleton);
RESVCHECK_OP_RULES(ResvTestSignaled);
RESVCHECK_OP_RULES(ResvWaitTimeout);
RESVCHECK_OP_RULES(ResvSetDeadline);
RESVCHECK_OP_RULES(ResvUsageRw);
RESVCHECK_OP_RULES(ResvForEachFence);
RESVCHECK_OP_RULES(ResvForEachFenceUnlocked);
// iter.cpp: stepwise iterators
RESVCHECK_OP_RULES(ResvIterBegin);
RESVCHECK_OP_RULES(ResvIterFirst);
RESVCHECK_OP_RULES(ResvIterNext);
RESVCHECK_OP_RULES(ResvIterFirstUnlocked);
RESVCHECK_OP_RULES(ResvIterNextUnlocked);
RESVCHECK_OP_RULES(ResvIterEnd);

#undef RESVCHECK_OP_RULES


}  // namespace resvcheck::detail
