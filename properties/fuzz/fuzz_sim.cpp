// fuzz-sim: records -> decoder -> runner against $RESVCHECK_ADAPTER, default sim (fault from RESVCHECK_FAULT).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return resvcheck::fuzz::run_records("sim", data, size); }
