// text_format.h - the trace text format: one op a line, `#` comments, optional pinned observation.
//
//   # an older fence of the same context must not evict a newer one
//   fence_context_alloc c0
//   fence_init f0 c0 seqno=2
//   resv_init r0
//   resv_lock r0                      => 0
//   resv_reserve_fences r0 num_fences=2 => 0
//   resv_add_fence r0 f0 WRITE
//   resv_for_each_fence r0 BOOKKEEP   => {f0:WRITE}
//
// `@tN` puts the op on thread N, `@misuse` marks a deliberate misuse (see TraceStep).
// `=> observation` pins what the op must observe (regression files pin every step). Observation
// syntax: a return value (0, -EDEADLK, true, 3, READ, a0, none), a fence list `{f0:WRITE, f1}`,
// then flags and side effects: `restarted`, `container`, `cb{cb0}`, `released{f1}`,
// `deadline{f0}`, `WARN` / `WARN*2`, `BUG` (a misuse the kernel catches). Parse errors carry file:line:col and what was expected.
// Printing a parsed trace and parsing it again yields the same trace.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "error.h"
#include "observation.h"
#include "ops.h"

namespace resvcheck {

inline constexpr unsigned kMaxThreads = 8;  // threads of one concurrent block (runnable masks are bytes)

struct TraceStep {
    Op op;
    std::optional<Observation> pin;  // the observation this step must produce
    std::string comment;             // trailing `# ...` on the line, kept for printing
    int line = 0;                    // 1-based source line, 0 if generated
    int8_t thread = -1;              // `@tN`: runs on thread N of its concurrent block; -1 sequential
    // `@misuse`: deliberately breaks a precondition the kernel catches with a BUG or WARN
    // (Model::misuse); sequential only. Unmarked, such an op is a set-up error.
    bool misuse = false;
};

// The step's op as a new trace's step: no pin, comment or line; its misuse mark kept.
inline TraceStep unpinned(const TraceStep& st) {
    TraceStep s{st.op};
    s.misuse = st.misuse;
    return s;
}

struct Trace {
    std::vector<std::string> header;  // leading comment lines (without '#')
    std::vector<TraceStep> steps;
    // `@schedule 0 1 1 0`: the thread chosen at each switch point where more than one can run, over
    // the concurrent blocks (maximal runs of tagged steps) in order; past its end the running
    // thread keeps running. Part of the trace, so a concurrent finding replays exactly.
    std::vector<uint8_t> schedule;
};

std::string print_op(const Op& op);
std::string print_observation(const Op& op, const Observation& obs);
std::string print_trace(const Trace& trace);

Expected<Op> parse_op(std::string_view line, std::string_view file = "<op>", int lineno = 1);
Expected<Trace> parse_trace(std::string_view text, std::string_view file = "<trace>");
Expected<Trace> load_trace(const std::string& path);

// "resv_add_fence r<N> f<N> USAGE" for every op: for help texts and error messages.
std::string op_signature(size_t kind);

std::string errno_name(int64_t value);  // "-EDEADLK", or the number

}  // namespace resvcheck
