#include "commands/repl.hpp"

#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

#include "commands/args.hpp"

namespace kinspect {

namespace {

void on_sigint(int) { g_interrupt_requested.store(true); }

std::string first_word(const std::string& line) {
  size_t b = line.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  size_t e = line.find_first_of(" \t|>", b);
  return line.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

bool is_blank_or_comment(const std::string& line) {
  size_t b = line.find_first_not_of(" \t\r\n");
  return b == std::string::npos || line[b] == '#';
}

}  // namespace

void report_error(const std::string& line, const Error& e) {
  std::fflush(stdout);
  std::string cmd = first_word(line);
  std::fprintf(stderr, "%s%s%s\n", cmd.c_str(), cmd.empty() ? "" : ": ", e.to_string().c_str());
  std::fflush(stderr);
}

BatchResult run_script(Session& session, FILE* in, bool stop_on_error) {
  BatchResult r;
  FileOutput out(stdout);
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  std::signal(SIGINT, on_sigint);
  while (!session.quit_requested() && (n = ::getline(&buf, &cap, in)) >= 0) {
    std::string line(buf, static_cast<size_t>(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (is_blank_or_comment(line)) continue;
    std::printf("kinspect> %s\n", line.c_str());
    ++r.commands;
    g_interrupt_requested.store(false);
    Status st = session.run_line(line, out);
    std::fflush(stdout);
    if (!st) {
      ++r.failed;
      report_error(line, st.error());
      if (stop_on_error) {
        r.stopped = true;
        break;
      }
    }
  }
  std::free(buf);
  return r;
}

void run_interactive(Session& session) {
  std::string hist;
  if (const char* home = std::getenv("HOME")) hist = std::string(home) + "/.kinspect_history";
  if (!hist.empty()) read_history(hist.c_str());
  FileOutput out(stdout);
  while (!session.quit_requested()) {
    std::signal(SIGINT, SIG_DFL);
    rl_catch_signals = 1;
    char* raw = readline("kinspect> ");
    if (!raw) {
      std::printf("\n");
      break;
    }
    std::string line(raw);
    std::free(raw);
    if (is_blank_or_comment(line)) continue;
    add_history(line.c_str());
    if (!hist.empty()) append_history(1, hist.c_str());
    g_interrupt_requested.store(false);
    std::signal(SIGINT, on_sigint);
    Status st = session.run_line(line, out);
    std::fflush(stdout);
    if (!st) report_error(line, st.error());
  }
  if (!hist.empty()) history_truncate_file(hist.c_str(), 5000);
}

}  // namespace kinspect
