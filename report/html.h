// html.h - `resvcheck report --html`: many results (check, replay, fuzz) as one self-contained
// HTML page: rule-coverage counts, the fuzz runs' progress, a rule-by-result matrix, each rule's statement and the minimal
// trace of each finding (pins and the failing op marked); the fuzz plot (coverage, corpus size and
// findings over time) is inline SVG. No script, no network: it reads as it prints.
#pragma once

#include <span>
#include <string>

#include "result_json.h"

namespace resvcheck::report {

std::string render_html(std::span<const LoadedResult> results);

}  // namespace resvcheck::report
