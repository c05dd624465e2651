// Tab completion for the prompt: command names and aliases, a command's
// flags, struct/union/typedef names, symbols and variables, and member
// paths after "." or "->". Pure functions over the Session so that tests
// can ask for candidates without a terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kinspect {

class Session;

// Candidates (whole words) for `word`, which starts at byte `word_start` of
// `line` (the text before the cursor). Sorted, without duplicates.
std::vector<std::string> complete_word(Session& session, std::string_view line, size_t word_start,
                                       std::string_view word);

}  // namespace kinspect
