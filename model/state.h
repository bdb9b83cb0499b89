// state.h - the model's state (internal to model/). Handles index flat vectors.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model.h"

namespace resvcheck::detail {

struct CtxS {
    bool live = false;
    bool seq64 = false;
};

struct FenceS {
    bool live = false;       // initialised and not released
    bool released = false;
    uint32_t ctx = 0;
    uint64_t seqno = 0;
    bool signaled = false;
    int64_t error = 0;
    bool late = false;           // exact: an error was stored after signalling
    bool error_unknown = false;  // contract: a late set_error may or may not have been stored
    int64_t late_error = 0;
    int harness = 0;   // references the harness holds
    int iter = 0;      // references held by unlocked cursors
    int slots = 0;     // entries (required or optional) naming it, in every object
    int required = 0;  // entries that must be present while it is unsignalled
    std::vector<uint32_t> pending;  // callbacks, in registration order
    uint32_t removed_by = 0;        // entries of it removed by the model, by reason (model.cpp)
};

struct CbS {
    bool used = false;
    bool pending = false;
    uint32_t fence = 0;
};

struct AcqS {
    bool live = false;
    bool done = false;
    uint64_t stamp = 0;
    int acquired = 0;
    int contending = -1;    // object whose lock returned -EDEADLK: the only one lock_slow may take
};

// One entry of a fence list. Under exact profiles every slot is present, in order. Under the
// contract profile a slot is an "instance": required ones must be listed while unsignalled,
// optional ones (superseded, or signalled) may or may not be.
struct Slot {
    uint64_t id = 0;       // identity of the entry (contract iterators tell entries of one fence apart)
    uint32_t f = 0;
    Usage u = Usage::KERNEL;
    bool required = true;
    Rule origin = Rule::RESV_ADD_LISTED;   // how it got here: names usage mismatches
    Rule suspect = Rule::RESV_ADD_LISTED;  // the last op that must not have removed it
};

// An entry the model knows is gone, and the rule that removed it (names a wrongly kept entry).
struct Gone {
    uint32_t f = 0;
    Usage u = Usage::KERNEL;
    Rule why = Rule::RESV_NO_PHANTOM;
};

struct ResvS {
    bool live = false;
    bool locked = false;
    int holder = -1;        // acquire context, or -1 (plain lock, trylock, unlocked)
    Rule lock_rule = Rule::WW_IS_LOCKED;  // the op that last changed the lock state
    bool has_list = false;
    uint32_t max = 0;       // capacity (exact profiles)
    bool forfeited = false; // debug profile: unlock took the unused slots away
    uint64_t gen = 0;       // list identity: changes when the list object is replaced
    uint64_t mod = 0;       // bumps on every write (contract restarts)
    int guarantee = 0;      // appends guaranteed by reservations under the current lock
    bool ever_listed = false;
    std::vector<Slot> slots;
    std::vector<Gone> gone;
};

struct IterS {
    bool live = false;
    int mode = 0;           // 0 begun, 1 locked, 2 unlocked
    uint32_t r = 0;
    Usage u = Usage::KERNEL;
    int cur = -1;           // fence the unlocked cursor holds a reference on
    // exact cursor
    uint64_t gen = 0;
    bool has_list = false;
    size_t index = 0;
    size_t num = 0;
    Usage fence_usage = Usage::KERNEL;  // usage of the last entry the cursor read
    // contract bookkeeping since the last (re)start
    uint64_t mod_at_restart = 0;
    std::vector<Slot> at_restart;
    std::vector<Entry> yielded;
    std::vector<uint64_t> yielded_ids;
};

}  // namespace resvcheck::detail
