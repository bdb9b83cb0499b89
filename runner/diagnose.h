// diagnose.h - root-cause localisation: which op first left the implementation in a state the
// contract does not allow, and the rule of that op.
//
// A divergence names the op where the model first noticed a difference, which is often a symptom:
// an entry missing from a walk many ops after the add_fence that dropped it. diagnose() replays the
// failing ops with read-only probes of the whole observable state after each one (a walk of every
// reservation object, the status of every fence, each object's lock state), so the first probe that
// diverges sits right after the op that broke the state, and the model's blame names that op's
// rule. The probed trace up to that probe is where shrinking starts: its first divergence is the
// root cause, so shrinking by "the same first rule" keeps the cause, not the symptom.
//
// References cannot be probed without changing them, so a reference leaked or dropped too early is
// located by tearing the state down (end iterators, unlock, fini, put every reference) after each
// op in turn: the first op after which the teardown does not balance is the culprit, and the root
// is the reference rule of that op (Model::reference_rule). Such a root is shrunk by re-diagnosing
// (reference_culprit), and the trace written is the culprit's prefix followed by its teardown.
//
// A release that is off at the culprit itself (replace_fences not releasing the entry it should
// have replaced) may be the first sign of a wrong list: walk_culprit performs that op as the
// contract says and walks every object, so a kept or lost entry names the op's rule about lists.
//
//   Diagnosis dg = diagnose(failing, divergence, profile, adapter);
//   dg.root.rule      // e.g. RESV-ADD-NO-REPLACE-WEAKER (the symptom may have been RESV-USAGE-FILTER)
//   dg.trace          // the ops, probes included, up to the root's divergence
#pragma once

#include "runner.h"

namespace resvcheck {

// How the root was located, and so how a smaller trace is re-diagnosed while shrinking.
enum class Located {
    Probe,     // a probe after the culprit diverges: "the same first rule" keeps the cause
    Teardown,  // a teardown after the culprit does not balance the references (reference_culprit)
    Walk,      // the culprit's own release diverges and a walk after it shows the lists wrong too (walk_culprit)
    Witness,   // the divergence's op, or a reserve before it, changed in a second run names another rule (witness_culprit)
};

struct Diagnosis {
    Divergence root;     // the earliest divergence found (the symptom itself if no probe diverges earlier)
    Divergence symptom;  // the divergence diagnosed
    Trace trace;         // where shrinking starts (unpinned): probed ops up to the root's divergence, or
                         // for a teardown or walk root the ops up to the culprit
    Trace shown;         // what replays the failure: `trace`, or the ops with the teardown or walk after them
    bool earlier = false;     // the root is an op before the symptom's
    Located how = Located::Probe;
};

// A crash, hang or memory exhaustion is its own root cause: the op it happened in is what a
// developer acts on (and probing around a hang would cost a watchdog per probe). In a concurrent
// trace the divergence `d` of `failing` is the root: probes between its ops would split the block.
Diagnosis own_root(const Trace& failing, const Divergence& d);

// `failing` (unpinned ops) violates `symptom` on `adapter` under `profile`.
Diagnosis diagnose(const Trace& failing, const Divergence& symptom, const Profile& profile, Adapter& adapter);

// The first op of `ops` (before index `before`) after which tearing everything down does not
// balance the references, as a divergence of that op's reference rule; `shown` (if given) gets the
// prefix with the teardown that fails.
std::optional<Divergence> reference_culprit(const Trace& ops, size_t before, const Profile& profile, Adapter& adapter,
                                            Trace* shown = nullptr);

// A release missing, early or doubled by the first op of `ops` that diverges may be all that op
// got wrong, or the first sign that it also kept an entry it should have removed (or removed one
// it should have kept), which only a walk shows: with that op performed as the contract says, a
// walk of every object after it that diverges under a rule of the op's own area is returned (the
// op's rule about the lists); `shown` (if given) gets the ops with that walk.
std::optional<Divergence> walk_culprit(const Trace& ops, const Profile& profile, Adapter& adapter, Trace* shown = nullptr);

// Some divergences fit two causes, and a second run with one op changed tells them apart
// (`ops`' first divergence, the root returned at its op; `shown`, if given, gets `ops` up to it):
// - a paused unlocked walk that does not restart (RESV-ITER-RESTART-ON-REALLOC): a cursor that
//   ignores a new list, or a reserve since its last step that kept a list it had to replace. With
//   that reserve asking for kMaxReserve slots, a walk that restarts clears the cursor:
//   RESV-EXACT-CAPACITY;
// - what a reserve keeping a list it had to replace shows (a signalled entry not pruned, an add
//   beyond the list's end: RESV-RESERVE-PRUNES-SIGNALED, -GUARANTEE, MISUSE-ADD-BEYOND-RESERVED),
//   or one replacing a list it had to keep (a paused walk restarted, an entry missing from a walk):
//   if one reserve before it asking for kMaxReserve slots (or for 0) makes the ops conform,
//   RESV-EXACT-CAPACITY;
// - a reserve returning 0 where an allocation fails (RESV-RESERVE-ENOMEM): it ignored the failure,
//   or it did not allocate; if asking for kMaxReserve slots there returns -ENOMEM: RESV-EXACT-CAPACITY;
// - a walk missing an entry blamed on its usage filter or on the entry's signalled fence: walked
//   with each usage that covers the entry, RESV-USAGE-FILTER if one shows it; if none does while
//   the other iterator lists it, the walk's own rule (RESV-ITER-LOCKED-ALL, -UNLOCKED-COMPLETE);
// - an unpredicted WARN at an op that released fences (WARN-ONLY-PREDICTED): a reference count
//   below zero? With the caller keeping the fences it had put before, an op that releases them
//   early names its reference rule.
// Nothing if neither run says more than the divergence did.
std::optional<Divergence> witness_culprit(const Trace& ops, const Profile& profile, Adapter& adapter, Trace* shown = nullptr);

// Re-locates a root found `how` (Teardown, Walk or Witness) in a smaller trace, for shrinking.
std::optional<Divergence> relocate(const Trace& ops, Located how, const Profile& profile, Adapter& adapter, Trace* shown = nullptr);

// The read-only probes of everything observable in the state `model` has reached that meet their
// preconditions and that `adapter` provides (adapter may be null: every op counts as provided).
std::vector<Op> state_probes(const Model& model, const Adapter* adapter);

}  // namespace resvcheck
