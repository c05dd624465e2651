#include "core/postmortem/report_lines.hpp"

#include <cctype>
#include <charconv>

namespace kinspect {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_hex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::optional<uint64_t> hex_value(std::string_view s) {
  if (s.starts_with("0x")) s.remove_prefix(2);
  if (!is_hex(s) || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v, 16);
  return v;
}

// Symbol names: C identifiers plus the '.' of GCC's clones
// (".part.0", ".isra.5", ".cold") and '$' of some assembler labels.
bool is_symbol_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}

}  // namespace

std::optional<CodeLocation> parse_code_location(std::string_view s) {
  s = trim(s);
  CodeLocation loc;
  if (s.starts_with("[<")) {
    size_t close = s.find(">]");
    if (close == std::string_view::npos) return std::nullopt;
    auto a = hex_value(s.substr(2, close - 2));
    if (!a) return std::nullopt;
    loc.address = a;
    s = trim(s.substr(close + 2));
    // 3.10's RIP line repeats the address: "[<a>]  [<a>] sym+off/size".
    if (s.starts_with("[<")) {
      close = s.find(">]");
      if (close == std::string_view::npos) return std::nullopt;
      s = trim(s.substr(close + 2));
    }
    if (s.empty()) return loc;
  }
  // arm64 prints a user pc as 16 bare hex digits.
  if ((s.starts_with("0x") || (s.size() == 16 && is_hex(s))) && s.find('+') == std::string_view::npos) {
    auto a = hex_value(s);
    if (!a) return std::nullopt;
    loc.address = a;
    return loc;
  }
  size_t end = 0;
  while (end < s.size() && is_symbol_char(s[end])) ++end;
  if (end == 0 || end >= s.size() || s[end] != '+') return std::nullopt;
  loc.symbol = std::string(s.substr(0, end));
  s.remove_prefix(end + 1);
  size_t stop = s.find_first_of("/ ");
  auto off = hex_value(s.substr(0, stop));
  if (!off || !s.starts_with("0x")) return std::nullopt;
  loc.offset = *off;
  s = stop == std::string_view::npos ? std::string_view{} : s.substr(stop);
  if (s.starts_with("/")) {
    size_t sp = s.find(' ');
    auto size = hex_value(s.substr(1, sp == std::string_view::npos ? std::string_view::npos : sp - 1));
    if (!size) return std::nullopt;
    loc.size = size;
    s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp);
  }
  s = trim(s);
  if (s.starts_with("[") && s.ends_with("]") && s.size() > 2) {
    std::string_view mod = s.substr(1, s.size() - 2);
    // "[csd_lockup]", or with a build-id "[mod 0123abcd...]" (5.17+ %pSb).
    mod = mod.substr(0, mod.find(' '));
    loc.module = std::string(mod);
    s = {};
  }
  if (!s.empty()) return std::nullopt;
  return loc;
}

std::optional<LoggedFrame> parse_frame_line(std::string_view body) {
  std::string_view s = trim(body);
  LoggedFrame f;
  if (s.starts_with("[<")) {
    // Old x86_64 and arm64 traces: "[<addr>] ? sym+off/size".
    size_t close = s.find(">]");
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view addr = s.substr(0, close + 2);
    std::string_view rest = trim(s.substr(close + 2));
    if (rest.starts_with("? ")) {
      f.reliable = false;
      rest = trim(rest.substr(2));
    }
    auto loc = parse_code_location(std::string(addr) + " " + std::string(rest));
    if (!loc) return std::nullopt;
    f.loc = *loc;
    return f;
  }
  if (s.starts_with("? ")) {
    f.reliable = false;
    s = trim(s.substr(2));
  }
  auto loc = parse_code_location(s);
  if (!loc) return std::nullopt;
  f.loc = *loc;
  return f;
}

std::optional<std::pair<std::string, bool>> parse_context_marker(std::string_view body) {
  std::string_view s = trim(body);
  if (s.size() < 3 || s.front() != '<' || s.back() != '>') return std::nullopt;
  bool open = s[1] != '/';
  std::string_view name = s.substr(open ? 1 : 2, s.size() - (open ? 2 : 3));
  if (name.empty()) return std::nullopt;
  for (char c : name)
    if (!std::isupper(static_cast<unsigned char>(c))) return std::nullopt;
  return std::pair{std::string(name), open};
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_register_line(std::string_view body) {
  std::string_view s = trim(body);
  std::vector<std::pair<std::string, std::string>> regs;
  while (!s.empty()) {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 8) return std::nullopt;
    std::string_view name = trim(s.substr(0, colon));
    for (char c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return std::nullopt;
    if (name.empty()) return std::nullopt;
    s = trim(s.substr(colon + 1));
    size_t end = s.find(' ');
    std::string_view value = s.substr(0, end);
    // "0018:ffffc90000367b10" (segment:offset) and "00000000277f73c0(0000)".
    std::string_view digits = value.substr(0, value.find('('));
    bool ok = !digits.empty();
    for (char c : digits) ok &= std::isxdigit(static_cast<unsigned char>(c)) || c == ':';
    if (!ok) return std::nullopt;
    regs.emplace_back(std::string(name), std::string(value));
    s = end == std::string_view::npos ? std::string_view{} : trim(s.substr(end));
  }
  if (regs.empty()) return std::nullopt;
  return regs;
}

}  // namespace kinspect
