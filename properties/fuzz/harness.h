// harness.h - what every record-driven fuzz target (fuzz-sim, fuzz-linux) does with one input.
//
// An input is a sequence of 8-byte records (trace/decoder.h; a trailing partial record is
// ignored). The shared decoder and the model's precondition filter turn any bytes into a valid
// trace (properties/properties.h, RecordSource), the one runner judges it, and a violation goes
// through the one finding pipeline (runner/finding_pipeline.h: written unshrunk, shrunk, written
// shrunk) before the target abort()s so that the engine (libFuzzer, AFL++) records a crash.
//
// Environment (read once):
//   RESVCHECK_ADAPTER   any adapter the registry makes: sim, linux, model, plugin:PATH[,OPTIONS]
//                       (default: the target's own, sim for fuzz-sim, linux for fuzz-linux)
//   RESVCHECK_FAULT     sim fault switch (see `resvcheck list-faults --adapter sim`)
//   RESVCHECK_PROFILE   model profile (default: the adapter's own)
//   RESVCHECK_WEIGHTS   decoder weight profile (default: all)
//   RESVCHECK_FINDINGS  where the failing trace is written (default: resvcheck-findings)
//   RESVCHECK_FUZZ_IGNORE  comma-separated rule IDs whose violations count as passes
//   RESVCHECK_THREADS   N > 1: an input is a concurrent case and its schedule (properties/conc_gen.h)
//   RESVCHECK_KERNEL_SRC / KERNEL_SRC   linux: kernel tree (as --kernel-src)
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* d, size_t n) {
//       return resvcheck::fuzz::run_records("sim", d, n);
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "decoder.h"
#include "model.h"

namespace resvcheck::fuzz {

// Runs the input against $RESVCHECK_ADAPTER, else `default_adapter` (made once per process,
// reset per input). abort()s on a violation after writing the finding. Returns 0 (the libFuzzer
// convention).
int run_records(const char* default_adapter, const uint8_t* data, size_t size);

}  // namespace resvcheck::fuzz
