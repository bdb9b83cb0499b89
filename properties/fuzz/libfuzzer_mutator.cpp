// The record-level mutator plugged into libFuzzer (linked into fuzz-sim and fuzz-linux when the
// engine is libFuzzer). Byte-level mutation is still used now and then, through LLVMFuzzerMutate.
#include <cstddef>
#include <cstdint>

#include "mutator.h"
#include "properties.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {
resvcheck::fuzz::RecordMutator& mutator() {
    static auto* m = new resvcheck::fuzz::RecordMutator(resvcheck::fuzz_weights());
    return *m;
}
}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
    return mutator().mutate(data, size, max_size, seed, LLVMFuzzerMutate);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* a, size_t na, const uint8_t* b, size_t nb, uint8_t* out, size_t max_size,
                                            unsigned int seed) {
    return mutator().cross_over(a, na, b, nb, out, max_size, seed);
}
