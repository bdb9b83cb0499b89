#include "kmod_adapter.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "abi_codec.h"
#include "vm.h"
#include "wire.h"

namespace resvcheck {
namespace {

struct Parsed {
    bool strict = true;
    std::string module;
};

Expected<Parsed> parse_options(const std::string& text) {
    Parsed p;
    size_t at = 0;
    while (at <= text.size() && !text.empty()) {
        size_t comma = text.find(',', at);
        std::string tok = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (tok == "strict=0" || tok == "strict=1") p.strict = tok == "strict=1";
        else if (tok.starts_with("module=")) p.module = tok.substr(7);
        else if (!tok.empty())
            return Error{ErrorKind::Usage, "unknown kmod option '" + tok + "' (known: strict=0|1, module=PATH.ko)"};
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    return p;
}

struct Located {
    kmod::Kernel kernel;
    kmod::BootFiles boot;
    Parsed opts;
};

Expected<Located> locate(const KmodOptions& o) {
    auto p = parse_options(o.options);
    if (!p) return p.error();
    auto k = kmod::locate_kernel(o.kernel_image, o.kernel_headers, o.version);
    if (!k) return k.error();
    auto b = kmod::prepare(*k, p->module);
    if (!b) return b.error();
    return Located{*k, *b, *p};
}

// linux-6.1 for 6.1.x, linux-6.12 for 6.12.x: the profiles of the kernels resvcheck knows.
std::string profile_of(const std::string& release) {
    for (const char* v : {"6.1", "6.12"}) {
        std::string pre = std::string(v) + ".";
        if (release.starts_with(pre) || release.starts_with(std::string(v) + "-")) return std::string("linux-") + v;
    }
    return "contract";
}

// The kernel's configuration (its build tree's .config): the CONFIG_ options set to y or m.
std::string kernel_config(const std::string& headers) {
    std::ifstream in(headers + "/.config");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
bool config_has(const std::string& config, const std::string& option) {
    return config.find("\n" + option + "=y") != std::string::npos || config.find("\n" + option + "=m") != std::string::npos;
}

// What a module cannot do on this kernel, and why: a stock distribution kernel has no fault
// injection and no lockdep, and no module counts the kernel's allocations. drm_exec is a module of its own (drm_exec.ko, over drm.ko's GEM
// objects) that the guest does not load, so resvcheck.ko does not drive it.
std::vector<Adapter::Unavailable> unavailable_on(const std::string& headers) {
    const std::string config = kernel_config(headers);
    std::vector<Adapter::Unavailable> u;
    // resvcheck.ko cannot count the kernel's kmalloc objects either: what a failed call or a whole
    // case leaves behind (ALLOC-NO-LEAK, ALLOC-NO-LEAK-TEARDOWN) cannot be seen, whatever FAILSLAB can do
    u.push_back({RC_FEATURE_FAIL_ALLOC, std::string(config_has(config, "CONFIG_FAILSLAB")
                                                        ? "resvcheck.ko"
                                                        : "the kernel has no CONFIG_FAILSLAB (" + headers + "/.config): its allocations cannot be made to fail, and resvcheck.ko") +
                                            " cannot count the kernel's kmalloc objects (what a call or a case leaves allocated)"});
    if (!config_has(config, "CONFIG_PROVE_LOCKING"))
        u.push_back({RC_FEATURE_LOCKDEP, "the kernel has no CONFIG_PROVE_LOCKING: no lockdep records or reports a lock dependency"});
    u.push_back({RC_FEATURE_DRM_EXEC, config_has(config, "CONFIG_DRM_EXEC")
                                          ? "drm_exec is drm_exec.ko on this kernel, which the guest does not load (nor drm.ko for its GEM objects)"
                                          : "the kernel has no drm_exec (CONFIG_DRM_EXEC)"});
    return u;
}

class KmodAdapter final : public Adapter {
public:
    KmodAdapter(Located l, const KmodOptions& o) : loc_(std::move(l)) {
        vo_.strict = loc_.opts.strict;
        vo_.watchdog = std::chrono::milliseconds(o.watchdog_ms);
        vo_.console_dir = o.console_dir;
        unavailable_ = unavailable_on(loc_.kernel.headers);
        req_.reserve(64);
    }

    Status boot() {
        vm_.reset();
        auto vm = kmod::Vm::start(loc_.boot, vo_);
        if (!vm) return vm.error();
        vm_ = std::move(*vm);
        std::vector<uint8_t> hello = {2, 0, KW_HELLO, 0};
        if (vm_->call(hello, 1, replies_) < 1) return Error{ErrorKind::Setup, "the kmod VM died at hello: " + vm_->end_report()};
        kw_buf b{replies_[0].data(), replies_[0].size(), 0, 0};
        if (kw_get_byte(&b) != RC_APPLY_OK) return Error{ErrorKind::Setup, "resvcheck.ko refused hello"};
        release_ = get_string(b);
        kw_get_u(&b);  // features: the bitmap below already accounts for them
        for (auto& byte : kinds_) byte = kw_get_byte(&b);
        if (b.bad) return Error{ErrorKind::Setup, "resvcheck.ko sent a malformed hello"};
        profile_ = profile_of(release_);
        answered_ = 1;
        return ok();
    }

    std::string_view name() const override { return "kmod"; }
    std::string_view default_profile() const override { return profile_; }

    void reset() override {
        if (vm_) {
            std::vector<uint8_t> r = {2, 0, KW_RESET, 0};
            if (vm_->call(r, 1, replies_) == 1) return void(++answered_);
            // the previous trace's teardown killed the kernel: that trace passed, so say it here
            std::fprintf(stderr, "kmod: the VM died while resetting after a trace; booting a fresh one\n%s\n", vm_->end_report().c_str());
        }
        if (auto st = boot(); !st) {
            vm_.reset();
            boot_error_ = st.error().message;
        }
    }

    bool supports(const Op& op) const override {
        uint32_t k = op_abi(op);
        return k < KW_KINDS && (kinds_[k / 8] >> (k % 8) & 1);
    }
    std::vector<Unavailable> unavailable() const override { return unavailable_; }

    void apply(const Op& op, Observation& out) override {
        out.clear();
        if (!vm_) return dead(out);
        req_.clear();
        put_op(op);
        if (vm_->call(req_, 1, replies_) < 1) return died(op, out);
        ++answered_;
        decode_reply(replies_[0], out);
    }

    // Every case's reset and ops in one write (several, should the request grow past kMaxRequest):
    // a round trip per batch of cases instead of per op. The agent hands the module one case at a
    // time and sends its replies before the next starts, so when the VM dies the replies that came
    // name the case, and the first op without one is where it died (the reset before a case counts
    // as its first op, as when a case was a round trip of its own).
    bool apply_batch(std::span<const Op> ops, std::span<const size_t> ends, std::vector<Observation>& out) override {
        out.clear();
        if (ops.empty()) return true;  // the probe: this adapter batches
        if (!vm_) reset();
        if (!vm_) return dead(out.emplace_back()), true;
        req_.clear();
        for (size_t c = 0, from = 0; c < ends.size(); ++c) {
            if (const size_t begin = c ? ends[c - 1] : 0; begin != ends[c]) {  // an empty case needs no reset
                req_.insert(req_.end(), {2, 0, KW_RESET, 0});
                for (size_t i = begin; i < ends[c]; ++i) put_op(ops[i]);
            }
            if (c + 1 < ends.size() && req_.size() < kMaxRequest) continue;
            if (!exchange(ops, ends, from, c + 1, out)) break;
            from = c + 1;
            req_.clear();
        }
        return true;
    }

private:
    // A request the channel holds whole: the host writes it all before it reads, so the guest's
    // replies must never have to be read for the request to get through.
    static constexpr size_t kMaxRequest = 32 << 10;

    // Sends req_ (cases from .. to - 1) and decodes the replies into `out`; false when the VM died
    // (then out ends with the op that killed it).
    bool exchange(std::span<const Op> ops, std::span<const size_t> ends, size_t from, size_t to, std::vector<Observation>& out) {
        auto begin = [&](size_t c) { return c ? ends[c - 1] : 0; };
        size_t frames = 0;
        for (size_t c = from; c < to; ++c) frames += begin(c) == ends[c] ? 0 : 1 + ends[c] - begin(c);
        size_t got = vm_->call(req_, frames, replies_);
        if (got < frames) got += unsent_replies(got);
        answered_ += got;
        for (size_t c = from, r = 0; c < to; ++c) {
            if (begin(c) == ends[c]) continue;
            if (r++ == got) return died(ops[begin(c)], out.emplace_back()), false;  // at its reset
            for (size_t i = begin(c); i < ends[c]; ++i) {
                if (r == got) return died(ops[i], out.emplace_back()), false;
                decode_reply(replies_[r++], out.emplace_back());
            }
        }
        return true;
    }

    static std::string get_string(kw_buf& b) {
        size_t n = kw_get_u(&b);
        std::string s;
        for (size_t i = 0; i < n && !b.bad; ++i) s += static_cast<char>(kw_get_byte(&b));
        return s;
    }

    static void get_list(kw_buf& b, uint32_t* dst, uint32_t& n) {
        n = static_cast<uint32_t>(kw_get_u(&b));
        if (n > RC_OBS_MAX) {
            b.bad = 1;
            n = 0;
        }
        for (uint32_t i = 0; i < n; ++i) dst[i] = static_cast<uint32_t>(kw_get_u(&b));
    }

    void put_op(const Op& op) {
        const resvcheck_op raw = encode_op(op);
        uint8_t body[2 + 2 + RC_OP_MAX_ARGS * 10];
        kw_buf b{body + 2, sizeof body - 2, 0, 0};
        kw_put_byte(&b, static_cast<uint8_t>(raw.kind));
        kw_put_byte(&b, static_cast<uint8_t>(raw.nargs));
        for (uint32_t i = 0; i < raw.nargs; ++i) kw_put_s(&b, raw.args[i]);
        kw_set_frame_len(body, b.pos);
        req_.insert(req_.end(), body, body + 2 + b.pos);
    }

    // The VM died in this exchange after `got` replies: those resvcheck.ko made in the write it died
    // in, which the console has (Vm::dying_write), appended to replies_. Taken only when they end
    // where the kernel died, at the frame after the last one the host has.
    size_t unsent_replies(size_t got) {
        vm_->end_report();  // the console is whole once qemu is gone
        auto d = vm_->dying_write();
        if (!d) return 0;
        std::vector<std::vector<uint8_t>> more;
        for (size_t at = 0; at + 2 <= d->unsent.size();) {
            const size_t n = kw_frame_len(d->unsent.data() + at);
            if (at + 2 + n > d->unsent.size()) return 0;
            more.emplace_back(d->unsent.begin() + static_cast<long>(at + 2), d->unsent.begin() + static_cast<long>(at + 2 + n));
            at += 2 + n;
        }
        if (d->frame != answered_ + got + more.size()) return 0;
        if (replies_.size() < got + more.size()) replies_.resize(got + more.size());
        std::move(more.begin(), more.end(), replies_.begin() + static_cast<long>(got));
        return more.size();
    }

    void dead(Observation& out) const {
        out.clear();
        out.status = Observation::Status::Crash;
        out.message = "the kmod VM could not be booted again: " + boot_error_;
    }

    // The VM is over: the op gets why, the console log and the oops; the next reset boots afresh.
    // A kernel BUG() (the console says "kernel BUG at") is the op's BUG, as the shim reports one:
    // what a misuse the kernel catches is predicted to do; anything else is a crash.
    void died(const Op& op, Observation& out) {
        out.clear();
        const std::string report = vm_->end_report();
        out.status = vm_->hung()                                        ? Observation::Status::Hang
                     : report.find("kernel BUG at") != std::string::npos ? Observation::Status::Bug
                                                                         : Observation::Status::Crash;
        out.message = std::string(op_name(op)) + " in the kmod VM (kernel " + release_ + "): " + report;
        vm_.reset();
    }

    void decode_reply(std::vector<uint8_t>& r, Observation& out) {
        kw_buf b{r.data(), r.size(), 0, 0};
        const uint8_t st = kw_get_byte(&b);
        if (st == RC_APPLY_UNSUPPORTED) {
            out.status = Observation::Status::Unsupported;
            return;
        }
        if (st != RC_APPLY_OK) {
            out.status = Observation::Status::Bug;
            out.message = (st == KW_REFUSED ? "resvcheck.ko (strict) refused the op: " : "resvcheck.ko: ") + get_string(b);
            return;
        }
        resvcheck_obs& o = obs_;
        o.ret = kw_get_s(&b);
        o.flags = static_cast<uint32_t>(kw_get_u(&b));
        o.warnings = static_cast<uint32_t>(kw_get_u(&b));
        o.n_fences = static_cast<uint32_t>(kw_get_u(&b));
        if (o.n_fences > RC_OBS_MAX) b.bad = 1, o.n_fences = 0;
        for (uint32_t i = 0; i < o.n_fences; ++i) {
            o.fences[i].fence = static_cast<uint32_t>(kw_get_u(&b));
            o.fences[i].usage = kw_get_byte(&b);
        }
        get_list(b, o.callbacks, o.n_callbacks);
        get_list(b, o.released, o.n_released);
        get_list(b, o.deadlines, o.n_deadlines);
        o.slept = static_cast<uint32_t>(kw_get_u(&b));
        if (b.bad || b.pos != b.len) {
            out.status = Observation::Status::Bug;
            out.message = "resvcheck.ko sent a malformed reply";
            return;
        }
        decode_observation(o, out);
    }

    Located loc_;
    kmod::VmOptions vo_;
    std::unique_ptr<kmod::Vm> vm_;
    std::string release_, profile_ = "contract", boot_error_;
    uint8_t kinds_[KW_KINDS / 8] = {};
    std::vector<uint8_t> req_;
    uint64_t answered_ = 0;  // frames resvcheck.ko answered in this VM (its count in Vm::dying_write)
    std::vector<std::vector<uint8_t>> replies_;
    resvcheck_obs obs_{};
    std::vector<Unavailable> unavailable_;
};

}  // namespace

Status prepare_kmod(const KmodOptions& o) {
    auto l = locate(o);
    if (!l) return l.error();
    return ok();
}

Expected<std::unique_ptr<Adapter>> make_kmod_adapter(const KmodOptions& o) {
    auto l = locate(o);
    if (!l) return l.error();
    auto a = std::make_unique<KmodAdapter>(std::move(*l), o);
    if (auto st = a->boot(); !st) return st.error();
    return std::unique_ptr<Adapter>(std::move(a));
}

}  // namespace resvcheck
