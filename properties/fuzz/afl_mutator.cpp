// libresvcheck-afl-mutator.so: the record-level mutator for AFL++ (AFL_CUSTOM_MUTATOR_LIBRARY).
// Built without AFL instrumentation (it runs inside afl-fuzz, not in the target). AFL++'s own
// havoc stages still run unless AFL_CUSTOM_MUTATOR_ONLY=1. Weights: RESVCHECK_WEIGHTS (default all).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "mutator.h"

namespace {
struct State {
    resvcheck::fuzz::RecordMutator m;
    std::vector<uint8_t> buf;
    uint32_t seed;
};
}  // namespace

extern "C" {

void* afl_custom_init(void* /*afl*/, unsigned int seed) {
    const char* w = std::getenv("RESVCHECK_WEIGHTS");
    return new State{resvcheck::fuzz::RecordMutator(resvcheck::weights_for(w && *w ? w : "all")), {}, seed};
}

size_t afl_custom_fuzz(void* data, uint8_t* buf, size_t buf_size, uint8_t** out_buf, uint8_t* add_buf, size_t add_buf_size,
                       size_t max_size) {
    auto* s = static_cast<State*>(data);
    size_t cap = std::min<size_t>(max_size, 256 * resvcheck::kRecordSize);
    s->buf.assign(cap, 0);
    size_t n;
    ++s->seed;
    if (add_buf && add_buf_size && (s->seed & 7) == 0) {
        n = s->m.cross_over(buf, buf_size, add_buf, add_buf_size, s->buf.data(), cap, s->seed);
    } else {
        n = std::min(buf_size, cap);
        std::memcpy(s->buf.data(), buf, n);
        n = s->m.mutate(s->buf.data(), n, cap, s->seed);
    }
    *out_buf = s->buf.data();
    return n;
}

void afl_custom_deinit(void* data) { delete static_cast<State*>(data); }

}  // extern "C"
