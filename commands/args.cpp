#include "commands/args.hpp"

#include <cctype>
#include <charconv>

namespace kinspect {

Result<std::vector<Word>> split_words(std::string_view line) {
  std::vector<Word> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    Word w;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
      char c = line[i];
      if (c == '\'' || c == '"') {
        size_t end = line.find(c, i + 1);
        if (end == std::string_view::npos)
          return fail(Errc::invalid_argument, std::string("unterminated ") + c + " quote");
        w.text.append(line.substr(i + 1, end - i - 1));
        w.quoted = true;
        i = end + 1;
      } else {
        w.text += c;
        ++i;
      }
    }
    out.push_back(std::move(w));
  }
  return out;
}

Result<Args> parse_args(std::string_view line) {
  Args a;
  size_t i = 0;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  size_t j = i;
  while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
  a.command = std::string(line.substr(i, j - i));
  while (j < line.size() && std::isspace(static_cast<unsigned char>(line[j]))) ++j;
  a.rest = std::string(line.substr(j));
  while (!a.rest.empty() && std::isspace(static_cast<unsigned char>(a.rest.back()))) a.rest.pop_back();
  ASSIGN_OR_RETURN(a.words, split_words(a.rest));
  return a;
}

std::optional<uint64_t> parse_hex(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::optional<uint64_t> parse_number(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) return parse_hex(s);
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> Options::value(char c) const {
  for (auto it = values.rbegin(); it != values.rend(); ++it)
    if (it->first == c) return it->second;
  return std::nullopt;
}

Result<Options> parse_options(const Args& args, std::string_view spec,
                              const std::vector<std::string_view>& long_flags) {
  Options o;
  bool only_positional = false;
  for (size_t i = 0; i < args.words.size(); ++i) {
    const Word& w = args.words[i];
    const std::string& t = w.text;
    if (only_positional || w.quoted || t.size() < 2 || t[0] != '-') {
      o.positional.push_back(w);
      continue;
    }
    if (t == "--") {
      only_positional = true;
      continue;
    }
    bool matched_long = false;
    for (auto lf : long_flags) {
      if (t.substr(1) == lf) {
        // Multi-character flags such as -16 or -64 are recorded as their
        // text in values with key '#'.
        o.values.emplace_back('#', std::string(lf));
        matched_long = true;
        break;
      }
    }
    if (matched_long) continue;
    // "-1", "-0x10": a negative number, not flags (eval -1, p -5 + x).
    if (std::isdigit(static_cast<unsigned char>(t[1]))) {
      o.positional.push_back(w);
      continue;
    }
    for (size_t k = 1; k < t.size(); ++k) {
      char c = t[k];
      size_t pos = spec.find(c);
      if (pos == std::string_view::npos)
        return fail(Errc::invalid_argument, "invalid option -- '" + std::string(1, c) + "'");
      if (pos + 1 < spec.size() && spec[pos + 1] == ':') {
        std::string val = t.substr(k + 1);
        if (val.empty()) {
          if (i + 1 >= args.words.size())
            return fail(Errc::invalid_argument, "option -" + std::string(1, c) + " needs a value");
          val = args.words[++i].text;
        }
        o.values.emplace_back(c, val);
        o.flags += c;
        break;
      }
      o.flags += c;
    }
  }
  return o;
}

}  // namespace kinspect
