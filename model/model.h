// model.h - the reference model: the contract made executable (State x Op -> judged Observation).
//
// The model is written from spec/rules.def, not from kernel code. It is pure, deterministic and
// single-threaded. Profiles:
//   contract         every behaviour the contract allows (a signalled fence may or may not still be
//                    listed, slot order is free, a superseded same-context fence may stay)
//   linux-6.12       the slot-by-slot behaviour of Linux 6.12 (non-debug, 64-bit)
//   linux-6.12-debug 6.12 with CONFIG_DEBUG_MUTEXES (unlock forfeits unused slots)
//   linux-6.1        the slot-by-slot behaviour of Linux 6.1
//   linux-7.2(-debug) the behaviour of Linux 7.2: 6.12's, plus the newer dma_fence API
// Where the profile leaves freedom, step() accepts every allowed observation and adopts the one
// seen, so later steps stay exact (a fence once gone never comes back).
//
//   Model m(*profile_by_name("contract"));
//   if (auto bad = m.precondition(op)) ...;          // the op may not be sent now
//   if (auto d = m.step(op, adapter_observation)) ... // d->rule, d->allowed, d->observed
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "observation.h"
#include "ops.h"
#include "rules.h"
#include "state_view.h"

namespace resvcheck {

// A profile is a set of behaviour switches; spec/rules.def scopes name the switch a rule needs.
struct Profile {
    std::string_view name;
    bool lock_order = false;  // the driver-side lock-order rules, as 6.x's signalling annotations report them
    bool alloc_paths = false;  // fail_alloc and the allocation error paths (checked for 6.1, 6.12, 7.2)
    // Every freedom the contract leaves is resolved as the kernel does: slot order and capacity,
    // when signalled and superseded entries go, callback order, late errors (the exact profiles).
    bool exact_kernel = false;
    // reserve_fences(0) is defined: exact kernels WARN and return -EINVAL; the contract also allows
    // 0. Without it (6.1) reserve_fences(0) without a list is undefined, so it is never sent.
    bool reserve_zero_einval = false;
    bool has_deadline = false;                 // dma_resv_set_deadline exists
    bool unlock_forfeits_reservation = false;  // unlock shrinks the list to its entries (CONFIG_DEBUG_MUTEXES)
    // ---- kernels: the newer dma_fence API ----
    uint32_t fence_api = 0;       // RC_FEATURE_* bits of the newer dma_fence API (check_and_signal, names, ...)
    bool names_detached = false;  // name helpers of a signalled fence return placeholders (7.x)
    bool array_signal_on_any = true;  // dma_fence_array_create takes signal_on_any (<= 6.x)
    bool has_drm_exec = false;        // drivers/gpu/drm/drm_exec.c (6.5+)
    bool merge_lone_no_alloc = false;  // unwrap_merge returns a lone pending leaf without allocating (7.x)
    std::string_view description;
};

std::span<const Profile> all_profiles();
std::optional<Profile> profile_by_name(std::string_view name);
// `unavailable`: API features the implementation cannot have (Adapter::unavailable). A rule whose
// scope is the profile switch that also gates that feature in Model::has_op (alloc_paths:
// fail_alloc, lock_order: the lock-dependency recorder and its driver ops, has_drm_exec: drm_exec)
// then does not apply: nothing else the implementation does can show it.
bool rule_applies(const RuleInfo& rule, const Profile& profile, uint32_t unavailable = 0);

// The most slots one reserve_fences may ask for (keeps lists within the observation limit).
inline constexpr uint32_t kMaxReserve = 64;

struct Divergence {
    Rule rule{};
    size_t op_index = 0;
    std::string allowed;   // what the contract allowed
    std::string observed;  // what happened
    bool references = false;  // a release that is missing, early or doubled (a reference count is off)
};

class Model {
public:
    explicit Model(const Profile& profile);
    ~Model();
    Model(const Model&);
    Model& operator=(const Model&);

    const Profile& profile() const;
    void reset();

    // Whether the profile's kernel has the op at all (6.1 has no deadlines).
    bool has_op(const Op& op) const;

    // Why `op` may not be sent in the current state, or nothing if it meets its preconditions.
    std::optional<std::string> precondition(const Op& op) const;
    // The same for an op marked `@misuse` (marked true): it may break its precondition when that
    // is a documented misuse (misuse()); a marked op that is none is refused with the reason.
    std::optional<std::string> precondition(const Op& op, bool marked) const;
    // The rule of the BUG or WARN the profile's kernel documents for `op` sent now as a deliberate
    // misuse: it breaks a precondition the kernel catches (add_fence beyond the reserved slots, a
    // container added), or is a caller bug the model accepts unmarked too (set_error after
    // signalling, reserve_fences(0) where the kernel WARNs). Nothing if no reaction is documented.
    std::optional<Rule> misuse(const Op& op) const;
    // Whether nothing may follow the last op judged: a BUG the contract predicts (the kernel is
    // tainted), or a misuse after which the model follows the object no further.
    bool ended() const;
    // The ops that follow are those of a concurrent block (runner/linearize.h): the runner has
    // checked that another thread of the block ends each of its timed waits, so such a wait is not
    // ordered while what it waits for is pending (sequentially it would sleep its timeout out).
    void set_in_block(bool in_block);

    // Judges the observation of `op` (which meets its preconditions), counts the rules exercised
    // and advances, adopting the observation where the profile leaves freedom.
    std::optional<Divergence> step(const Op& op, const Observation& observed, size_t op_index = 0);

    // Performs `op` as a conforming implementation would and returns that observation (the
    // `model` adapter). Under exact profiles this is the kernel's behaviour.
    Observation perform(const Op& op);

    // How often each rule was checked by an observation that could have broken it (by Rule index).
    const std::vector<uint64_t>& exercised() const;
    void clear_exercised();

    const StateView& view() const;

    // The rule about references that the op last judged or performed follows (add_fence: it drops
    // exactly the overwritten entry's reference): what a reference leak found later is blamed on
    // once diagnosis has located the op (runner/diagnose.h).
    Rule reference_rule() const;

    struct State;  // defined in detail/model_state.h

private:
    std::unique_ptr<State> s_;
};

}  // namespace resvcheck
