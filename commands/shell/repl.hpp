// The two ways commands arrive: a script (-c FILE, -i FILE, stdin that is not
// a terminal) and the interactive readline prompt.
#pragma once

#include <cstdio>
#include <string>

#include "commands/session.hpp"

namespace kinspect {

struct BatchResult {
  int commands = 0;
  int failed = 0;
  bool stopped = false;  // stopped at the first error (--stop-on-error)
};

// Runs every line of `in`, echoing "kinspect> LINE" before each command's
// output (unless echo is false: start-up files) so the transcript replays,
// and printing each error on stderr.
BatchResult run_script(Session& session, FILE* in, bool stop_on_error, bool echo = true);

// The readline prompt; returns when the user quits or at end of input.
void run_interactive(Session& session);

// Prints a failed command's error the way every mode does: "CMD: message".
void report_error(const std::string& line, const Error& e);

}  // namespace kinspect
