// conc_gen.h - the concurrent test cases of `check --threads N`, as a pure function of
// (seed, case index, threads).
//
// A case is a sequential set-up (contexts, fences, r0 listing two of them, maybe without the
// harness's reference on f0), one concurrent block of thread programs over r0 and its fences
// (lock/reserve/add/unlock writers, a reallocating writer, unlocked walkers, signallers, a callback
// adder, a waiter on a fence or on r0 that another thread signals, after sleeps that let virtual
// time pass), a random schedule, and a locked walk after the block. Every program is valid in any interleaving: no thread waits for something no other
// thread of the block does. The schedule is random segments (a thread for 1..6 switch points at a
// time, up to 60 choices), so small preemption counts come up often, as in PCT.
//
//   Trace t = generate_concurrent_case(seed, i, 2);   // the same trace for the same numbers
#pragma once

#include <cstddef>
#include <cstdint>

#include "text_format.h"

namespace resvcheck {

// timed: the implementation has a virtual clock (RC_FEATURE_VIRTUAL_TIME): sleeps and timed waits
// come up; without one (real threads) every wait is untimed and nothing sleeps.
Trace generate_concurrent_case(uint64_t seed, uint64_t case_index, unsigned threads, bool timed = true);

// A fuzz engine's input as a concurrent case (fuzz --threads N): its first 8 bytes pick the case,
// each later byte is a choice of the schedule (mod threads, at most 60), so the engine's mutations
// explore both the programs and their interleavings.
Trace concurrent_case_of_bytes(const uint8_t* data, size_t size, unsigned threads);

}  // namespace resvcheck
