// fields.h - the one visitor over an op's fields, by what each field is.
//
// Every consumer of the op description (text print and parse, the ABI codec, the shrinker) sees a
// field as one of five things: a handle, an optional handle, a usage, a flag or a
// number. visit_fields() calls the matching member of the visitor with the field's name and a
// reference to it; FieldVisitor supplies do-nothing defaults, so a visitor names only what it uses.
//
//   struct Count : FieldVisitor { int n = 0; template <HandleKind K> void handle(const char*, const Handle<K>&) { ++n; } };
//   Count c; visit_fields(std::get<ResvAddFence>(op), c);   // c.n == 2 (r, f)
#pragma once

#include <boost/hana/accessors.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/core/to.hpp>
#include <boost/hana/string.hpp>
#include <type_traits>

#include "handles.h"

namespace resvcheck {

template <typename T>
struct IsHandle : std::false_type {};
template <HandleKind K>
struct IsHandle<Handle<K>> : std::true_type {};
template <typename T>
struct IsOptHandle : std::false_type {};
template <HandleKind K>
struct IsOptHandle<OptHandle<K>> : std::true_type {};

struct FieldVisitor {
    void handle(const char*, const auto&) {}
    void opt_handle(const char*, const auto&) {}
    void usage(const char*, const auto&) {}
    void flag(const char*, const auto&) {}
    void number(const char*, const auto&) {}
};

// O may be const (read the fields) or not (set them).
template <typename O, typename V>
void visit_fields(O& op, V& v) {
    namespace hana = boost::hana;
    hana::for_each(hana::accessors<std::remove_const_t<O>>(), [&](auto pair) {
        const char* name = hana::to<char const*>(hana::first(pair));
        auto& field = hana::second(pair)(op);
        using F = std::remove_cvref_t<decltype(field)>;
        if constexpr (IsHandle<F>::value)
            v.handle(name, field);
        else if constexpr (IsOptHandle<F>::value)
            v.opt_handle(name, field);
        else if constexpr (std::is_same_v<F, Usage>)
            v.usage(name, field);
        else if constexpr (std::is_same_v<F, bool>)
            v.flag(name, field);
        else {
            static_assert(std::is_integral_v<F>, "an op field is a handle, an optional handle, a usage, a flag or a number");
            v.number(name, field);
        }
    });
}

}  // namespace resvcheck
