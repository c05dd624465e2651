// Command-line words: crash splits a command on blanks, keeps quoted words
// whole and remembers that they were quoted (`ps 'kwork*'` is a regex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

struct Word {
  std::string text;
  bool quoted = false;
};

struct Args {
  std::string command;      // first word
  std::vector<Word> words;  // the rest
  std::string rest;         // raw text after the command name (for expressions)

  size_t size() const { return words.size(); }
  const std::string& operator[](size_t i) const { return words[i].text; }
};

Result<std::vector<Word>> split_words(std::string_view line);
Result<Args> parse_args(std::string_view line);

// crash's number syntax: hex by default for addresses ("ffff8880..."), 0x
// prefix optional; "0d..."/ decimal when the caller says so.
std::optional<uint64_t> parse_hex(std::string_view s);
// A C identifier: a symbol or variable name rather than an expression.
bool is_identifier(std::string_view s);
std::optional<uint64_t> parse_number(std::string_view s);  // 0x.. hex, else decimal

// Option parsing in getopt style over Args: "-l -m" or "-lm", and options
// with a value ("-o 8"). Words that are not options are collected in order.
struct Options {
  std::string flags;                      // each flag letter seen, in order
  std::vector<std::pair<char, std::string>> values;  // options taking a value
  std::vector<Word> positional;
  bool has(char c) const { return flags.find(c) != std::string::npos; }
  std::optional<std::string> value(char c) const;
};
// spec is getopt-like: "lmo:" (o takes a value). Numeric flags such as -8,
// -16, -32, -64 are accepted when `numeric` lists them.
Result<Options> parse_options(const Args& args, std::string_view spec,
                              const std::vector<std::string_view>& long_flags = {});

}  // namespace kinspect
