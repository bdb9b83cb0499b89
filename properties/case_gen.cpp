#include "case_gen.h"

namespace resvcheck {
namespace {

static_assert(kRecordSize == 8, "one 64-bit draw per record");


uint64_t mix(uint64_t x) {  // splitmix64's finaliser
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

}  // namespace

int case_size(uint64_t case_index, int max_size) {
    return static_cast<int>((case_index % kSizeCycle) * static_cast<uint64_t>(max_size) / (kSizeCycle - 1));
}

void generate_case(uint64_t seed, size_t property, uint64_t case_index, std::vector<Record>& out, int max_size) {
    const int size = case_size(case_index, max_size);
    uint64_t state = mix(seed ^ mix(property ^ mix(case_index)));
    auto next = [&] { return mix(state += 0x9e3779b97f4a7c15ull); };
    out.resize(next() % static_cast<uint64_t>(size + 1));
    const int bits = (size * 8 + 50) / 100;
    const uint64_t mask = bits >= 8 ? ~0ull : ((1ull << bits) - 1) * 0x0101010101010101ull;
    for (auto& r : out) {
        const uint64_t v = next() & mask;
        for (size_t i = 0; i < kRecordSize; ++i) r[i] = static_cast<uint8_t>(v >> (8 * i));  // the same on every host
    }
}

}  // namespace resvcheck
