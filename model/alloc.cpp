// Allocation failure (rule area alloc): fail_alloc arms the nth allocation of the next op. The
// allocating ops decide in their own files what they allocate and what failing means
// (reserve_add.cpp, query.cpp, containers.cpp); ALLOC-NO-LEAK is judged for every op in model.cpp.
#include "detail/op_rules.h"

namespace resvcheck::detail {

bool pre(Pre& p, const FailAlloc& o) {
    return (o.nth >= 1 && o.nth <= 4) || p.fail("fail_alloc nth=1..4 (the nth allocation of the next op)");
}
void run(State& s, const FailAlloc& o) { s.fail_next = o.nth; }

}  // namespace resvcheck::detail

namespace resvcheck {

bool Model::State::alloc_may_fail(Rule r, RetKind k, int64_t failed, int64_t ok) {
    if (fail_at == 0 || alloc_seen + 1 != fail_at) return false;
    if (expect_ret_any(r, k, {failed, ok}) != failed) return false;
    ++alloc_seen;
    return true;
}

}  // namespace resvcheck
