// result_json.h - reads back what `check`, `replay` and `fuzz --json` printed, as the Report the
// views render (cli/report.h), so the HTML, JUnit and KTAP of many runs come from the same result.
//
//   auto r = load_result("sim.json");   // an Error (exit 2) if it is not a resvcheck result
//   render_html({*r, ...});
#pragma once

#include <string>
#include <vector>

#include "error.h"
#include "report.h"

namespace resvcheck::report {

struct LoadedResult {
    cli::Report report;
    std::string file;                     // where it was read from
    std::vector<std::string> trace_text;  // per finding: the minimal trace file's text ("" if none)
    std::vector<std::string> unknown_rules;  // rule IDs this resvcheck does not know (a newer run)
};

Expected<LoadedResult> load_result(const std::string& path);

}  // namespace resvcheck::report
