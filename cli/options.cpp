#include "options.h"

#include <string_view>

namespace resvcheck::cli {
namespace {

struct FlagDesc {
    std::string_view name;
    std::string_view value;
    std::string_view help;
    std::string Options::*field;
};

constexpr FlagDesc kFlags[] = {
#define FLAG(field, name, value, help) {name, value, help, &Options::field},
#include "options.def"
#undef FLAG
};

}  // namespace

std::variant<Options, std::string> parse_options(int argc, char** argv) {
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
        if (!f) return "unknown option " + std::string(a) + "\n" + flags_help();
        if (f->value.empty()) {
            if (has_inline) return std::string(a) + " takes no value";
            o.*(f->field) = "1";
        } else if (has_inline) {
            o.*(f->field) = inline_value;
        } else {
            if (i + 1 >= argc) return std::string(a) + " needs a value (" + std::string(f->value) + ")";
            o.*(f->field) = argv[++i];
        }
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
