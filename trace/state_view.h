// state_view.h - what op builders (generators, the fuzz decoder, the shrinker) may ask about the
// state a trace has reached. The reference model implements it; the builders only read.
#pragma once

#include <cstdint>
#include <span>

#include "handles.h"

namespace resvcheck {

class StateView {
public:
    virtual ~StateView() = default;
    virtual uint32_t count(HandleKind k) const = 0;  // handles allocated so far (0..count-1)
    virtual bool alive(HandleKind k, uint32_t id) const = 0;  // fences: the caller holds a reference
    // Fills `out` with the live handles of kind k from id `from` on, in id order, and returns how
    // many it wrote (fewer than out.size(): there are no more). One call where alive() would take
    // one per id: the decoder asks this for nearly every record.
    virtual uint32_t live(HandleKind k, uint32_t from, std::span<uint32_t> out) const = 0;
    virtual bool resv_locked(uint32_t r) const = 0;
    virtual int resv_holder(uint32_t r) const = 0;       // acquire context, or -1
    virtual int resv_reserved(uint32_t r) const = 0;     // appends guaranteed by reservations
    virtual bool fence_signaled(uint32_t f) const = 0;
    virtual uint64_t fence_seqno(uint32_t f) const = 0;
    virtual uint32_t fence_ctx(uint32_t f) const = 0;
    // 0 a harness fence, 1 a chain link, 2 an array, 3 a private stub
    virtual int fence_kind(uint32_t f) const = 0;
    virtual int acq_acquired(uint32_t a) const = 0;
    virtual int acq_contending(uint32_t a) const = 0;    // object that returned -EDEADLK to it, or -1
    virtual int iter_mode(uint32_t i) const = 0;         // 0 begun, 1 locked walk, 2 unlocked walk, -1 ended
    virtual uint32_t iter_resv(uint32_t i) const = 0;
    virtual bool cb_pending(uint32_t cb) const = 0;
    virtual int cb_fence(uint32_t cb) const = 0;         // fence it was last added to, or -1
    // Driver side (lock order): the cookie dma_fence_end_signalling should get next (the innermost
    // open section's: 0 entered, 1 nested), -1 if no section is open; whether a driver lock class is held.
    virtual int sig_cookie() const { return -1; }
    virtual bool driver_locked(uint32_t) const { return false; }
    // drm_exec: the context's phase (-1 none, 0 initialised, 1 in the loop body, 2 after -EDEADLK:
    // cleanup next, 3 the loop ended), whether it lists r, and whether acquire context a is older
    // than its ticket (a lock of an object a holds then dies with -EDEADLK).
    virtual int exec_phase() const { return -1; }
    virtual bool exec_listed(uint32_t) const { return false; }
    virtual bool exec_older(uint32_t) const { return false; }
    virtual int exec_acquired() const { return 0; }
};

}  // namespace resvcheck
