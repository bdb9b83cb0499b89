#include "options.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace resvcheck::cli {
namespace {

enum class Kind { Text, Switch, Seconds, Count, Seed, Choice };

struct FlagDesc {
    std::string_view name;
    Kind kind;
    std::string_view value;  // placeholder, or the choices for Choice
    std::string_view help;
    // Parses `v` into the field of `o`: "" or what was expected.
    std::string (*set)(Options& o, std::string_view v);
};

Error bad(std::string m) { return Error{ErrorKind::Usage, std::move(m)}; }

bool decimal(std::string_view v, uint64_t& out) {
    if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos) return false;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc() && p == v.data() + v.size();
}

// Each type's parser: "" or what was expected, as the error text after "--name needs ".
std::string parse(std::string_view, bool& out, std::string_view) {
    out = true;  // a switch: present
    return "";
}
std::string parse(std::string_view v, std::string& out, std::string_view) {
    out = v;
    return "";
}
std::string parse(std::string_view v, double& out, std::string_view) {
    // Plain decimal notation only: no sign, exponent, hex, inf or nan.
    size_t dot = v.find('.');
    std::string_view whole = v.substr(0, dot), frac = dot == std::string_view::npos ? std::string_view{} : v.substr(dot + 1);
    auto digits = [](std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; };
    if (v.empty() || !digits(whole) || !digits(frac) || (whole.empty() && frac.empty()) || (dot != std::string_view::npos && frac.empty()))
        return "a positive number of seconds such as 20 or 0.5";
    out = std::stod(std::string(v));
    if (!(out > 0) || !std::isfinite(out)) return "a positive number of seconds such as 20 or 0.5";
    return "";
}
std::string parse(std::string_view v, uint64_t& out, std::string_view) {
    if (!decimal(v, out) || out == 0) return "a whole number of at least 1";
    return "";
}
std::string parse(std::string_view v, std::optional<uint64_t>& out, std::string_view) {
    uint64_t x;
    if (!decimal(v, x)) return "a whole number from 0 to 18446744073709551615";
    out = x;
    return "";
}
std::string parse_choice(std::string_view v, std::string& out, std::string_view choices) {
    for (size_t start = 0; start <= choices.size();) {
        size_t bar = choices.find('|', start);
        if (bar == std::string_view::npos) bar = choices.size();
        if (choices.substr(start, bar - start) == v) {
            out = v;
            return "";
        }
        start = bar + 1;
    }
    return "one of " + std::string(choices);
}

#define KIND_Text Kind::Text
#define KIND_Switch Kind::Switch
#define KIND_Seconds Kind::Seconds
#define KIND_Count Kind::Count
#define KIND_Seed Kind::Seed
#define KIND_Choice Kind::Choice
#define PARSER_Text parse
#define PARSER_Switch parse
#define PARSER_Seconds parse
#define PARSER_Count parse
#define PARSER_Seed parse
#define PARSER_Choice parse_choice

constexpr FlagDesc kFlags[] = {
#define FLAG(field, name, type, value, dflt, help) \
    {name, KIND_##type, value, help, [](Options& o, std::string_view v) { return PARSER_##type(v, o.field, value); }},
#include "options.def"
#undef FLAG
};

}  // namespace

Expected<Options> parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (!a.starts_with("--")) {
            if (o.command.empty()) o.command = a;
            else o.args.emplace_back(a);
            continue;
        }
        std::string_view inline_value;
        bool has_inline = false;
        if (auto eq = a.find('='); eq != std::string_view::npos) {
            inline_value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_inline = true;
        }
        const FlagDesc* f = nullptr;
        for (const auto& d : kFlags)
            if (d.name == a) f = &d;
        if (!f) return bad("unknown option " + std::string(a) + "\n" + flags_help());
        std::string_view v;
        if (f->kind == Kind::Switch) {
            if (has_inline) return bad(std::string(a) + " takes no value");
        } else if (has_inline) {
            v = inline_value;
        } else {
            if (i + 1 >= argc) return bad(std::string(a) + " needs a value (" + std::string(f->value) + ")");
            v = argv[++i];
        }
        if (auto want = f->set(o, v); !want.empty()) return bad(std::string(a) + " needs " + want + ", got '" + std::string(v) + "'");
    }
    return o;
}

std::string flags_help() {
    std::string s = "options:\n";
    for (const auto& d : kFlags) {
        std::string left = "  " + std::string(d.name) + (d.value.empty() ? "" : " " + std::string(d.value));
        if (left.size() < 24) left.resize(24, ' ');
        s += left + " " + std::string(d.help) + "\n";
    }
    return s;
}

}  // namespace resvcheck::cli
