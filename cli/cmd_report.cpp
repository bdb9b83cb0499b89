// resvcheck report --html OUT.html [--junit OUT.xml] [--ktap OUT.ktap] RESULT.json...
//
// Reads the --json results of check, replay and fuzz runs and writes their views: the HTML page
// (report/html.h), JUnit XML and KTAP, one suite per result. Exit: 0 written, 2 bad input or I/O.
#include "commands.h"
#include "findings.h"
#include "html.h"
#include "report.h"
#include "result_json.h"

namespace resvcheck::cli {

int cmd_report(const Options& o) {
    if (o.args.empty()) return usage_error("report needs RESULT.json files (the output of check, replay or fuzz with --json)");
    if (o.html.empty() && o.junit.empty() && o.ktap.empty()) return usage_error("report needs at least one of --html, --junit, --ktap");
    std::vector<report::LoadedResult> loaded;
    std::vector<Report> reports;
    for (const auto& path : o.args) {
        auto r = report::load_result(path);
        if (!r) return fail(r.error());
        reports.push_back(r->report);
        loaded.push_back(std::move(*r));
    }
    auto write = [](const std::string& path, const std::string& text) -> int {
        if (path.empty()) return kExitConforms;
        if (auto st = write_atomic(path, text); !st) return fail(st.error());
        fprintf(stderr, "resvcheck report: wrote %s\n", path.c_str());
        return kExitConforms;
    };
    if (int rc = write(o.html, report::render_html(loaded))) return rc;
    if (int rc = write(o.junit, render_junit(reports))) return rc;
    return write(o.ktap, render_ktap(reports));
}

}  // namespace resvcheck::cli
