// The trace text format: printing then parsing is the identity, and bad input gets a located
// error, never a crash.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>

#include "model.h"
#include "properties.h"
#include "text_format.h"

using namespace resvcheck;
namespace hana = boost::hana;

namespace {

// Any op with any field values (not only valid ones): the format must carry them all.
Op arbitrary_op() {
    size_t kind = *rc::gen::inRange<size_t>(0, kOpKinds);
    Op op = [&]<size_t... I>(std::index_sequence<I...>) {
        Op out;
        ((I == kind ? (out = std::variant_alternative_t<I, Op>{}, 0) : 0), ...);
        return out;
    }(std::make_index_sequence<kOpKinds>{});
    std::visit(
        [](auto& o) {
            using O = std::decay_t<decltype(o)>;
            hana::for_each(hana::accessors<O>(), [&](auto pair) {
                auto& f = hana::second(pair)(o);
                using F = std::decay_t<decltype(f)>;
                if constexpr (requires { F::opt_kind; }) {
                    if (*rc::gen::arbitrary<bool>()) f.h = Handle<F::opt_kind>{*rc::gen::inRange<uint32_t>(0, 1000)};
                } else if constexpr (requires { F::kind; }) {
                    f.id = *rc::gen::inRange<uint32_t>(0, 100000);
                } else if constexpr (std::is_same_v<F, Usage>) {
                    f = static_cast<Usage>(*rc::gen::inRange(0, kUsages));
                } else {
                    f = *rc::gen::arbitrary<F>();
                }
            });
        },
        op);
    return op;
}

Observation arbitrary_observation(const Op& op) {
    Observation o;
    switch (op_ret(op)) {
    case RetKind::None: break;
    case RetKind::Bool: o.ret = *rc::gen::inRange(0, 2); break;
    case RetKind::Usage: o.ret = *rc::gen::inRange(0, kUsages); break;
    case RetKind::Ctx: o.ret = *rc::gen::inRange(-1, 50); break;
    case RetKind::Errno: o.ret = *rc::gen::arbitrary<int64_t>(); break;
    }
    auto n = *rc::gen::inRange(0, 4);
    for (int i = 0; i < n && op_yields(op) != Yields::Nothing; ++i)
        o.fences.push_back({FenceH{*rc::gen::inRange<uint32_t>(0, 99)},
                            op_yields(op) == Yields::Entries ? static_cast<Usage>(*rc::gen::inRange(0, kUsages)) : Usage::KERNEL});
    if (op_is_iterator_step(op) || op_yields(op) == Yields::Entries) o.restarted = *rc::gen::arbitrary<bool>();
    if (op_yields(op) == Yields::Fences) o.container = *rc::gen::arbitrary<bool>();
    o.warnings = *rc::gen::inRange(0, 3);
    for (int i = *rc::gen::inRange(0, 3); i > 0; --i) o.callbacks.push_back(CbH{*rc::gen::inRange<uint32_t>(0, 9)});
    for (int i = *rc::gen::inRange(0, 3); i > 0; --i) o.released.push_back(FenceH{*rc::gen::inRange<uint32_t>(0, 9)});
    for (int i = *rc::gen::inRange(0, 3); i > 0; --i) o.deadlines.push_back(FenceH{*rc::gen::inRange<uint32_t>(0, 9)});
    return o;
}

}  // namespace

RC_GTEST_PROP(TextFormat, PrintThenParseIsIdentity, ()) {
    Trace t;
    auto n = *rc::gen::inRange(1, 30);
    for (int i = 0; i < n; ++i) {
        Op op = arbitrary_op();
        std::optional<Observation> pin;
        if (*rc::gen::arbitrary<bool>()) pin = arbitrary_observation(op);
        t.steps.push_back({op, pin, {}, 0});
    }
    std::string text = print_trace(t);
    auto parsed = parse_trace(text, "generated");
    RC_ASSERT(static_cast<bool>(parsed));
    const Trace& back = (*parsed);
    RC_ASSERT(back.steps.size() == t.steps.size());
    for (size_t i = 0; i < t.steps.size(); ++i) {
        RC_ASSERT(back.steps[i].op == t.steps[i].op);
        if (t.steps[i].pin) {
            std::string want = print_observation(t.steps[i].op, *t.steps[i].pin);
            RC_ASSERT(want.empty() == !back.steps[i].pin.has_value());
            if (back.steps[i].pin) RC_ASSERT(*back.steps[i].pin == *t.steps[i].pin);
        }
    }
    RC_ASSERT(print_trace(back) == text);
}

// Traces the decoder builds are valid for the model and round-trip too.
RC_GTEST_PROP(TextFormat, DecodedTracesRoundTrip, (const std::vector<Record>& records)) {
    Trace t = decode_records(records, weights_for("all"), *profile_by_name("linux-6.12"));
    auto parsed = parse_trace(print_trace(t));
    RC_ASSERT(static_cast<bool>(parsed));
    RC_ASSERT(print_trace((*parsed)) == print_trace(t));
}

RC_GTEST_PROP(TextFormat, GarbageGetsALocatedErrorOrParses, (const std::string& text)) {
    auto r = parse_trace(text, "garbage");
    if (!r) {
        const Error* e = &r.error();
        RC_ASSERT(e->line >= 1);
        RC_ASSERT(e->col >= 1);
        RC_ASSERT(!e->message.empty());
    }
}

struct BadCase {
    const char* text;
    int line, col;
    const char* expected;
};

TEST(TextFormat, ErrorsNameLineColumnAndWhatWasExpected) {
    const BadCase cases[] = {
        {"resv_init r0\nresv_add_fence r0 f1 WRTE\n", 2, 22, "expected a usage"},
        {"fence_init f0 cb0\n", 1, 15, "expected a fence context handle"},
        {"resv_lokc r0\n", 1, 1, "expected an operation name such as resv_lock"},
        {"resv_lock r0 => maybe\n", 1, 17, "expected a return value"},
        {"resv_for_each_fence r0 READ => {f0:READ f1:READ}\n", 1, 41, "expected ',' or '}'"},
        {"fence_init f0 c0 seqno=x\n", 1, 24, "expected a number after 'seqno='"},
        {"resv_unlock r0 r1\n", 1, 16, "expected end of 'resv_unlock' arguments"},
    };
    for (const auto& c : cases) {
        auto r = parse_trace(c.text, "bad.trace");
        ASSERT_FALSE(r) << c.text;
        const auto& e = r.error();
        EXPECT_EQ(e.line, c.line) << c.text << e.text();
        EXPECT_EQ(e.col, c.col) << c.text << e.text();
        EXPECT_NE(e.message.find(c.expected), std::string::npos) << e.text();
        EXPECT_EQ(e.text().rfind("bad.trace:" + std::to_string(c.line) + ":" + std::to_string(c.col) + ": ", 0), 0u);
    }
}

TEST(TextFormat, SymbolicErrnosAndHexSeqnos) {
    auto r = parse_trace("fence_init f0 c0 seqno=0xffffffff\nresv_lock r0 a1 => -EDEADLK\n");
    ASSERT_TRUE(r);
    const auto& t = *r;
    EXPECT_EQ(std::get<FenceInit>(t.steps[0].op).seqno, 0xffffffffu);
    EXPECT_EQ(t.steps[1].pin->ret, -EDEADLK);
    EXPECT_EQ(print_op(t.steps[0].op), "fence_init f0 c0 seqno=0xffffffff");
}
