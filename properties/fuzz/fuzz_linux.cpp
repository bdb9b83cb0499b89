// fuzz-linux: records -> decoder -> runner against the linux adapter (the kernel's drivers/dma-buf).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return resvcheck::fuzz::run_records("linux", data, size); }
