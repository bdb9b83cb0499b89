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
    bool plain(FenceH f);  // a live harness fence, not a container or stub
    bool ctx(CtxH c);
    bool acq(AcqH a);
    bool locked(ResvH r);
    bool no_locked_iter(ResvH r);
    bool no_iter(ResvH r);
    bool usage_ok(Usage u);
};

// Containers answer the plain fence queries through their own rules (containers.cpp).
void run_container_is_signaled(State& s, uint32_t f);
void run_container_get_status(State& s, uint32_t f);

// Each op's precondition and its effect and judgement, defined in the model file of its rule area
// (fence.cpp, ww.cpp, reserve_add.cpp, replace_copy.cpp, query.cpp, iter.cpp, containers.cpp,
// alloc.cpp). Declared for every op of the vocabulary: a new op without them does not link.
#define RESVCHECK_OP_RULES(O)     \
    bool pre(Pre& p, const O& o); \
    void run(State& s, const O& o);
RESVCHECK_OP_TYPES(RESVCHECK_OP_RULES)
#undef RESVCHECK_OP_RULES

// The documented reaction (the rule of its BUG or WARN) to `o` sent now as a deliberate misuse
// (Model::misuse); the few ops that have one overload it in their area's file.
template <typename O>
std::optional<Rule> misuse(const State&, const O&) { return std::nullopt; }
std::optional<Rule> misuse(const State& s, const FenceSetError& o);
std::optional<Rule> misuse(const State& s, const ResvReserveFences& o);
std::optional<Rule> misuse(const State& s, const ResvAddFence& o);
std::optional<Rule> misuse(const State& s, const FenceWaitAnyTimeout& o);


}  // namespace resvcheck::detail
