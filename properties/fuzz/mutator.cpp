#include "mutator.h"

#include <algorithm>
#include <cstring>


namespace resvcheck::fuzz {
namespace {

uint64_t next(uint64_t& s) {  // splitmix64
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
size_t below(uint64_t& s, size_t n) { return n ? next(s) % n : 0; }

std::vector<Record> split(const uint8_t* d, size_t n) {
    std::vector<Record> r(n / kRecordSize);
    for (size_t i = 0; i < r.size(); ++i) std::memcpy(r[i].data(), d + i * kRecordSize, kRecordSize);
    return r;
}
size_t join(const std::vector<Record>& r, uint8_t* out, size_t max_size) {
    size_t n = std::min(r.size(), max_size / kRecordSize);
    for (size_t i = 0; i < n; ++i) std::memcpy(out + i * kRecordSize, r[i].data(), kRecordSize);
    return n * kRecordSize;
}

}  // namespace

RecordMutator::RecordMutator(const MoveWeights& w) : decoder_(w) {}

bool RecordMutator::is_fence_init(const Record& r) const { return decoder_.move_of(r) == Move::NewFence; }

size_t RecordMutator::mutate(uint8_t* data, size_t size, size_t max_size, uint32_t seed, size_t (*bytes)(uint8_t*, size_t, size_t)) {
    uint64_t rng = seed * 0x2545f4914f6cdd1dull + size;
    const size_t max_recs = std::min(max_size / kRecordSize, size_t{256});
    std::vector<Record> r = split(data, size);
    auto random_record = [&] {
        Record x;
        uint64_t v = next(rng);
        std::memcpy(x.data(), &v, kRecordSize);
        return x;
    };
    int rounds = 1 + static_cast<int>(below(rng, 3));
    for (int round = 0; round < rounds; ++round) {
        size_t n = r.size();
        switch (n == 0 ? 0 : below(rng, 10)) {
        case 0:  // insert a new record (random, or a near copy of one already there)
            if (n < max_recs) {
                Record x = n && below(rng, 2) ? r[below(rng, n)] : random_record();
                if (n) x[2 + below(rng, 6)] ^= static_cast<uint8_t>(1 + below(rng, 255));
                r.insert(r.begin() + below(rng, n + 1), x);
            }
            break;
        case 1: {  // delete one record or a short run
            size_t at = below(rng, n), len = std::min(n - at, 1 + below(rng, below(rng, 2) ? 1 : 4));
            r.erase(r.begin() + at, r.begin() + at + len);
            break;
        }
        case 2: {  // duplicate a run of records right after itself (repeat an op pattern)
            size_t at = below(rng, n), len = std::min(n - at, 1 + below(rng, 4));
            if (n + len <= max_recs) {
                std::vector<Record> run(r.begin() + at, r.begin() + at + len);
                r.insert(r.begin() + at + len, run.begin(), run.end());
            }
            break;
        }
        case 3:  // swap two records (reorder ops)
            std::swap(r[below(rng, n)], r[below(rng, n)]);
            break;
        case 4: {  // move a run of records elsewhere
            size_t at = below(rng, n), len = std::min(n - at, 1 + below(rng, 4));
            std::vector<Record> run(r.begin() + at, r.begin() + at + len);
            r.erase(r.begin() + at, r.begin() + at + len);
            size_t to = below(rng, r.size() + 1);
            r.insert(r.begin() + to, run.begin(), run.end());
            break;
        }
        case 5: {  // retarget a handle: the selector bytes 2-4 pick which live object an op uses
            Record& x = r[below(rng, n)];
            uint8_t& b = x[2 + below(rng, 3)];
            switch (below(rng, 3)) {
            case 0: b = static_cast<uint8_t>(b + 1); break;
            case 1: b = static_cast<uint8_t>(b - 1); break;
            default: b = static_cast<uint8_t>(below(rng, 8)); break;
            }
            break;
        }
        case 6: {  // seqno across the 32-bit wrap: a fence_init record (made one if needed) gets an anchor
            size_t at = below(rng, n);
            for (size_t k = 0; k < n; ++k)  // prefer an existing fence_init record
                if (is_fence_init(r[(at + k) % n])) {
                    at = (at + k) % n;
                    break;
                }
            Record& x = r[at];
            if (!is_fence_init(x) && !decoder_.set_move(x, Move::NewFence, static_cast<uint16_t>(next(rng)))) break;
            auto small = [&](size_t n) { return static_cast<uint8_t>(below(rng, n)); };
            switch (below(rng, 4)) {
            case 0: case 1:  // an anchor near 2^31 / 2^32, plus 0..2
                set_seqno(x, below(rng, 2) ? SeqnoChoice::Anchor : SeqnoChoice::NearAnchor,
                          static_cast<uint8_t>(kFirstWrapAnchor + below(rng, std::size(kSeqnoAnchors) - kFirstWrapAnchor)), small(3));
                break;
            case 2: set_seqno(x, below(rng, 2) ? SeqnoChoice::Same : SeqnoChoice::Older, small(2), 0); break;
            default: set_seqno(x, SeqnoChoice::InOrder, small(3), 0); break;
            }
            break;
        }
        case 7: {  // change the usage of a record whose move takes one
            Record& x = r[below(rng, n)];
            if (int ub = usage_byte(decoder_.move_of(x)); ub >= 0) x[ub] += static_cast<uint8_t>(1 + below(rng, kUsages - 1));
            break;
        }
        case 8:  // change what a record asks for (its move), keeping its operands
            r[below(rng, n)][below(rng, 2)] = static_cast<uint8_t>(next(rng));
            break;
        default: {  // byte-level
            size_t len = join(r, data, max_size);
            if (bytes) len = bytes(data, len, max_recs * kRecordSize);
            else if (len) data[below(rng, len)] ^= static_cast<uint8_t>(1u << below(rng, 8));
            r = split(data, len);
            break;
        }
        }
    }
    if (r.empty()) r.push_back(random_record());
    return join(r, data, max_size);
}

size_t RecordMutator::cross_over(const uint8_t* a, size_t na, const uint8_t* b, size_t nb, uint8_t* out, size_t max_size, uint32_t seed) {
    uint64_t rng = seed * 0x9e3779b97f4a7c15ull + na * 31 + nb;
    std::vector<Record> ra = split(a, na), rb = split(b, nb), res;
    if (below(rng, 2)) {  // a prefix of a, then a suffix of b
        size_t i = below(rng, ra.size() + 1), j = below(rng, rb.size() + 1);
        res.assign(ra.begin(), ra.begin() + i);
        res.insert(res.end(), rb.begin() + j, rb.end());
    } else {  // a run of b inserted into a
        res = ra;
        size_t j = below(rng, rb.size() + 1), len = std::min(rb.size() - j, 1 + below(rng, 8));
        res.insert(res.begin() + below(rng, res.size() + 1), rb.begin() + j, rb.begin() + j + len);
    }
    if (res.size() > 256) res.resize(256);
    return join(res, out, max_size);
}

}  // namespace resvcheck::fuzz
