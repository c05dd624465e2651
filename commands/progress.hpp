// "foreach: 120/3000 tasks" on a terminal's stderr once a command has run
// for over a second (the rule every slow command follows); nothing on a
// pipe or file, and the line is erased when the work ends.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace kinspect {

class TerminalProgress {
 public:
  TerminalProgress(std::string what, size_t total)
      : what_(std::move(what)), total_(total), tty_(isatty(STDERR_FILENO)) {}
  ~TerminalProgress() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;
  void step(size_t done) {
    if (!tty_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    std::fprintf(stderr, "\r\033[K%s: %zu/%zu tasks", what_.c_str(), done, total_);
  }

 private:
  std::string what_;
  size_t total_;
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

}  // namespace kinspect
