// options.h - parsed command line: a command, its positional arguments and the flags of options.def.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace resvcheck::cli {

struct Options {
    std::string command;
    std::vector<std::string> args;
#define FLAG(field, name, value, help) std::string field;
#include "options.def"
#undef FLAG
};

// Parses argv; returns a message on a usage error.
std::variant<Options, std::string> parse_options(int argc, char** argv);
std::string flags_help();

}  // namespace resvcheck::cli
