#include "commands/shell/pager.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>

namespace kinspect {

unsigned terminal_rows() {
  if (!isatty(STDOUT_FILENO)) return 0;
  struct winsize ws {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0) return 24;
  return ws.ws_row;
}

PagerOutput::PagerOutput(unsigned rows) : limit_(rows > 1 ? rows - 1 : 1) {}

PagerOutput::~PagerOutput() { finish(); }

void PagerOutput::start_pager() {
  const char* env = std::getenv("PAGER");
  std::string cmd = env && *env ? env : "less -X -R";
  std::fflush(stdout);
  old_sigpipe_ = std::signal(SIGPIPE, SIG_IGN);
  pipe_ = ::popen(cmd.c_str(), "w");
  if (!pipe_) {
    // No pager: print straight to the terminal.
    std::signal(SIGPIPE, old_sigpipe_);
    std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    buffer_.clear();
    limit_ = ~0u;
    return;
  }
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), pipe_) != buffer_.size()) broken_ = true;
  buffer_.clear();
}

void PagerOutput::write(std::string_view s) {
  if (broken_) return;
  if (pipe_) {
    if (std::fwrite(s.data(), 1, s.size(), pipe_) != s.size() || std::ferror(pipe_)) {
      // The user quit the pager: stop the command.
      broken_ = true;
      g_interrupt_requested.store(true);
    }
    return;
  }
  if (limit_ == ~0u) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    return;
  }
  buffer_.append(s);
  lines_ += static_cast<unsigned>(std::count(s.begin(), s.end(), '\n'));
  if (lines_ > limit_) start_pager();
}

void PagerOutput::finish() {
  if (finished_) return;
  finished_ = true;
  if (pipe_) {
    std::fflush(pipe_);
    ::pclose(pipe_);
    pipe_ = nullptr;
    std::signal(SIGPIPE, old_sigpipe_);
  } else if (!buffer_.empty()) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    buffer_.clear();
  }
  std::fflush(stdout);
}

}  // namespace kinspect
