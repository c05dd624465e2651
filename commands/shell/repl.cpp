#include "commands/shell/repl.hpp"

#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands/args.hpp"
#include "commands/shell/completion.hpp"
#include "commands/shell/pager.hpp"

namespace kinspect {

namespace {

void on_sigint(int) { g_interrupt_requested.store(true); }

// Ctrl-C at the prompt discards the line being typed and shows a fresh
// prompt, as crash does; it never ends the session.
void on_sigint_at_prompt(int) {
  g_interrupt_requested.store(true);
  (void)!::write(STDOUT_FILENO, "\n", 1);
  rl_on_new_line();
  rl_replace_line("", 0);
  rl_redisplay();
}

Session* g_completion_session = nullptr;
std::vector<std::string> g_candidates;

char* next_candidate(const char*, int state) {
  static size_t i;
  if (state == 0) i = 0;
  if (i >= g_candidates.size()) return nullptr;
  return strdup(g_candidates[i++].c_str());
}

char** attempt_completion(const char* text, int start, int end) {
  rl_attempted_completion_over = 1;  // never fall back to file names inside a command
  std::string_view line(rl_line_buffer, static_cast<size_t>(end));
  // After a pipe or a redirection, the shell's world: complete file names.
  if (line.substr(0, static_cast<size_t>(start)).find_first_of("|>") != std::string_view::npos &&
      line.find("->") == std::string_view::npos) {
    rl_attempted_completion_over = 0;
    return nullptr;
  }
  if (!g_completion_session) return nullptr;
  g_candidates = complete_word(*g_completion_session, line, static_cast<size_t>(start),
                               std::string_view(text));
  // A member path may go on ("init_task.se" -> ".vruntime"): no space after it.
  std::string_view word(text);
  if (word.find('.') != std::string_view::npos || word.find("->") != std::string_view::npos)
    rl_completion_append_character = '\0';
  return rl_completion_matches(text, next_candidate);
}

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

BatchResult run_script(Session& session, FILE* in, bool stop_on_error, bool echo) {
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
    if (echo) std::printf("kinspect> %s\n", line.c_str());
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
  g_completion_session = &session;
  rl_readline_name = "kinspect";
  rl_attempted_completion_function = attempt_completion;
  // '.', '-', '>' and ':' belong to words here (init_task.comm, p->next, sym:cpu).
  rl_completer_word_break_characters = const_cast<char*>(" \t|");
  rl_catch_signals = 0;
  while (!session.quit_requested()) {
    std::signal(SIGINT, on_sigint_at_prompt);
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
    unsigned rows = session.settings().scroll ? terminal_rows() : 0;
    Status st;
    if (rows) {
      PagerOutput out(rows);
      st = session.run_line(line, out);
      out.finish();
    } else {
      FileOutput out(stdout);
      st = session.run_line(line, out);
    }
    std::fflush(stdout);
    if (!st) report_error(line, st.error());
  }
  g_completion_session = nullptr;
  if (!hist.empty()) history_truncate_file(hist.c_str(), 5000);
}

}  // namespace kinspect
