#include "isolated_adapter.h"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <type_traits>

#include "text_format.h"

namespace resvcheck {
namespace {

// The child is a fork of this very program, so an op travels as its own bytes: no per-op codec.
static_assert(std::is_trivially_copyable_v<Op>);
static_assert(std::is_trivially_copyable_v<Entry> && std::is_trivially_copyable_v<CbH> && std::is_trivially_copyable_v<FenceH>);

constexpr char kReset = 'R', kApply = 'A', kBlock = 'B';

// ---- framing: u32 length, then the payload -------------------------------------------------------
template <typename T>
void put(std::string& s, const T& v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
void put_vec(std::string& s, const std::vector<T>& v) {
    put(s, static_cast<uint32_t>(v.size()));
    s.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}
void put_str(std::string& s, std::string_view v) {
    put(s, static_cast<uint32_t>(v.size()));
    s.append(v);
}

struct Reader {
    std::string_view in;
    bool ok = true;
    template <typename T>
    T get() {
        T v{};
        if (in.size() < sizeof v) {
            ok = false;
            return v;
        }
        std::memcpy(&v, in.data(), sizeof v);
        in.remove_prefix(sizeof v);
        return v;
    }
    template <typename T>
    void get_vec(std::vector<T>& v) {
        auto n = get<uint32_t>();
        if (!ok || in.size() / sizeof(T) < n) {
            ok = false;
            return;
        }
        v.resize(n);
        if (n) std::memcpy(v.data(), in.data(), n * sizeof(T));  // an empty vector's data() may be null
        in.remove_prefix(n * sizeof(T));
    }
    std::string get_str() {
        std::vector<char> v;
        get_vec(v);
        return {v.begin(), v.end()};
    }
};

void put_observation(std::string& s, const Observation& o) {
    put(s, o.status);
    put(s, o.ret);
    put(s, static_cast<uint8_t>(o.restarted | o.container << 1 | o.leaked << 2));
    put(s, o.warnings);
    put(s, o.slept);
    put_vec(s, o.fences);
    put_vec(s, o.callbacks);
    put_vec(s, o.released);
    put_vec(s, o.deadlines);
    put_str(s, o.message);
    put_str(s, o.lockdep);
}

void read_observation(Reader& r, Observation& o) {
    o.status = r.get<Observation::Status>();
    o.ret = r.get<int64_t>();
    auto flags = r.get<uint8_t>();
    o.restarted = flags & 1;
    o.container = flags & 2;
    o.leaked = flags & 4;
    o.warnings = r.get<uint32_t>();
    o.slept = r.get<uint32_t>();
    r.get_vec(o.fences);
    r.get_vec(o.callbacks);
    r.get_vec(o.released);
    r.get_vec(o.deadlines);
    o.message = r.get_str();
    o.lockdep = r.get_str();
}
bool get_observation(std::string_view in, Observation& o) {
    Reader r{in};
    read_observation(r, o);
    return r.ok && r.in.empty();
}

// A concurrent block's result travels whole: its observations, then what the scheduler recorded.
void put_block(std::string& s, const Adapter::Block& b) {
    put(s, static_cast<uint32_t>(b.obs.size()));
    for (const auto& o : b.obs) put_observation(s, o);
    put_vec(s, b.start);
    put_vec(s, b.end);
    put_vec(s, b.realised);
    put_vec(s, b.runnable);
    put(s, b.ndefault);
    put(s, static_cast<uint8_t>(b.deadlock));
    put_str(s, b.message);
}
bool get_block(std::string_view in, size_t nops, Adapter::Block& b) {
    Reader r{in};
    auto n = r.get<uint32_t>();
    if (!r.ok || n != nops) return false;
    b.obs.resize(n);
    for (auto& o : b.obs) read_observation(r, o);
    r.get_vec(b.start);
    r.get_vec(b.end);
    r.get_vec(b.realised);
    r.get_vec(b.runnable);
    b.ndefault = r.get<uint32_t>();
    b.deadlock = r.get<uint8_t>();
    b.message = r.get_str();
    return r.ok && r.in.empty() && b.start.size() == n && b.end.size() == n;
}

bool write_all(int fd, const char* p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}
bool send_frame(int fd, std::string_view payload) {
    std::string f;
    put(f, static_cast<uint32_t>(payload.size()));
    f.append(payload);
    return write_all(fd, f.data(), f.size());
}
// Reads n bytes; with a child, each wait is bounded by the deadline and collects its output.
enum class Got { Ok, Eof, Timeout };
Got read_all(int fd, char* p, size_t n, Child* child, std::chrono::steady_clock::time_point deadline) {
    while (n) {
        if (child) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (!child->wait_readable(fd, std::max(left, std::chrono::milliseconds(0)))) return Got::Timeout;
        }
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return Got::Eof;
        p += r;
        n -= static_cast<size_t>(r);
    }
    return Got::Ok;
}
Got recv_frame(int fd, std::string& payload, Child* child, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    uint32_t n;
    if (Got g = read_all(fd, reinterpret_cast<char*>(&n), sizeof n, child, deadline); g != Got::Ok) return g;
    payload.resize(n);
    return read_all(fd, payload.data(), n, child, deadline);
}

// One default-constructed op per kind: support is a property of the op kind (as in the plugin ABI).
template <size_t... I>
std::array<Op, kOpKinds> samples_of(std::index_sequence<I...>) {
    return {Op{std::in_place_index<I>}...};
}
const std::array<Op, kOpKinds>& op_samples() {
    static const auto s = samples_of(std::make_index_sequence<kOpKinds>{});
    return s;
}

// The child: create the adapter, say hello (name, profile, supported kinds, or the set-up error),
// then serve reset and apply until the parent closes the socket.
int serve(int fd, std::string_view name, const AdapterOptions& opts) {
    auto made = make_adapter(name, opts);
    std::string out;
    if (!made) {
        put(out, uint8_t{0});
        put_str(out, made.error().message);
        send_frame(fd, out);
        return 0;
    }
    Adapter& a = **made;
    put(out, uint8_t{1});
    put_str(out, a.name());
    put_str(out, a.default_profile());
    for (const Op& op : op_samples()) put(out, static_cast<uint8_t>(a.supports(op)));
    put(out, static_cast<uint8_t>(a.supports_threads()));
    if (!send_frame(fd, out)) return 0;
    std::string in;
    Observation obs;
    Adapter::Block block;
    while (recv_frame(fd, in, nullptr, {}) == Got::Ok && !in.empty()) {
        out.clear();
        if (in[0] == kReset) {
            a.reset();
        } else if (in[0] == kApply && in.size() == 1 + sizeof(Op)) {
            Op op;
            std::memcpy(static_cast<void*>(&op), in.data() + 1, sizeof op);
            a.apply(op, obs);
            put_observation(out, obs);
        } else if (in[0] == kBlock) {
            Reader r{std::string_view(in).substr(1)};
            std::vector<Op> ops;
            std::vector<uint8_t> threads, schedule;
            r.get_vec(ops);
            r.get_vec(threads);
            r.get_vec(schedule);
            if (!r.ok) return 2;
            a.apply_block(ops, threads, schedule, block);
            put_block(out, block);
        } else {
            return 2;  // cannot happen between two copies of one program
        }
        if (!send_frame(fd, out)) return 0;
    }
    return 0;
}

std::string seconds_text(std::chrono::milliseconds ms) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
    return b;
}

Observation::Status status_of(ChildEnd::Kind k) {
    switch (k) {
    case ChildEnd::Kind::Hang: return Observation::Status::Hang;
    case ChildEnd::Kind::OutOfMemory: return Observation::Status::OutOfMemory;
    case ChildEnd::Kind::Crash:
    case ChildEnd::Kind::Exited: return Observation::Status::Crash;  // the child never exits by itself
    }
    return Observation::Status::Crash;
}

class IsolatedAdapter final : public Adapter {
public:
    IsolatedAdapter(std::string_view name, AdapterOptions opts, IsolationLimits limits)
        : requested_(name), opts_(std::move(opts)), limits_(limits) {}
    ~IsolatedAdapter() override {
        if (sock_ >= 0) close(sock_);  // the child sees EOF; Child's destructor kills and reaps it
    }

    // Starts the first child and learns the adapter's name, profile and supported ops.
    Status start() {
        std::string err;
        if (!start_child(err)) return Error{ErrorKind::Setup, err};
        return ok();
    }

    std::string_view name() const override { return name_; }
    std::string_view default_profile() const override { return profile_; }
    bool supports(const Op& op) const override { return supported_[op.index()]; }
    bool supports_threads() const override { return threads_; }

    void reset() override {
        std::string reply;
        // A child that fails to reset is replaced: what broke it belonged to the previous trace.
        if (child_.running() && exchange(std::string(1, kReset), nullptr, reply)) return;
        if (child_.running()) end_child(nullptr, false, "");
        std::string err;
        if (!start_child(err)) {
            dead_status_ = Observation::Status::Crash;
            dead_message_ = "the implementation's process could not be restarted: " + err;
            return;
        }
        // The fresh child is reset too, as every trace's set-up is: if that kills it, the set-up
        // itself fails, and the trace's first op reports it (dead_status_, dead_message_).
        if (!exchange(std::string(1, kReset), nullptr, reply))
            dead_message_ = "while setting up the trace (the adapter's reset, before op 0): " + dead_message_;
    }

    void apply(const Op& op, Observation& out) override {
        out.clear();
        if (!child_.running()) {
            out.status = dead_status_;
            out.message = "the implementation's process is gone (reset() starts a new one): " + dead_message_;
            return;
        }
        request_.assign(1, kApply);
        request_.append(reinterpret_cast<const char*>(&op), sizeof op);
        if (!exchange(request_, &op, reply_)) {
            out.status = dead_status_;
            out.message = dead_message_;
            return;
        }
        if (!get_observation(reply_, out)) {
            end_child(&op, true, "");
            out.clear();
            out.status = dead_status_ = Observation::Status::Crash;
            out.message = dead_message_ = "during " + print_op(op) + ": the implementation's process sent a malformed answer";
        }
    }

    // The whole block is one exchange under one watchdog: a crash or hang of any of its threads
    // is the block's, reported at its first op.
    void apply_block(std::span<const Op> ops, std::span<const uint8_t> threads, std::span<const uint8_t> schedule,
                     Block& out) override {
        out = Block{};
        auto dead = [&] {
            out = Block{};
            out.obs.resize(ops.size());
            out.start.assign(ops.size(), 0);
            out.end.assign(ops.size(), 0);
            out.obs[0].status = dead_status_;
            out.obs[0].message = "during a concurrent block: " + dead_message_;
        };
        if (ops.empty()) return;
        if (!child_.running()) return dead();
        request_.assign(1, kBlock);
        put_vec(request_, std::vector<Op>(ops.begin(), ops.end()));
        put_vec(request_, std::vector<uint8_t>(threads.begin(), threads.end()));
        put_vec(request_, std::vector<uint8_t>(schedule.begin(), schedule.end()));
        if (!exchange(request_, &ops[0], reply_)) return dead();
        if (!get_block(reply_, ops.size(), out)) {
            end_child(&ops[0], true, "");
            dead_status_ = Observation::Status::Crash;
            dead_message_ = "the implementation's process sent a malformed answer";
            dead();
        }
    }

private:
    bool start_child(std::string& err) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            err = std::string("cannot create a socket pair: ") + strerror(errno);
            return false;
        }
        bool ok = child_.spawn(limits_, sv[1], [this] { return serve(3, requested_, opts_); }, err);
        close(sv[1]);
        if (!ok) {
            close(sv[0]);
            return false;
        }
        sock_ = sv[0];
        std::string hello;
        if (Got g = recv_frame(sock_, hello, &child_, limits_.start_timeout); g != Got::Ok) {
            auto e = end_child(nullptr, g == Got::Timeout, "did not start within " + seconds_text(limits_.start_timeout));
            err = "adapter " + requested_ + " failed while starting in its own process: " + end_text(e.reason, e.stderr_tail);
            return false;
        }
        Reader r{hello};
        if (!r.get<uint8_t>()) {
            err = r.get_str();
            end_child(nullptr, true, "");
            return false;
        }
        name_ = r.get_str();
        profile_ = r.get_str();
        for (auto& s : supported_) s = r.get<uint8_t>();
        threads_ = r.get<uint8_t>();
        return r.ok;
    }

    // Sends one request and waits for the answer within the watchdog; on failure ends the child and
    // records why (dead_status_, dead_message_).
    bool exchange(const std::string& request, const Op* op, std::string& reply) {
        auto wait = limits_.watchdog;
        bool cut = false;
        if (limits_.until) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(limits_.until() - std::chrono::steady_clock::now());
            if (left < wait) wait = std::max(left, std::chrono::milliseconds(0)), cut = true;
        }
        Got g = send_frame(sock_, request) ? recv_frame(sock_, reply, &child_, wait) : Got::Eof;
        if (g == Got::Ok) return true;
        end_child(op, g == Got::Timeout, cut ? "no answer before the run's end" : "no answer within " + seconds_text(wait));
        return false;
    }

    ChildEnd end_child(const Op* op, bool hung, const std::string& hang_reason) {
        close(sock_);
        sock_ = -1;
        ChildEnd e = child_.finish(hung, hung ? hang_reason : "");
        dead_status_ = status_of(e.kind);
        dead_message_ = (op ? "during " + print_op(*op) + ": " : std::string()) + end_text(e.reason, e.stderr_tail);
        return e;
    }

    std::string requested_;
    AdapterOptions opts_;
    IsolationLimits limits_;
    std::string name_, profile_;
    std::array<bool, kOpKinds> supported_{};
    bool threads_ = false;
    Child child_;
    int sock_ = -1;
    std::string request_, reply_;
    Observation::Status dead_status_ = Observation::Status::Crash;
    std::string dead_message_;
};

}  // namespace

Expected<std::unique_ptr<Adapter>> make_isolated_adapter(std::string_view name, const AdapterOptions& opts, const IsolationLimits& limits) {
    // Compile here, not in the child, so the child's start-up limit covers loading, not building.
    if (auto prepared = prepare_adapter(name, opts); !prepared) return prepared.error();
    auto a = std::make_unique<IsolatedAdapter>(name, opts, limits);
    if (auto started = a->start(); !started) return started.error();
    return std::unique_ptr<Adapter>(std::move(a));
}

}  // namespace resvcheck
