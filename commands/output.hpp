// Output: where a command writes. Commands never touch stdout; the REPL
// picks a terminal, a pipe, a file or a string (tests) behind this interface.
#pragma once

#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>

namespace kinspect {

class Output {
 public:
  virtual ~Output() = default;
  virtual void write(std::string_view s) = 0;
  void print(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  void line(std::string_view s) {
    write(s);
    write("\n");
  }
};

class StringOutput final : public Output {
 public:
  void write(std::string_view s) override { buf_.append(s); }
  const std::string& str() const { return buf_; }
  void clear() { buf_.clear(); }

 private:
  std::string buf_;
};

class FileOutput final : public Output {
 public:
  explicit FileOutput(FILE* f) : f_(f) {}
  void write(std::string_view s) override;
  // False once a write failed (closed pipe: `| head`); commands may stop early.
  bool healthy() const { return ok_; }

 private:
  FILE* f_;
  bool ok_ = true;
};

// Set by the SIGINT handler while a command runs; long loops poll it.
extern std::atomic<bool> g_interrupt_requested;
inline bool interrupted() { return g_interrupt_requested.load(std::memory_order_relaxed); }

}  // namespace kinspect
