// model_test_util.h - helpers for the model unit tests: scenarios are inline trace text.
//
//   auto m = scenario("linux-6.12", R"(
//       fence_context_alloc c0
//       fence_init f0 c0 seqno=1
//   )");
//   EXPECT_EQ(perform(m, "fence_signal f0"), "0");                 // (a) the model's own observation
//   EXPECT_RULE(m, "fence_signal f0", ret(0), "FENCE-SIGNAL-ONCE"); // (b) a wrong one is rejected
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "model.h"
#include "rules.h"
#include "text_format.h"

namespace resvcheck::test {

inline Profile prof(std::string_view name) {
    auto p = profile_by_name(name);
    EXPECT_TRUE(p.has_value()) << "no profile " << name;
    return p ? *p : all_profiles()[0];
}

inline Op op(std::string_view text) {
    auto r = parse_op(text);
    if (!r) {
        ADD_FAILURE() << r.error().text();
        return ResvUsageRw{};
    }
    return (*r);
}

// Performs every step of `text` on `m` (each must meet its preconditions, or be a documented
// misuse marked @misuse); a step with a pin must
// produce exactly the pinned observation.
inline void run_text(Model& m, std::string_view text) {
    auto parsed = parse_trace(text);
    if (!parsed) {
        ADD_FAILURE() << parsed.error().text();
        return;
    }
    for (const auto& st : (*parsed).steps) {
        if (auto why = m.precondition(st.op, st.misuse)) {
            ADD_FAILURE() << "line " << st.line << " (" << print_op(st.op) << "): " << *why;
            return;
        }
        Observation o = m.perform(st.op);
        if (st.pin) {
            EXPECT_EQ(print_observation(st.op, o), print_observation(st.op, *st.pin))
                << "line " << st.line << ": " << print_op(st.op);
        }
    }
}

inline Model scenario(std::string_view profile, std::string_view text) {
    Model m(prof(profile));
    run_text(m, text);
    return m;
}

// The model's own observation of one op, printed as a pin would be.
inline std::string perform(Model& m, std::string_view text) {
    Op o = op(text);
    if (auto why = m.precondition(o)) {
        ADD_FAILURE() << text << ": " << *why;
        return "<precondition>";
    }
    return print_observation(o, m.perform(o));
}

// The model's own observation of one op on a copy of `m` (m is unchanged).
inline std::string peek(const Model& m, std::string_view text) {
    Model copy = m;
    return perform(copy, text);
}

// Observation builders.
inline Observation ret(int64_t v) {
    Observation o;
    o.ret = v;
    return o;
}
inline Observation list(std::initializer_list<std::pair<uint32_t, Usage>> es, int64_t r = 0) {
    Observation o;
    o.ret = r;
    for (auto [f, u] : es) o.fences.push_back(Entry{FenceH{f}, u});
    return o;
}
inline Observation fences(std::initializer_list<uint32_t> fs, int64_t r = 0) {
    Observation o;
    o.ret = r;
    for (auto f : fs) o.fences.push_back(Entry{FenceH{f}, Usage::KERNEL});
    return o;
}
inline Observation with_released(Observation o, std::initializer_list<uint32_t> fs) {
    for (auto f : fs) o.released.push_back(FenceH{f});
    return o;
}
inline Observation with_cbs(Observation o, std::initializer_list<uint32_t> cbs) {
    for (auto c : cbs) o.callbacks.push_back(CbH{c});
    return o;
}
inline Observation with_warn(Observation o, uint32_t n = 1) {
    o.warnings = n;
    return o;
}
inline Observation restarted(Observation o) {
    o.restarted = true;
    return o;
}

// Judges `obs` for `text` on a copy of `m`; returns the rule ID named, "" if accepted.
inline std::string judged(const Model& m, std::string_view text, const Observation& obs) {
    Model copy = m;
    Op o = op(text);
    if (auto why = copy.precondition(o)) return "<precondition: " + *why + ">";
    auto d = copy.step(o, obs);
    return d ? std::string(rule_id(d->rule)) : std::string();
}

// The model accepts its own observation (sanity) for `text` on a copy of `m`.
inline void expect_self_consistent(const Model& m, std::string_view text) {
    Model a = m, b = m;
    Op o = op(text);
    Observation obs = a.perform(o);
    auto d = b.step(o, obs);
    EXPECT_FALSE(d.has_value()) << text << ": model rejects its own observation: " << (d ? rule_id(d->rule) : "");
}

}  // namespace resvcheck::test

#define EXPECT_RULE(model, optext, obs, rule) EXPECT_EQ(::resvcheck::test::judged((model), (optext), (obs)), std::string(rule)) << (optext)
#define EXPECT_ACCEPTS(model, optext, obs) EXPECT_EQ(::resvcheck::test::judged((model), (optext), (obs)), std::string()) << (optext)
