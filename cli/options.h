// options.h - the parsed command line: a command, its positional arguments and the flags of
// options.def, already typed and range-checked (a bad value is an Error, exit status 2).
//
//   auto o = parse_options(argc, argv);
//   if (!o) return fail(o.error());     // "--time needs a positive number of seconds, got 'nan'"
//   double budget = o->time;            // 20 unless given
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "error.h"

namespace resvcheck::cli {

// The C++ type of each flag type of options.def.
namespace flag_type {
using Text = std::string;
using Switch = bool;
using Seconds = double;
using Count = uint64_t;
using Seed = std::optional<uint64_t>;
using Choice = std::string;
}  // namespace flag_type
inline constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

struct Options {
    std::string command;
    std::vector<std::string> args;
#define FLAG(field, name, type, value, dflt, help) flag_type::type field = dflt;
#include "options.def"
#undef FLAG
};

Expected<Options> parse_options(int argc, char** argv);
std::string flags_help();

}  // namespace resvcheck::cli
