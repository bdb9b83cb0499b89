// error.h - the one error type at every boundary: parse, adapter load, kernel tree lookup,
// plugin calls, file writes, command-line options.
//
// A function that can fail returns Expected<T>: a T, or an Error naming its kind and a message
// that says what to do. Inside the code, invariants are asserts; Errors are for what a user or
// the environment got wrong. The CLI maps each kind to one exit status in exactly one place
// (cli/commands.h: exit_status).
//
//   Expected<Trace> t = load_trace(path);
//   if (!t) return fail(t.error());                  // "x.trace:3:24: expected a usage, found 'FOO'"
//   use(*t);
//
// Which kind to use:
//   Usage        bad command-line arguments (unknown flag, a number that is not one)
//   Parse        malformed input text; line and col are set, message is "expected ..., found ..."
//   Setup        the environment cannot run what was asked (unknown adapter, no kernel tree,
//                a plugin that does not load, a tool that is missing)
//   Io           a file or directory cannot be read or written
//   Unsupported  the implementation lacks something the request needs
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace resvcheck {

enum class ErrorKind { Usage, Parse, Setup, Io, Unsupported };

struct Error {
    ErrorKind kind = ErrorKind::Setup;
    std::string message;
    std::string file;  // Parse (and Io where a file is involved)
    int line = 0;      // Parse: 1-based, 0 if unknown
    int col = 0;

    // "file:line:col: message", "file: message" or the message alone.
    std::string text() const {
        std::string where = file;
        if (!where.empty() && line > 0) where += ":" + std::to_string(line) + ":" + std::to_string(col);
        return where.empty() ? message : where + ": " + message;
    }
};

template <typename T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : v_(std::move(value)) {}
    Expected(Error e) : v_(std::move(e)) {}

    explicit operator bool() const { return v_.index() == 0; }
    T& operator*() & { return std::get<0>(v_); }
    const T& operator*() const& { return std::get<0>(v_); }
    T&& operator*() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// Success or an Error, for operations without a result.
using Status = Expected<std::monostate>;
inline Status ok() { return std::monostate{}; }

}  // namespace resvcheck
