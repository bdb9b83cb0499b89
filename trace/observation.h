// observation.h - what an implementation did for one op, as the model judges it.
//
// An adapter fills one Observation per op: the return value, the fences a walk or query yielded,
// and side effects that any op can have (callbacks run, fences released, deadline hooks, WARNs).
// Which parts are meaningful for an op is given by its RetKind and Yields traits (ops.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "handles.h"

namespace resvcheck {

struct Entry {
    FenceH fence;
    Usage usage = Usage::KERNEL;
    friend bool operator==(const Entry&, const Entry&) = default;
};

struct Observation {
    // Ok: the op ran. Unsupported: the implementation does not provide it. Bug: it hit BUG() or an
    // internal assertion (message says where). Crash, Hang, OutOfMemory: the process running it
    // (an isolated adapter's child) died by a signal or an exit, gave no answer in time, or ran
    // out of memory; message names the op, the signal and the tail of its stderr.
    enum class Status : uint8_t { Ok, Unsupported, Bug, Crash, Hang, OutOfMemory };

    Status status = Status::Ok;
    int64_t ret = 0;
    bool restarted = false;   // iterator: dma_resv_iter_is_restarted() for the yielded fence
    bool container = false;   // get_singleton: the result is a new container of `fences`
    bool leaked = false;      // the op failed for lack of memory and left memory it allocated
    uint32_t warnings = 0;    // WARN splats during the op
    uint32_t slept = 0;       // jiffies slept on the implementation's virtual clock (0 without one)
    std::vector<Entry> fences;
    std::vector<CbH> callbacks;    // callbacks run during the op, in order
    std::vector<FenceH> released;  // harness fences released during the op
    std::vector<FenceH> deadlines; // fences whose set_deadline hook ran
    std::string message;           // for Bug, Crash, Hang, OutOfMemory
    std::string lockdep;           // a lock-dependency report during the op (RC_OBS_LOCKDEP), or empty

    void clear() {
        status = Status::Ok;
        ret = 0;
        restarted = container = leaked = false;
        warnings = slept = 0;
        fences.clear();
        callbacks.clear();
        released.clear();
        deadlines.clear();
        message.clear();
        lockdep.clear();
    }
    friend bool operator==(const Observation&, const Observation&) = default;
};

}  // namespace resvcheck
