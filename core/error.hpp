// Result<T>: the error-handling currency of every layer. A small expected type
// carrying an Error with a closed set of codes and an optional address. Errors
// gain context as they travel up (".context("reading task_struct at 0x...")");
// only the REPL turns them into text. No exceptions cross a layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kinspect {

enum class Errc {
  io,               // the OS refused a read, open or write
  format,           // bytes do not have the shape the format promises
  truncated,        // the file ends before the data a header points at
  excluded,         // the page was filtered out of the dump (makedumpfile -d)
  not_present,      // no dump segment / page-table entry covers the address
  not_found,        // unknown symbol, type, member, task, file
  invalid_argument, // bad user input: syntax, flag, number
  mismatch,         // vmlinux does not belong to the dump, wrong build-id
  unsupported,      // valid input we do not handle (yet)
  interrupted,      // Ctrl-C
};

std::string_view errc_name(Errc c);

struct Error {
  Errc code = Errc::format;
  std::string message;
  std::optional<uint64_t> address;

  // Prepends "what: " so the outermost caller's words come first.
  Error&& context(std::string_view what) && {
    message = std::string(what) + ": " + message;
    return std::move(*this);
  }
  std::string to_string() const;
};

inline Error make_error(Errc code, std::string message,
                        std::optional<uint64_t> address = std::nullopt) {
  return Error{code, std::move(message), address};
}

// Unexpected-style wrapper so `return fail(Errc::io, "...")` converts to any Result<T>.
struct Failure {
  Error error;
};
inline Failure fail(Errc code, std::string message,
                    std::optional<uint64_t> address = std::nullopt) {
  return Failure{Error{code, std::move(message), address}};
}
inline Failure fail(Error e) { return Failure{std::move(e)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Failure f) : v_(std::in_place_index<1>, std::move(f.error)) {}
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  T value_or(T other) const& { return ok() ? value() : std::move(other); }

  // Adds context to an error; a value passes through untouched.
  Result context(std::string_view what) && {
    if (ok()) return std::move(*this);
    return Failure{std::move(*this).error().context(what)};
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure f) : e_(std::move(f.error)) {}
  Result(Error e) : e_(std::move(e)) {}

  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *e_; }
  Error&& error() && { return std::move(*e_); }
  Result context(std::string_view what) && {
    if (ok()) return {};
    return Failure{std::move(*e_).context(what)};
  }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;

// Hex formatting used in error messages everywhere ("0x1f000").
std::string hex(uint64_t v);

}  // namespace kinspect

// TRY(x): evaluate a Result; on error return it (converted) from the caller.
#define KI_CONCAT_(a, b) a##b
#define KI_CONCAT(a, b) KI_CONCAT_(a, b)
#define TRY_VOID(expr)                                                   \
  do {                                                                   \
    auto&& ki_try_r_ = (expr);                                           \
    if (!ki_try_r_.ok()) return ::kinspect::fail(std::move(ki_try_r_).error()); \
  } while (0)
// ASSIGN_OR_RETURN(auto v, expr);
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_(KI_CONCAT(ki_r_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_(tmp, lhs, expr)                       \
  auto tmp = (expr);                                            \
  if (!tmp.ok()) return ::kinspect::fail(std::move(tmp).error()); \
  lhs = std::move(tmp).value()
