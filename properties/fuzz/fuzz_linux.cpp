// fuzz-linux: records -> decoder -> runner against $RESVCHECK_ADAPTER, default linux (the kernel's drivers/dma-buf, coverage-instrumented).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return resvcheck::fuzz::run_records("linux", data, size); }
