#include "text_format.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fields.h"

namespace resvcheck {
namespace {

constexpr std::string_view handle_kind_word(HandleKind k) {
    switch (k) {
    case HandleKind::Resv: return "a reservation object";
    case HandleKind::Fence: return "a fence";
    case HandleKind::Ctx: return "a fence context";
    case HandleKind::Iter: return "an iterator";
    case HandleKind::Acq: return "an acquire context";
    case HandleKind::Cb: return "a callback";
    }
    return "?";
}

struct ErrnoName {
    int value;
    std::string_view name;
};
constexpr ErrnoName kErrnos[] = {
    {EINVAL, "EINVAL"}, {ENOENT, "ENOENT"}, {EDEADLK, "EDEADLK"}, {EALREADY, "EALREADY"},
    {EINTR, "EINTR"},   {ENOMEM, "ENOMEM"}, {EBUSY, "EBUSY"},     {ETIME, "ETIME"},
    {EIO, "EIO"},       {512, "ERESTARTSYS"},
};

std::string print_number(std::string_view field, auto v) {
    using T = decltype(v);
    std::string s;
    if constexpr (std::is_unsigned_v<T>) {
        if (v >= 0x10000) {
            char buf[32];
            auto r = std::to_chars(buf, buf + sizeof buf, static_cast<uint64_t>(v), 16);
            s = "0x" + std::string(buf, r.ptr);
        } else {
            s = std::to_string(v);
        }
    } else if (field == "error" && v < 0) {
        s = errno_name(v);
    } else {
        s = std::to_string(v);
    }
    return s;
}

// A cursor over one line that knows its column, for error messages.
class Cursor {
public:
    Cursor(std::string_view text, std::string_view file, int line) : text_(text), file_(file), line_(line) {}

    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r')) ++pos_;
    }
    bool at_end() {
        skip_space();
        return pos_ >= text_.size();
    }
    // The next whitespace/brace/comma-delimited word, without consuming it.
    std::string_view peek_word() {
        skip_space();
        size_t e = pos_;
        while (e < text_.size() && !std::strchr(" \t\r{},", text_[e])) ++e;
        return text_.substr(pos_, e - pos_);
    }
    std::string_view take_word() {
        auto w = peek_word();
        pos_ += w.size();
        return w;
    }
    bool take_char(char c) {
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool starts_with(std::string_view s) {
        skip_space();
        return text_.substr(pos_).starts_with(s);
    }
    void advance(size_t n) { pos_ += n; }
    int col() const { return static_cast<int>(pos_) + 1; }

    Error error(std::string expected) {
        skip_space();
        std::string found = pos_ >= text_.size() ? "end of line" : "'" + std::string(peek_word().empty() ? text_.substr(pos_, 1) : peek_word()) + "'";
        return Error{ErrorKind::Parse, "expected " + expected + ", found " + found, std::string(file_), line_, col()};
    }

private:
    std::string_view text_;
    std::string_view file_;
    int line_;
    size_t pos_ = 0;
};

template <typename Int>
bool parse_int(std::string_view s, Int& out) {
    if (s.empty()) return false;
    bool neg = false;
    if (s[0] == '-') {
        neg = true;
        s.remove_prefix(1);
        if constexpr (std::is_unsigned_v<Int>) return false;
    }
    if (!s.empty() && s[0] == 'E') {  // symbolic errno, only with a minus
        for (const auto& e : kErrnos)
            if (e.name == s && neg) {
                out = static_cast<Int>(-e.value);
                return true;
            }
        return false;
    }
    int base = 10;
    if (s.starts_with("0x") || s.starts_with("0X")) {
        base = 16;
        s.remove_prefix(2);
    }
    uint64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return false;
    if constexpr (std::is_same_v<Int, bool>) {
        if (v > 1 || neg) return false;
        out = v != 0;
    } else if constexpr (std::is_signed_v<Int>) {
        if (v > static_cast<uint64_t>(std::numeric_limits<Int>::max()) + (neg ? 1 : 0)) return false;
        out = neg ? static_cast<Int>(-static_cast<int64_t>(v)) : static_cast<Int>(v);
    } else {
        if (v > std::numeric_limits<Int>::max()) return false;
        out = static_cast<Int>(v);
    }
    return true;
}

template <HandleKind K>
bool parse_handle(std::string_view w, Handle<K>& h) {
    auto p = handle_prefix(K);
    if (!w.starts_with(p)) return false;
    w.remove_prefix(p.size());
    if (w.empty() || !std::isdigit(static_cast<unsigned char>(w[0]))) return false;
    uint32_t id;
    if (!parse_int(w, id) || w.starts_with("0x")) return false;
    h.id = id;
    return true;
}

bool parse_usage(std::string_view w, Usage& u) {
    for (int i = 0; i < kUsages; ++i)
        if (usage_name(static_cast<Usage>(i)) == w) {
            u = static_cast<Usage>(i);
            return true;
        }
    return false;
}

template <HandleKind K>
std::string handle_text(Handle<K> h) {
    return std::string(handle_prefix(K)) + std::to_string(h.id);
}

// "resv_add_fence r<N> f<N> KERNEL|WRITE|READ|BOOKKEEP": what a parse error shows as expected.
struct Signature : FieldVisitor {
    std::string s;
    template <HandleKind K>
    void handle(const char* name, const Handle<K>&) {
        // "dst:r<N> src:r<N>" where the field's name says more than its kind
        s += " " + (std::string(name) == handle_prefix(K) ? std::string() : std::string(name) + ":") + std::string(handle_prefix(K)) + "<N>";
    }
    template <HandleKind K>
    void opt_handle(const char*, const OptHandle<K>&) { s += " [" + std::string(handle_prefix(K)) + "<N>]"; }
    void usage(const char*, Usage) { s += " KERNEL|WRITE|READ|BOOKKEEP"; }
    void flag(const char* name, bool) { s += " [" + std::string(name) + "=0|1]"; }
    void number(const char* name, auto) { s += " [" + std::string(name) + "=N]"; }
};

template <typename O>
std::string signature_of() {
    Signature sig{{}, std::string(O::name)};
    const O o{};
    visit_fields(o, sig);
    return sig.s;
}

template <typename O>
struct FieldParserV : FieldVisitor {
    Cursor& c;
    std::optional<Error> err;
    explicit FieldParserV(Cursor& cur) : c(cur) {}

    template <HandleKind K>
    void handle(const char* fname, Handle<K>& field) {
        if (err) return;
        if (!parse_handle(c.peek_word(), field))
            err = c.error(std::string(handle_kind_word(K)) + " handle " + std::string(handle_prefix(K)) + "<N> for '" + fname +
                          "' (" + signature_of<O>() + ")");
        else
            c.take_word();
    }
    template <HandleKind K>
    void opt_handle(const char*, OptHandle<K>& field) {
        if (err) return;
        Handle<K> a;
        if (c.peek_word() == "-") {  // absent, written because a later optional handle is present
            c.take_word();
        } else if (parse_handle(c.peek_word(), a)) {
            c.take_word();
            field.h = a;
        }
    }
    void usage(const char* fname, Usage& field) {
        if (err) return;
        if (!parse_usage(c.peek_word(), field))
            err = c.error(std::string("a usage KERNEL, WRITE, READ or BOOKKEEP for '") + fname + "'");
        else
            c.take_word();
    }
    void flag(const char* fname, bool& field) { keyed(fname, field); }
    void number(const char* fname, auto& field) { keyed(fname, field); }
    // `name=value`, optional
    void keyed(const char* fname, auto& field) {
        if (err) return;
        std::string key = std::string(fname) + "=";
        if (!c.starts_with(key)) return;
        c.advance(key.size());
        if (!parse_int(c.peek_word(), field))
            err = c.error(std::is_same_v<std::remove_cvref_t<decltype(field)>, bool> ? std::string("0 or 1 after '") + key + "'"
                                                                                       : std::string("a number after '") + key + "'");
        else
            c.take_word();
    }
};

template <typename O>
Expected<Op> parse_fields(Cursor& c) {
    O o{};
    FieldParserV<O> p{c};
    visit_fields(o, p);
    if (p.err) return *p.err;
    return Op{o};
}

using FieldParser = Expected<Op> (*)(Cursor&);
template <size_t... I>
constexpr std::array<FieldParser, kOpKinds> make_parsers(std::index_sequence<I...>) {
    return {&parse_fields<std::variant_alternative_t<I, Op>>...};
}
constexpr auto kParsers = make_parsers(std::make_index_sequence<kOpKinds>{});

template <size_t... I>
std::array<std::string, kOpKinds> make_signatures(std::index_sequence<I...>) {
    return {signature_of<std::variant_alternative_t<I, Op>>()...};
}

std::string closest_op_names(std::string_view w) {
    std::string out;
    for (size_t i = 0; i < kOpKinds; ++i) {
        auto n = op_kind_name(i);
        auto stem = w.substr(0, std::min<size_t>(w.size(), 6));
        if (!stem.empty() && n.starts_with(stem)) out += (out.empty() ? "" : ", ") + std::string(n);
    }
    return out;
}

Expected<Op> parse_op_at(Cursor& c) {
    auto w = c.peek_word();
    int kind = op_kind_by_name(w);
    if (kind < 0) {
        auto near = closest_op_names(w);
        return c.error("an operation name" + (near.empty() ? std::string(" (see 'resvcheck list-ops')") : " such as " + near));
    }
    c.take_word();
    auto r = kParsers[kind](c);
    if (!r) return r;
    if (!c.at_end() && !c.starts_with("=>") && !c.starts_with("#") && !c.starts_with("@t") && !c.starts_with("@misuse"))
        return c.error("end of '" + std::string(w) + "' arguments (" + op_signature(kind) + ")");
    return r;
}

// ---- observations ----------------------------------------------------------------------------

template <typename H>
bool parse_handle_list(Cursor& c, std::vector<H>& out, std::optional<Error>& err) {
    // after the opening '{'
    if (c.take_char('}')) return true;
    for (;;) {
        H h;
        if (!parse_handle(c.peek_word(), h)) {
            err = c.error(std::string(handle_kind_word(H::kind)) + " handle");
            return false;
        }
        c.take_word();
        out.push_back(h);
        if (c.take_char('}')) return true;
        if (!c.take_char(',')) {
            err = c.error("',' or '}'");
            return false;
        }
    }
}

Expected<Observation> parse_observation(Cursor& c, const Op& op) {
    Observation o;
    std::optional<Error> err;
    RetKind rk = op_ret(op);
    Yields y = op_yields(op);
    if (rk != RetKind::None) {
        auto w = c.peek_word();
        bool ok = false;
        switch (rk) {
        case RetKind::Errno: ok = parse_int(w, o.ret); break;
        case RetKind::Bool:
            if (w == "true" || w == "false") {
                o.ret = w == "true";
                ok = true;
            }
            break;
        case RetKind::Usage: {
            Usage u;
            ok = parse_usage(w, u);
            o.ret = static_cast<int64_t>(u);
            break;
        }
        case RetKind::Ctx: {
            AcqH a;
            if (w == "none") {
                o.ret = -1;
                ok = true;
            } else if (parse_handle(w, a)) {
                o.ret = a.id;
                ok = true;
            }
            break;
        }
        case RetKind::None: break;
        }
        static constexpr std::string_view kWant[] = {"", "a return value (a number or -EXXX)", "true or false", "a usage",
                                                      "an acquire context handle or none"};
        if (!ok) return c.error(std::string(kWant[static_cast<int>(rk)]) + " for " + std::string(op_name(op)));
        c.take_word();
    }
    if (y != Yields::Nothing) {
        if (!c.take_char('{')) return c.error("a fence list {f0:WRITE, ...} for " + std::string(op_name(op)));
        if (!c.take_char('}')) {
            for (;;) {
                Entry e;
                auto w = c.peek_word();
                auto colon = w.find(':');
                auto hw = y == Yields::Entries ? w.substr(0, colon) : w;
                if (!parse_handle(hw, e.fence)) return c.error("a fence handle");
                if (y == Yields::Entries) {
                    if (colon == std::string_view::npos || !parse_usage(w.substr(colon + 1), e.usage))
                        return c.error("fence:USAGE (e.g. f0:WRITE)");
                }
                c.take_word();
                o.fences.push_back(e);
                if (c.take_char('}')) break;
                if (!c.take_char(',')) return c.error("',' or '}'");
            }
        }
    }
    while (!c.at_end() && !c.starts_with("#")) {
        auto w = c.peek_word();
        if (w == "restarted") {
            o.restarted = true;
            c.take_word();
        } else if (w == "container") {
            o.container = true;
            c.take_word();
        } else if (w == "leaked") {
            o.leaked = true;
            c.take_word();
        } else if (w.starts_with("slept=")) {
            if (!parse_int(w.substr(6), o.slept) || !o.slept) return c.error("a number of jiffies > 0 after slept=");
            c.take_word();
        } else if (w == "BUG") {  // a misuse the kernel catches: the op BUG()s
            o.status = Observation::Status::Bug;
            c.take_word();
        } else if (w == "WARN") {
            o.warnings = 1;
            c.take_word();
        } else if (w.starts_with("WARN*")) {
            if (!parse_int(w.substr(5), o.warnings)) return c.error("a count after WARN*");
            c.take_word();
        } else if (w == "cb" || w == "released" || w == "deadline") {
            c.take_word();
            if (!c.take_char('{')) return c.error("'{' after " + std::string(w));
            bool ok = w == "cb" ? parse_handle_list(c, o.callbacks, err)
                                : parse_handle_list(c, w == "released" ? o.released : o.deadlines, err);
            if (!ok) return *err;
        } else {
            return c.error("restarted, container, leaked, slept=N, cb{...}, released{...}, deadline{...}, WARN, BUG or a '#' comment");
        }
    }
    return o;
}

template <typename H>
void print_handle_list(std::string& s, std::string_view tag, const std::vector<H>& v) {
    if (v.empty()) return;
    s += " ";
    s += tag;
    s += "{";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + handle_text(v[i]);
    s += "}";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string errno_name(int64_t v) {
    for (const auto& e : kErrnos)
        if (v == -e.value) return "-" + std::string(e.name);
    return std::to_string(v);
}

std::string op_signature(size_t kind) {
    static const auto sigs = make_signatures(std::make_index_sequence<kOpKinds>{});
    return kind < kOpKinds ? sigs[kind] : "?";
}

namespace {
struct Printer : FieldVisitor {
    std::string s;
    int absent = 0;  // absent optional handles not yet written: "-" only before a present one
    template <HandleKind K>
    void handle(const char*, const Handle<K>& h) {
        absent = 0;
        s += " " + handle_text(h);
    }
    template <HandleKind K>
    void opt_handle(const char*, const OptHandle<K>& a) {
        if (!a.h) {
            ++absent;
            return;
        }
        for (; absent; --absent) s += " -";
        s += " " + handle_text(*a.h);
    }
    void usage(const char*, Usage u) { s += " " + std::string(usage_name(u)); }
    void flag(const char* name, bool b) {
        if (b) s += " " + std::string(name) + "=1";
    }
    void number(const char* name, auto n) {
        if (n != 0) s += " " + std::string(name) + "=" + print_number(name, n);
    }
};
}  // namespace

std::string print_op(const Op& op) {
    return std::visit(
        [](const auto& o) {
            Printer p{{}, std::string(o.name)};
            visit_fields(o, p);
            return p.s;
        },
        op);
}

std::string print_observation(const Op& op, const Observation& o) {
    std::string s;
    auto add = [&](std::string_view t) {
        if (!s.empty()) s += " ";
        s += t;
    };
    switch (op_ret(op)) {
    case RetKind::None: break;
    case RetKind::Errno: add(o.ret < 0 ? errno_name(o.ret) : std::to_string(o.ret)); break;
    case RetKind::Bool: add(o.ret ? "true" : "false"); break;
    case RetKind::Usage: add(o.ret >= 0 && o.ret < kUsages ? usage_name(static_cast<Usage>(o.ret)) : std::to_string(o.ret)); break;
    case RetKind::Ctx: add(o.ret < 0 ? std::string("none") : "a" + std::to_string(o.ret)); break;
    }
    Yields y = op_yields(op);
    if (y != Yields::Nothing) {
        std::string l = "{";
        for (size_t i = 0; i < o.fences.size(); ++i) {
            l += (i ? ", " : "") + handle_text(o.fences[i].fence);
            if (y == Yields::Entries) l += ":" + std::string(usage_name(o.fences[i].usage));
        }
        add(l + "}");
    }
    if (o.restarted) add("restarted");
    if (o.container) add("container");
    if (o.leaked) add("leaked");
    if (o.slept) add("slept=" + std::to_string(o.slept));
    std::string tail;
    print_handle_list(tail, "cb", o.callbacks);
    print_handle_list(tail, "released", o.released);
    print_handle_list(tail, "deadline", o.deadlines);
    if (!tail.empty()) add(tail.substr(1));
    if (o.warnings == 1) add("WARN");
    if (o.warnings > 1) add("WARN*" + std::to_string(o.warnings));
    if (o.status == Observation::Status::Bug) add("BUG # " + o.message);
    if (o.status == Observation::Status::Unsupported) add("# unsupported");
    // The process running the op ended: its reason only (the stderr tail follows on other lines).
    const char* ended = o.status == Observation::Status::Crash ? "# CRASH: "
                        : o.status == Observation::Status::Hang ? "# HANG: "
                        : o.status == Observation::Status::OutOfMemory ? "# OOM: " : nullptr;
    if (ended) add(ended + o.message.substr(0, o.message.find('\n')));
    return s;
}

std::string print_trace(const Trace& t) {
    std::string out;
    for (const auto& h : t.header) out += "#" + h + "\n";
    if (!t.schedule.empty()) {
        out += "@schedule";
        for (auto th : t.schedule) out += " " + std::to_string(th);
        out += "\n";
    }
    for (const auto& st : t.steps) {
        std::string line = print_op(st.op);
        if (st.thread >= 0) line += " @t" + std::to_string(st.thread);
        if (st.misuse) line += " @misuse";
        // An empty pin ("nothing to report") adds nothing the model does not check anyway.
        if (std::string obs = st.pin ? print_observation(st.op, *st.pin) : ""; !obs.empty()) {
            if (line.size() < 40) line.resize(40, ' ');
            line += " => " + obs;
        }
        if (!st.comment.empty()) line += "  #" + st.comment;
        out += line + "\n";
    }
    return out;
}

Expected<Op> parse_op(std::string_view line, std::string_view file, int lineno) {
    Cursor c(line, file, lineno);
    return parse_op_at(c);
}

Expected<Trace> parse_trace(std::string_view text, std::string_view file) {
    Trace t;
    int lineno = 0;
    bool in_header = true;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++lineno;
        if (raw.find('\0') != std::string_view::npos)
            return Error{ErrorKind::Parse, "expected text, found a NUL byte", std::string(file), lineno, static_cast<int>(raw.find('\0')) + 1};
        auto body = trim(raw);
        if (body.empty()) {
            in_header = in_header && t.header.empty();
            continue;
        }
        if (body[0] == '#') {
            if (in_header) t.header.emplace_back(trim(raw).substr(1));
            continue;
        }
        in_header = false;
        Cursor c(raw, file, lineno);
        if (c.starts_with("@schedule")) {
            c.advance(9);
            while (!c.at_end() && !c.starts_with("#")) {
                unsigned th = 0;
                if (!parse_int(c.peek_word(), th) || th >= kMaxThreads) return c.error("a thread number 0.." + std::to_string(kMaxThreads - 1));
                c.take_word();
                t.schedule.push_back(static_cast<uint8_t>(th));
            }
            continue;
        }
        auto r = parse_op_at(c);
        if (!r) return r.error();
        TraceStep st{std::move(*r), std::nullopt, {}, lineno};
        if (c.starts_with("@t")) {
            c.advance(2);
            unsigned th = 0;
            if (!parse_int(c.peek_word(), th) || th >= kMaxThreads) return c.error("a thread number 0.." + std::to_string(kMaxThreads - 1) + " after '@t'");
            c.take_word();
            st.thread = static_cast<int8_t>(th);
        }
        if (c.starts_with("@misuse")) {
            if (st.thread >= 0) return c.error("'=>', '#' or the end of the line: a misuse op runs sequentially, without '@tN'");
            c.advance(7);
            st.misuse = true;
        }
        if (!c.at_end() && !c.starts_with("=>") && !c.starts_with("#"))
            return c.error(st.misuse ? "'=>', '#' or the end of the line after '@misuse'" : "'@misuse', '=>', '#' or the end of the line");
        if (c.starts_with("=>")) {
            c.advance(2);
            auto o = parse_observation(c, st.op);
            if (!o) return o.error();
            st.pin = std::move(*o);
        }
        if (c.take_char('#')) {
            auto pos = static_cast<size_t>(c.col() - 1);
            st.comment = std::string(raw.substr(pos));
            while (!st.comment.empty() && (st.comment.back() == '\r' || st.comment.back() == ' ')) st.comment.pop_back();
        }
        t.steps.push_back(std::move(st));
    }
    return t;
}

Expected<Trace> load_trace(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return Error{ErrorKind::Io, "is a directory; give a trace file", path};
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{ErrorKind::Io, "cannot open the file", path};
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_trace(ss.str(), path);
}

}  // namespace resvcheck
