#include "decoder.h"

#include <algorithm>
#include <cerrno>
#include <utility>

namespace resvcheck {
namespace {

// Container moves (Chn Arr CQ Mrg Stb) have no weight outside "containers" and "alloc", the
// driver-side moves (Drv) none outside "locking", fail_alloc (FA) none outside "alloc", drm_exec (Ex)
// none outside "drm_exec": the other
// profiles decode every record as they did before.
//                              Ctx Fen Sig Err FQ  Lat ACb RCb Ref Acq Lck Unl LQ  Rsv Add Rep Cpy Qry Wlk Itr NRs Fin Chn Arr CQ  Mrg Stb Drv FA Ex
constexpr MoveWeights kAll   = {3,  8,  8,  2,  3,  2,  3,  2,  3,  2,  8,  5,  2,  7,  12, 2,  2,  5,  6,  6,  2,  1,  0,  0,  0,  0,  0,  0, 0, 0};
constexpr MoveWeights kFence = {4,  10, 10, 4,  8,  8,  8,  5,  6,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 0, 0};
constexpr MoveWeights kLock  = {1,  2,  1,  0,  0,  0,  0,  0,  0,  6,  14, 8,  6,  2,  2,  0,  0,  0,  1,  0,  3,  1,  0,  0,  0,  0,  0,  0, 0, 0};
constexpr MoveWeights kAdd   = {3,  10, 8,  0,  1,  1,  0,  0,  2,  0,  6,  4,  0,  8,  16, 3,  2,  7,  8,  2,  1,  2,  0,  0,  0,  0,  0,  0, 0, 0};
constexpr MoveWeights kIter  = {2,  6,  6,  0,  0,  0,  0,  0,  2,  0,  6,  5,  0,  6,  10, 1,  2,  3,  4,  14, 1,  0,  0,  0,  0,  0,  0,  0, 0, 0};
constexpr MoveWeights kCont  = {2,  10, 9,  1,  3,  0,  0,  0,  5,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  14, 4,  9,  5,  1,  0, 0, 0};
constexpr MoveWeights kLocking = {1, 3, 3,  0,  0,  0,  0,  0,  0,  2,  6,  6,  0,  1,  1,  0,  0,  2,  0,  0,  2,  0,  0,  0,  0,  0,  0,  24, 0, 0};
constexpr MoveWeights kExec = {0,  3,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  1,  0,  2,  0,  0,  0,  0,  0,  0,  0, 0, 30};
constexpr MoveWeights kAlloc = {2,  10, 6,  0,  0,  0,  0,  0,  3,  0,  6,  4,  0,  10, 12, 0,  0,  6,  2,  0,  2,  0,  3,  5,  2,  6,  2,  0,  12, 0};
// Misuse (Mis, the last column; the rows above leave it 0): fresh contexts and fences, so that adds
// beyond the reserved slots fill a list up to its BUG, and containers to add.
//                              Ctx Fen Sig Err FQ  Lat ACb RCb Ref Acq Lck Unl LQ  Rsv Add Rep Cpy Qry Wlk Itr NRs Fin Chn Arr CQ  Mrg Stb Drv FA Ex  Mis
constexpr MoveWeights kMisuse = {6, 10, 4,  0,  1,  0,  0,  0,  1,  0,  6,  3,  0,  5,  6,  0,  0,  2,  4,  0,  1,  0,  2,  2,  0,  0,  0,  0,  0,  0, 16};

struct WeightProfile {
    std::string_view name;
    MoveWeights weights;
};
const std::vector<WeightProfile> kProfiles = {
    {"all", kAll}, {"fence", kFence}, {"lock", kLock}, {"resv.add", kAdd}, {"iter", kIter}, {"containers", kCont},
    {"locking", kLocking}, {"alloc", kAlloc}, {"drm_exec", kExec}, {"misuse", kMisuse},
};

struct Ctx {
    const StateView& v;
    const uint8_t* b;

    // The n-th (mod count) live handle of a kind, or nothing. One pass: the selector is a byte, so
    // the handle it names is among the first 256 candidates.
    std::optional<uint32_t> pick(HandleKind k, uint8_t sel, auto&& ok) const {
        std::array<uint32_t, 256> first, live;
        uint32_t alive = 0;
        for (uint32_t from = 0;;) {  // live handles a buffer at a time (one buffer in practice)
            const uint32_t m = v.live(k, from, live);
            for (uint32_t j = 0; j < m; ++j)
                if (ok(live[j])) {
                    if (alive < first.size()) first[alive] = live[j];
                    ++alive;
                }
            if (m < live.size()) break;
            from = live[m - 1] + 1;
        }
        if (!alive) return std::nullopt;
        return first[sel % alive];
    }
    std::optional<uint32_t> pick(HandleKind k, uint8_t sel) const {
        return pick(k, sel, [](uint32_t) { return true; });
    }
    Usage usage(uint8_t x) const { return static_cast<Usage>(x % kUsages); }
};

}  // namespace

const MoveWeights& weights_for(std::string_view name) {
    for (const auto& p : kProfiles)
        if (p.name == name) return p.weights;
    return kAll;
}

void set_seqno(Record& r, SeqnoChoice choice, uint8_t arg, uint8_t offset) {
    r[3] = static_cast<uint8_t>(choice);
    r[4] = arg;
    r[5] = offset;
}

int usage_byte(Move m) {
    switch (m) {
    case Move::AddFence: return 5;
    case Move::Replace: return 6;
    case Move::Query: case Move::Walk: return 4;
    case Move::IterStep: return 5;  // of the resv_iter_begin it may decode to
    default: return -1;
    }
}

OpDecoder::OpDecoder(const MoveWeights& w) {
    for (size_t i = 0; i < kMoves; ++i) move_of_.insert(move_of_.end(), w[i], static_cast<uint8_t>(i));
}

Move OpDecoder::move_at(const uint8_t* b) const {
    if (move_of_.empty()) return Move::kCount;
    return static_cast<Move>(move_of_[static_cast<uint16_t>(b[0] | (b[1] << 8)) % static_cast<uint32_t>(move_of_.size())]);
}

Move OpDecoder::move_of(const Record& r) const { return move_at(r.data()); }

bool OpDecoder::set_move(Record& r, Move m, uint16_t pick) const {
    // The table holds each move's entries contiguously: choose one of them.
    auto first = std::find(move_of_.begin(), move_of_.end(), static_cast<uint8_t>(m));
    size_t width = static_cast<size_t>(std::count(move_of_.begin(), move_of_.end(), static_cast<uint8_t>(m)));
    if (width == 0) return false;
    auto x = static_cast<uint16_t>((first - move_of_.begin()) + pick % width);
    r[0] = static_cast<uint8_t>(x);
    r[1] = static_cast<uint8_t>(x >> 8);
    return true;
}

std::optional<Op> OpDecoder::decode(const uint8_t* b, const StateView& v) {
    Move move = move_at(b);
    if (move == Move::kCount) return std::nullopt;
    const bool after_fail = std::exchange(after_fail_, move == Move::FailAlloc);
    // the allocation failure armed is for the next op: make it one that allocates
    if (after_fail) {
        static constexpr Move kAllocating[] = {Move::Reserve, Move::Query, Move::Copy, Move::Array, Move::Merge, Move::Stub};
        if (std::find(std::begin(kAllocating), std::end(kAllocating), move) == std::end(kAllocating))
            move = kAllocating[b[1] % std::size(kAllocating)];
    }
    misuse_ = false;
    Ctx c{v, b};
    // Handle counts on demand: most moves need one or two of them.
    auto nC = [&] { return v.count(HandleKind::Ctx); };
    auto nF = [&] { return v.count(HandleKind::Fence); };
    auto nR = [&] { return v.count(HandleKind::Resv); };
    auto nA = [&] { return v.count(HandleKind::Acq); };
    auto new_ctx = [&]() -> Op { return FenceContextAlloc{CtxH{nC()}, b[2] < 48}; };
    auto new_resv = [&]() -> Op { return ResvInit{ResvH{nR()}}; };
    auto live_fence = [&](uint8_t sel) { return c.pick(HandleKind::Fence, sel); };
    // A locked object, or the lock op that makes one.
    auto locked_resv = [&](uint8_t sel, auto&& ok) -> std::variant<uint32_t, Op> {
        if (auto r = c.pick(HandleKind::Resv, sel, [&](uint32_t i) { return v.resv_locked(i) && ok(i); })) return *r;
        if (auto r = c.pick(HandleKind::Resv, sel, [&](uint32_t i) { return !v.resv_locked(i); })) return Op{ResvLock{ResvH{*r}, {}}};
        return new_resv();
    };
    auto any_ok = [](uint32_t) { return true; };

    const int ub = usage_byte(move);
    switch (move) {
    case Move::NewContext:
        return new_ctx();
    case Move::NewFence: {
        auto ctx = c.pick(HandleKind::Ctx, b[2]);
        if (!ctx) return new_ctx();
        if (last_seqno_.size() <= *ctx) last_seqno_.resize(*ctx + 1, 0);
        uint64_t& last = last_seqno_[*ctx];
        uint64_t s;
        switch (static_cast<SeqnoChoice>(b[3] % 8)) {
        case SeqnoChoice::Same: s = last; break;  // same seqno, distinct fence
        case SeqnoChoice::Older: s = last - 1 - b[4] % 2; break;
        case SeqnoChoice::Anchor: s = kSeqnoAnchors[b[4] % std::size(kSeqnoAnchors)]; break;
        case SeqnoChoice::NearAnchor: s = kSeqnoAnchors[b[4] % std::size(kSeqnoAnchors)] + b[5] % 3; break;
        case SeqnoChoice::Raw: s = b[4]; break;
        default: s = last + 1 + b[4] % 3; break;  // in order (0, 1, 2)
        }
        last = s;
        if (b[6] % 8 == 7) return FenceInitInline{FenceH{nF()}, CtxH{*ctx}, s};  // kernels: 7.1's inline lock
        return FenceInit{FenceH{nF()}, CtxH{*ctx}, s};
    }
    case Move::Signal: {
        auto f = c.pick(HandleKind::Fence, b[2], [&](uint32_t i) { return b[3] < 224 ? !v.fence_signaled(i) : true; });
        if (!f) return live_fence(b[2]) ? std::optional<Op>(FenceSignal{FenceH{*live_fence(b[2])}}) : std::optional<Op>(new_ctx());
        if (b[4] % 8 == 7) return FenceCheckAndSignal{FenceH{*f}};  // kernels: 7.0's check_and_signal
        return FenceSignal{FenceH{*f}};
    }
    case Move::SetError: {
        auto f = live_fence(b[2]);
        if (!f) return std::nullopt;
        static constexpr int64_t kErrs[] = {-EIO, -ETIME, -EINVAL, -ENOMEM, -ECANCELED, -4095, -1};
        return FenceSetError{FenceH{*f}, kErrs[b[3] % std::size(kErrs)]};
    }
    case Move::FenceQuery: {
        auto f = live_fence(b[2]);
        if (!f) return std::nullopt;
        switch (b[3] % 3) {
        case 0: return FenceGetStatus{FenceH{*f}};
        case 1:
            switch (b[5] % 8) {  // kernels: the helpers of 6.17 and 7.1
            case 5: return FenceDriverName{FenceH{*f}};
            case 6: return FenceTimelineName{FenceH{*f}};
            case 7: return FenceWasInitialized{FenceH{*f}};
            default: return FenceIsSignaled{FenceH{*f}};
            }
        default:
            if (b[6] % 8 == 7) {  // dma_fence_wait_any_timeout over 1-4 distinct fences, f first
                static constexpr int64_t kMax = INT64_MAX;  // MAX_SCHEDULE_TIMEOUT
                const int64_t timeouts[] = {0, 1, 1 + (b[6] >> 3), kMax};
                FenceWaitAnyTimeout w{FenceH{*f}, {}, {}, {}, timeouts[(b[4] >> 2) % 4], b[4] & 3u};
                std::vector<uint32_t> in{*f};
                for (OptFenceH* h : {&w.f1, &w.f2, &w.f3}) {
                    if (in.size() > b[7] % 4u) break;
                    auto g = c.pick(HandleKind::Fence, static_cast<uint8_t>(b[5] + in.size()),
                                    [&](uint32_t i) { return std::find(in.begin(), in.end(), i) == in.end(); });
                    if (!g) break;
                    *h = OptFenceH{FenceH{*g}};
                    in.push_back(*g);
                }
                return w;
            }
            {  // an unsignalled fence's timed wait sleeps it out: keep it short (kmod sleeps in real time)
                const int64_t timeout = !(b[4] & 2) ? 0 : v.fence_signaled(*f) ? 1 + b[5] : 1 + b[5] % 4;
                return FenceWaitTimeout{FenceH{*f}, (b[4] & 1) != 0, timeout, (b[4] & 4) != 0};
            }
        }
    }
    case Move::IsLater: {
        auto f1 = live_fence(b[2]);
        if (!f1) return std::nullopt;
        auto f2 = c.pick(HandleKind::Fence, b[3], [&](uint32_t i) { return v.fence_ctx(i) == v.fence_ctx(*f1); });
        if (b[4] % 8 == 6)  // kernels: 6.15's dedup_array, over any four live fences
            if (auto f3 = live_fence(b[5]), f4 = live_fence(b[6]); f3 && f4)
                return FenceDedupArray{FenceH{*f1}, FenceH{*live_fence(b[3])}, FenceH{*f3}, FenceH{*f4}};
        if (b[4] & 1) return FenceIsLaterOrSame{FenceH{*f1}, FenceH{*f2}};
        return FenceIsLater{FenceH{*f1}, FenceH{*f2}};
    }
    case Move::AddCallback: {
        auto f = live_fence(b[2]);
        if (!f) return std::nullopt;
        const uint32_t nCb = v.count(HandleKind::Cb);
        // reuse an idle callback struct now and then, else a new one
        uint32_t cb = nCb;
        if (b[3] & 1)
            for (uint32_t i = 0; i < nCb; ++i)
                if (!v.cb_pending((b[4] + i) % nCb)) {
                    cb = (b[4] + i) % nCb;
                    break;
                }
        return FenceAddCallback{FenceH{*f}, CbH{cb}};
    }
    case Move::RemoveCallback: {
        const uint32_t nCb = v.count(HandleKind::Cb);
        if (!nCb) return std::nullopt;
        uint32_t cb = b[2] % nCb;
        int f = v.cb_fence(cb);
        if (f < 0 || !v.alive(HandleKind::Fence, static_cast<uint32_t>(f))) return std::nullopt;
        return FenceRemoveCallback{FenceH{static_cast<uint32_t>(f)}, CbH{cb}};
    }
    case Move::GetPut: {
        auto f = live_fence(b[2]);
        if (!f) return std::nullopt;
        if (b[3] % 3 == 0) return FenceGet{FenceH{*f}};
        return FencePut{FenceH{*f}};
    }
    case Move::Acquire: {
        if (nA() == 0 || b[2] % 4 == 0) return WwAcquireInit{AcqH{nA()}};
        auto a = c.pick(HandleKind::Acq, b[3]);
        if (!a) return WwAcquireInit{AcqH{nA()}};
        if (v.acq_acquired(*a) == 0 && b[2] % 4 == 1) return WwAcquireFini{AcqH{*a}};
        if (b[2] % 8 == 2) return WwAcquireDone{AcqH{*a}};
        return std::nullopt;
    }
    case Move::Lock: {
        // A context that got -EDEADLK backs off: drop what it holds, wait for the object, lock_slow.
        if (auto a = c.pick(HandleKind::Acq, b[4], [&](uint32_t i) { return v.acq_contending(i) >= 0; }); a && b[7] < 192) {
            uint32_t want = static_cast<uint32_t>(v.acq_contending(*a));
            if (auto held = c.pick(HandleKind::Resv, b[2], [&](uint32_t i) { return v.resv_holder(i) == static_cast<int>(*a); }))
                return ResvUnlock{ResvH{*held}};
            if (v.resv_locked(want)) return ResvUnlock{ResvH{want}};  // the older holder finishes
            if (b[7] & 1) return ResvLockSlowInterruptible{ResvH{want}, AcqH{*a}, (b[5] % 4) == 0};
            return ResvLockSlow{ResvH{want}, AcqH{*a}};
        }
        auto r = c.pick(HandleKind::Resv, b[2]);
        if (!r) return new_resv();
        std::optional<AcqH> a;
        if (b[3] % 3 != 0) {
            if (auto ai = c.pick(HandleKind::Acq, b[4])) a = AcqH{*ai};
            else return WwAcquireInit{AcqH{nA()}};
        }
        bool sig = b[5] % 4 == 0;
        switch (b[6] % 5) {
        case 0: return ResvLockInterruptible{ResvH{*r}, {a}, sig};
        case 1: return ResvTrylock{ResvH{*r}};
        default: return ResvLock{ResvH{*r}, {a}};
        }
    }
    case Move::Unlock: {
        auto r = c.pick(HandleKind::Resv, b[2], [&](uint32_t i) { return v.resv_locked(i); });
        if (!r) return std::nullopt;
        return ResvUnlock{ResvH{*r}};
    }
    case Move::LockQuery: {
        auto r = c.pick(HandleKind::Resv, b[2]);
        if (!r) return new_resv();
        if (b[3] & 1) return ResvIsLocked{ResvH{*r}};
        return ResvLockingCtx{ResvH{*r}};
    }
    case Move::Reserve: {
        auto r = locked_resv(b[2], any_ok);
        if (auto* op = std::get_if<Op>(&r)) return *op;
        uint32_t n = b[3] < 16 ? 0 : b[3] < 200 ? 1 + b[4] % 4 : 1 + b[4] % 16;
        return ResvReserveFences{ResvH{std::get<uint32_t>(r)}, n};
    }
    case Move::AddFence: {
        auto r = locked_resv(b[2], [&](uint32_t i) { return v.resv_reserved(i) > 0; });
        if (auto* op = std::get_if<Op>(&r)) return *op;
        uint32_t ri = std::get<uint32_t>(r);
        if (v.resv_reserved(ri) < 1) return ResvReserveFences{ResvH{ri}, 1u + b[4] % 3};
        auto f = live_fence(b[3]);
        if (!f) return nF() ? std::optional<Op>() : std::optional<Op>(nC() ? Op{FenceInit{FenceH{nF()}, CtxH{0}, 1}} : new_ctx());
        return ResvAddFence{ResvH{ri}, FenceH{*f}, c.usage(b[ub])};
    }
    case Move::Replace: {
        auto r = locked_resv(b[2], any_ok);
        if (auto* op = std::get_if<Op>(&r)) return *op;
        auto f = live_fence(b[3]);
        if (!f) return std::nullopt;
        uint32_t ctx = b[4] & 1 ? v.fence_ctx(*f) : (nC() ? b[5] % nC() : 0);
        if (!nC()) return std::nullopt;
        return ResvReplaceFences{ResvH{std::get<uint32_t>(r)}, CtxH{ctx}, FenceH{*f}, c.usage(b[ub])};
    }
    case Move::Copy: {
        auto r = locked_resv(b[2], any_ok);
        if (auto* op = std::get_if<Op>(&r)) return *op;
        uint32_t dst = std::get<uint32_t>(r);
        auto src = c.pick(HandleKind::Resv, b[3], [&](uint32_t i) { return i != dst; });
        if (!src) return new_resv();
        return ResvCopyFences{ResvH{dst}, ResvH{*src}};
    }
    case Move::Query: {
        auto r = c.pick(HandleKind::Resv, b[2]);
        if (!r) return new_resv();
        Usage u = c.usage(b[ub]);
        switch (b[3] % (after_fail ? 2 : 6)) {  // of the queries, get_fences and get_singleton allocate
        case 0: return ResvGetFences{ResvH{*r}, u};
        case 1: return ResvGetSingleton{ResvH{*r}, u};
        case 2: return ResvTestSignaled{ResvH{*r}, u};
        case 3: return ResvWaitTimeout{ResvH{*r}, u, (b[5] & 1) != 0, b[5] & 2 ? int64_t{1 + b[6] % 4} : 0, (b[5] & 4) != 0};
        case 4: return ResvSetDeadline{ResvH{*r}, u};
        default: return ResvUsageRw{(b[5] & 1) != 0};
        }
    }
    case Move::Walk: {
        auto r = c.pick(HandleKind::Resv, b[2]);
        if (!r) return new_resv();
        Usage u = c.usage(b[ub]);
        if (b[3] & 1 && v.resv_locked(*r)) return ResvForEachFence{ResvH{*r}, u};
        return ResvForEachFenceUnlocked{ResvH{*r}, u};
    }
    case Move::IterStep: {
        auto it = c.pick(HandleKind::Iter, b[2]);
        if (!it || b[3] % 8 == 0) {
            auto r = c.pick(HandleKind::Resv, b[4]);
            if (!r) return new_resv();
            return ResvIterBegin{IterH{v.count(HandleKind::Iter)}, ResvH{*r}, c.usage(b[ub])};
        }
        IterH i{*it};
        switch (v.iter_mode(*it)) {
        case 0:
            if (b[6] & 1 && v.resv_locked(v.iter_resv(*it))) return ResvIterFirst{i};
            return ResvIterFirstUnlocked{i};
        case 1:
            if (b[6] % 5 == 0) return ResvIterEnd{i};
            return ResvIterNext{i};
        case 2:
            if (b[6] % 5 == 0) return ResvIterEnd{i};
            return ResvIterNextUnlocked{i};
        default: return std::nullopt;
        }
    }
    case Move::NewResv:
        return new_resv();
    case Move::Fini: {
        auto r = c.pick(HandleKind::Resv, b[2], [&](uint32_t i) { return !v.resv_locked(i); });
        if (!r) return std::nullopt;
        return ResvFini{ResvH{*r}};
    }
    case Move::ChainLink: case Move::Array: case Move::ContainerQuery: case Move::Merge: case Move::Stub:
        return decode_container(move, b, v);
    case Move::Driver: {
        switch (b[2] % 10) {
        case 0: return SigBegin{};
        case 1:
            // the innermost section's cookie; now and then a wrong one (an unbalanced end is reported)
            if (v.sig_cookie() < 0 && b[3] >= 16) return SigBegin{};
            return SigEnd{b[3] < 16 ? static_cast<uint32_t>(b[4] & 1) : static_cast<uint32_t>(v.sig_cookie())};
        case 2: return DriverAlloc{static_cast<uint32_t>(b[3] % 5)};
        case 3: case 4: {
            const uint32_t k = b[3] % kDriverLockClasses;
            if (v.driver_locked(k)) return DriverUnlock{k};
            return DriverLock{k};
        }
        case 5: return FenceMightWait{};
        case 6: {
            auto r = c.pick(HandleKind::Resv, b[4]);
            if (!r) return new_resv();
            return ShrinkerScan{ResvH{*r}};
        }
        case 7: return MmuInvalidate{};
        case 8: return MightFault{};
        default: {
            auto r = c.pick(HandleKind::Resv, b[4]);
            if (!r) return new_resv();
            return SchedRunJob{ResvH{*r}};
        }
        }
    }
    case Move::FailAlloc:  // mostly the first allocation: every allocating op has one
        return FailAlloc{b[2] < 160 ? 1u : 2u + b[2] % 2};
    case Move::Exec: return decode_exec(b, v);
    case Move::Misuse: return decode_misuse(b, v);
    case Move::kCount: break;
    }
    return std::nullopt;
}

// drm_exec: a context goes init -> loop passes -> fini. Contention comes from another acquire
// context, initialised before the loop's ticket (so it is older), that holds an object the body
// then asks for after locking something (the ticket dies: -EDEADLK); after it the contender lets
// go and the loop head retries. Probes of the lock state, the set and the references in between.
std::optional<Op> OpDecoder::decode_exec(const uint8_t* b, const StateView& v) {
    Ctx c{v, b};
    const uint32_t nR = v.count(HandleKind::Resv);
    auto any_resv = [&](uint8_t sel) -> Op {
        if (auto r = c.pick(HandleKind::Resv, sel)) return DrmExecListed{ResvH{*r}};
        return ResvInit{ResvH{nR}};
    };
    auto probe = [&](uint8_t sel, uint8_t which) -> Op {
        auto r = c.pick(HandleKind::Resv, sel);
        if (!r) return ResvInit{ResvH{nR}};
        switch (which % 3) {
        case 0: return DrmExecListed{ResvH{*r}};
        case 1: return DrmGemObjectRefs{ResvH{*r}};
        default: return ResvIsLocked{ResvH{*r}};
        }
    };
    // the contender: a live acquire context that may lock (older than the ticket once there is one)
    auto contender = [&]() {
        return c.pick(HandleKind::Acq, b[5], [&](uint32_t a) {
            return v.acq_contending(a) < 0 && (v.exec_phase() <= 0 || v.exec_older(a));
        });
    };
    auto contend = [&]() -> std::optional<Op> {
        auto a = contender();
        auto r = c.pick(HandleKind::Resv, b[4], [&](uint32_t i) { return !v.resv_locked(i); });
        if (a && r) return ResvLock{ResvH{*r}, OptAcqH{AcqH{*a}}};
        return std::nullopt;
    };
    switch (v.exec_phase()) {
    case -1:
        if (nR < 3 || b[2] % 8 == 0) return ResvInit{ResvH{nR}};
        if (b[2] % 8 == 1 || !contender()) return WwAcquireInit{AcqH{v.count(HandleKind::Acq)}};
        return DrmExecInit{static_cast<uint32_t>(b[3] % 4)};
    case 0:
        if (b[2] % 3 == 0)
            if (auto op = contend()) return *op;
        return DrmExecCleanup{};
    case 2: {  // after -EDEADLK: the contender lets go, then the loop retries (or the caller bails out)
        if (b[2] % 16 == 1) return DrmExecFini{};
        if (auto held = c.pick(HandleKind::Resv, b[4], [&](uint32_t i) { return v.resv_holder(i) >= 0; }))
            return ResvUnlock{ResvH{*held}};
        if (b[2] % 4 == 2) return probe(b[4], b[3]);
        return DrmExecCleanup{};
    }
    case 1: {
        switch (b[2] % 12) {
        case 0: case 1: case 2: case 3: case 4: {  // lock or prepare an object the body may ask for
            auto r = c.pick(HandleKind::Resv, b[4], [&](uint32_t i) {
                if (!v.resv_locked(i) || v.exec_listed(i)) return true;
                const int h = v.resv_holder(i);
                return h >= 0 && v.exec_older(static_cast<uint32_t>(h)) && v.exec_acquired() > 0;
            });
            if (!r) return any_resv(b[4]);
            if (b[3] & 1) return DrmExecPrepareObj{ResvH{*r}, 1u + b[6] % 3};
            return DrmExecLockObj{ResvH{*r}};
        }
        case 5:  // the contender takes an object, or lets one go
            if (b[3] % 2)
                if (auto held = c.pick(HandleKind::Resv, b[4], [&](uint32_t i) { return v.resv_holder(i) >= 0; }))
                    return ResvUnlock{ResvH{*held}};
            if (auto op = contend()) return *op;
            return probe(b[4], b[3]);
        case 6: {
            auto r = c.pick(HandleKind::Resv, b[4], [&](uint32_t i) { return v.exec_listed(i); });
            if (r && b[3] % 4 == 0) return DrmExecUnlockObj{ResvH{*r}};
            return probe(b[4], b[3]);
        }
        case 7: case 8: return probe(b[4], b[3]);
        default: return DrmExecCleanup{};
        }
    }
    default: {  // the loop ended: use the set, probe it, release parts of it, finish
        switch (b[2] % 8) {
        case 0: case 1: {  // a fence on a prepared object
            auto r = c.pick(HandleKind::Resv, b[4], [&](uint32_t i) { return v.exec_listed(i) && v.resv_reserved(i) > 0; });
            auto f = c.pick(HandleKind::Fence, b[6], [&](uint32_t x) { return v.fence_kind(x) == 0 && !v.fence_signaled(x); });
            if (r && f) return ResvAddFence{ResvH{*r}, FenceH{*f}, c.usage(b[3])};
            if (r) return probe(b[4], b[3]);
            return DrmExecFini{};
        }
        case 2: {
            auto r = c.pick(HandleKind::Resv, b[4], [&](uint32_t i) { return v.exec_listed(i); });
            if (r) return DrmExecUnlockObj{ResvH{*r}};
            return DrmExecFini{};
        }
        case 3: return DrmExecFini{};
        default: return probe(b[4], b[3]);
        }
    }
    }
}

// The container moves. Chains grow long by extending the newest link most of the time; arrays
// take harness fences (the kernel WARNs for containers in an array); walks, unwraps, find_seqno,
// polls and merges prefer containers.
std::optional<Op> OpDecoder::decode_container(Move move, const uint8_t* b, const StateView& v) {
    Ctx c{v, b};
    const uint32_t nF = v.count(HandleKind::Fence);
    auto kind = [&](uint32_t f) { return v.fence_kind(f); };
    auto plain_pending = [&](uint8_t sel) {
        return c.pick(HandleKind::Fence, sel, [&](uint32_t f) { return kind(f) == 0 && !v.fence_signaled(f); });
    };
    auto container = [&](uint8_t sel) { return c.pick(HandleKind::Fence, sel, [&](uint32_t f) { return kind(f) == 1 || kind(f) == 2; }); };
    auto newest_chain = [&]() -> std::optional<uint32_t> {
        for (uint32_t f = nF; f-- > 0;)
            if (v.alive(HandleKind::Fence, f) && kind(f) == 1) return f;
        return std::nullopt;
    };
    // a harness fence to put in a container, or the op that makes one
    auto need_fence = [&]() -> Op {
        if (!v.count(HandleKind::Ctx)) return FenceContextAlloc{CtxH{0}, false};
        return FenceInit{FenceH{nF}, CtxH{b[7] % v.count(HandleKind::Ctx)}, 1u + b[6]};
    };
    auto opt = [&](std::optional<uint32_t> f) { return f ? OptFenceH{FenceH{*f}} : OptFenceH{}; };
    switch (move) {
    case Move::ChainLink: {
        // the contained fence: a pending harness fence, now and then an array or any live non-chain
        std::optional<uint32_t> fence;
        if (b[2] % 8 == 0) fence = c.pick(HandleKind::Fence, b[3], [&](uint32_t f) { return kind(f) == 2; });
        if (!fence && b[2] % 8 == 1) fence = c.pick(HandleKind::Fence, b[3], [&](uint32_t f) { return kind(f) != 1; });
        if (!fence) fence = plain_pending(b[3]);
        if (!fence) return need_fence();
        std::optional<uint32_t> prev;
        if (b[4] < 208) prev = newest_chain();
        else if (b[4] < 240) prev = c.pick(HandleKind::Fence, b[5]);
        const uint64_t base = prev ? v.fence_seqno(*prev) : 0;
        uint64_t seqno;
        switch (b[6] % 16) {
        case 0: seqno = base; break;                                   // not later: a new context
        case 1: seqno = base > 2 ? base - 1 - b[5] % 2 : 0; break;     // backwards
        case 2: seqno = 0x100000000ull + base + b[5] % 3; break;       // beyond 32 bits
        default: seqno = base + 1 + b[5] % 2; break;                   // in order
        }
        return FenceChainInit{FenceH{nF}, FenceH{*fence}, opt(prev), seqno};
    }
    case Move::Array: {
        auto m0 = plain_pending(b[2]);
        if (!m0) m0 = c.pick(HandleKind::Fence, b[2], [&](uint32_t f) { return kind(f) == 0 || kind(f) == 3; });
        if (!m0) return need_fence();
        auto member = [&](uint8_t sel) -> std::optional<uint32_t> {
            if (sel % 4 == 0) return std::nullopt;
            return c.pick(HandleKind::Fence, sel, [&](uint32_t f) { return kind(f) == 0 || kind(f) == 3; });
        };
        auto m1 = member(b[3]);
        auto m2 = m1 ? member(b[4]) : std::nullopt;
        auto m3 = m2 ? member(b[5]) : std::nullopt;
        return FenceArrayCreate{FenceH{nF}, FenceH{*m0}, opt(m1), opt(m2), opt(m3), (b[6] & 3) == 0};
    }
    case Move::ContainerQuery: {
        auto f = b[3] % 4 ? container(b[2]) : std::nullopt;
        if (!f) f = c.pick(HandleKind::Fence, b[2]);
        if (!f) return need_fence();
        const FenceH h{*f};
        switch (b[4] % 8) {
        case 0: case 1: return FenceChainWalk{h};
        case 2: case 3: return FenceUnwrap{h};
        case 4: {
            // around the head's seqno: the points in the chain, 0, and one beyond
            const uint64_t s = v.fence_seqno(*f);
            const uint64_t back = b[5] % 12;
            return FenceChainFindSeqno{h, b[6] % 8 == 0 ? 0 : b[6] % 8 == 1 ? s + 1 : (s > back ? s - back : 1)};
        }
        case 5: return FenceIsSignaled{h};
        case 6: return FenceGetStatus{h};
        default: return FenceIsContainer{h};
        }
    }
    case Move::Merge: {
        auto in = [&](uint8_t sel) -> std::optional<uint32_t> {
            if (sel % 3 == 0) return container(sel / 3);
            return c.pick(HandleKind::Fence, sel / 3);
        };
        auto m0 = in(b[2]);
        if (!m0) return need_fence();
        auto m1 = b[6] & 1 ? in(b[3]) : std::nullopt;
        auto m2 = m1 && (b[6] & 2) ? in(b[4]) : std::nullopt;
        auto m3 = m2 && (b[6] & 4) ? in(b[5]) : std::nullopt;
        return FenceUnwrapMerge{FenceH{*m0}, opt(m1), opt(m2), opt(m3)};
    }
    case Move::Stub:
        if (b[2] % 4 == 0) return FenceGetStub{};
        return FenceAllocatePrivateStub{FenceH{nF}};
    default: return std::nullopt;
    }
}

// The misuse moves: the misuse itself when the state allows it, else the op it needs first. Half of
// them add without a reserved slot (the newest fence most of the time: a fresh context appends
// until the list is full and the kernel BUG()s), or first copy another object's fences into the
// locked one: copy's list fits them exactly, so the next add without a slot is already one too many.
std::optional<Op> OpDecoder::decode_misuse(const uint8_t* b, const StateView& v) {
    Ctx c{v, b};
    const uint32_t nF = v.count(HandleKind::Fence);
    auto locked = [&](auto&& ok) { return c.pick(HandleKind::Resv, b[3], [&](uint32_t r) { return v.resv_locked(r) && ok(r); }); };
    auto lock_one = [&]() -> Op {  // an object to lock, or a new one
        if (auto r = c.pick(HandleKind::Resv, b[3], [&](uint32_t r) { return !v.resv_locked(r); })) return ResvLock{ResvH{*r}, {}};
        return ResvInit{ResvH{v.count(HandleKind::Resv)}};
    };
    auto plain = [&](auto&& ok) -> std::optional<uint32_t> {
        if (b[4] < 160)
            for (uint32_t f = nF; f-- > 0;)
                if (v.alive(HandleKind::Fence, f) && v.fence_kind(f) == 0 && ok(f)) return f;
        return c.pick(HandleKind::Fence, b[4], [&](uint32_t f) { return v.fence_kind(f) == 0 && ok(f); });
    };
    auto need_fence = [&]() -> Op {
        if (!v.count(HandleKind::Ctx) || b[6] < 96) return FenceContextAlloc{CtxH{v.count(HandleKind::Ctx)}, false};
        return FenceInit{FenceH{nF}, CtxH{v.count(HandleKind::Ctx) - 1}, 1u + b[6] % 4};
    };
    auto any = [](uint32_t) { return true; };
    switch (b[2] % 8) {
    case 3: case 4: {  // a container added (with a slot reserved for it)
        auto f = c.pick(HandleKind::Fence, b[5], [&](uint32_t f) { return v.fence_kind(f) == 1 || v.fence_kind(f) == 2; });
        if (!f) return decode_container(b[5] & 1 ? Move::ChainLink : Move::Array, b, v);
        auto r = locked([&](uint32_t r) { return v.resv_reserved(r) > 0; });
        if (!r) {
            if (auto l = locked(any)) return ResvReserveFences{ResvH{*l}, 1};
            return lock_one();
        }
        misuse_ = true;
        return ResvAddFence{ResvH{*r}, FenceH{*f}, c.usage(b[7])};
    }
    case 5: {  // set_error after signalling
        if (auto f = plain([&](uint32_t f) { return v.fence_signaled(f); })) {
            misuse_ = true;
            return FenceSetError{FenceH{*f}, -1 - static_cast<int64_t>(b[5] % 125)};
        }
        if (auto f = plain([&](uint32_t f) { return !v.fence_signaled(f); })) return FenceSignal{FenceH{*f}};
        return need_fence();
    }
    case 6: {  // reserve_fences(0), or now and then a wait_any with a negative timeout (WARN, -EINVAL)
        if (b[5] % 4 == 0)
            if (auto f = plain(any)) {
                misuse_ = true;
                return FenceWaitAnyTimeout{FenceH{*f}, {}, {}, {}, -1 - static_cast<int64_t>(b[6] % 100), b[4] & 1u};
            }
        auto r = locked(any);
        if (!r) return lock_one();
        misuse_ = true;
        return ResvReserveFences{ResvH{*r}, 0};
    }
    case 7:  // copy_fences into a locked object, from another one
        if (auto r = locked(any); r && b[5] < 128)
            if (auto src = c.pick(HandleKind::Resv, b[6], [&](uint32_t s) { return s != *r; }))
                return ResvCopyFences{ResvH{*r}, ResvH{*src}};
        [[fallthrough]];
    default: {  // add_fence without a reserved slot (an add that has one is an ordinary add)
        auto r = locked(any);
        if (!r) return lock_one();
        auto f = plain(any);
        if (!f || b[6] % 4 == 0) return need_fence();
        misuse_ = v.resv_reserved(*r) < 1;
        // mostly the next usage in turn: a fence added with each usage takes four slots
        const Usage u = b[7] < 192 ? static_cast<Usage>(misuse_usage_++ % kUsages) : c.usage(b[7]);
        return ResvAddFence{ResvH{*r}, FenceH{*f}, u};
    }
    }
}

}  // namespace resvcheck
