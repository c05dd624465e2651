// Progress of a slow command on a terminal's stderr: nothing for the first
// second, then "LABEL: done/total UNIT" at most five times a second, erased
// when the work ends. Silent when stderr is not a terminal (scripts, tests).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace kinspect {

class Progress {
 public:
  Progress(std::string label, size_t total, std::string unit)
      : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(STDERR_FILENO)) {}
  ~Progress() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void step(size_t done) {
    if (!tty_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    std::fprintf(stderr, "\r\033[K%s: %zu/%zu %s", label_.c_str(), done, total_, unit_.c_str());
  }

 private:
  std::string label_, unit_;
  size_t total_;
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

}  // namespace kinspect
