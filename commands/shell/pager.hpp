// PagerOutput: a command's output on an interactive terminal. Output that
// fits on the screen is printed as is; once it would scroll off, it goes
// through $PAGER (default "less -X -R"), as crash pages long output. Quitting
// the pager stops the command, as Ctrl-C would.
#pragma once

#include <cstdio>
#include <string>

#include "commands/output.hpp"

namespace kinspect {

class PagerOutput final : public Output {
 public:
  // rows: the terminal's height; the pager starts past rows - 1 lines.
  explicit PagerOutput(unsigned rows);
  ~PagerOutput() override;
  void write(std::string_view s) override;
  // Flushes what is buffered and waits for the pager to exit.
  void finish();

 private:
  void start_pager();

  unsigned limit_;
  unsigned lines_ = 0;
  std::string buffer_;
  FILE* pipe_ = nullptr;
  bool broken_ = false;
  void (*old_sigpipe_)(int) = nullptr;
  bool finished_ = false;
};

// The terminal's height, or 0 when stdout is not a terminal.
unsigned terminal_rows();

}  // namespace kinspect
