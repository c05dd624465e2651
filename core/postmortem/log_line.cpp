#include "core/postmortem/log_line.hpp"

#include <cctype>
#include <cstdlib>

namespace kinspect {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Matches `pattern` at the start of s, where '9' stands for a digit, 'A' for
// an upper-case and 'a' for a lower-case letter, '_' for a blank or a digit
// (syslog pads the day with a blank) and anything else for itself.
bool shape(std::string_view s, std::string_view pattern) {
  if (s.size() < pattern.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char p = pattern[i], c = s[i];
    bool ok = p == '9'   ? digit(c)
              : p == 'A' ? std::isupper(static_cast<unsigned char>(c)) != 0
              : p == 'a' ? std::islower(static_cast<unsigned char>(c)) != 0
              : p == '_' ? (c == ' ' || digit(c))
                         : c == p;
    if (!ok) return false;
  }
  return true;
}

std::string_view skip_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// "HOST TAG: rest" after a syslog or journal date: the body when TAG is the
// kernel's, an empty body for other programs' lines.
std::optional<std::string_view> after_host_tag(std::string_view s) {
  size_t host_end = s.find(' ');
  if (host_end == std::string_view::npos) return std::nullopt;
  std::string_view tag = s.substr(host_end + 1);
  size_t colon = tag.find(": ");
  size_t blank = tag.find(' ');
  if (colon == std::string_view::npos || blank < colon) {
    // "kernel:" with nothing after it: an empty kernel line.
    if (tag == "kernel:") return std::string_view{};
    return std::nullopt;
  }
  if (tag.substr(0, colon) != "kernel") return std::string_view{};
  return tag.substr(colon + 2);
}

// `[  22.548911]` (and an optional caller id `[  T124]` / `[    C1]`).
bool take_printk_time(std::string_view& s, LogLine& out) {
  if (s.empty() || s.front() != '[') return false;
  size_t close = s.find(']');
  if (close == std::string_view::npos) return false;
  std::string_view inner = skip_blanks(s.substr(1, close - 1));
  size_t dot = inner.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= inner.size()) return false;
  for (size_t i = 0; i < inner.size(); ++i)
    if (i != dot && !digit(inner[i])) return false;
  out.seconds = std::strtod(std::string(inner).c_str(), nullptr);
  if (out.timestamp.empty()) out.timestamp = std::string(s.substr(0, close + 1));
  s.remove_prefix(close + 1);
  // The caller id follows directly or after one blank.
  std::string_view rest = s.substr(!s.empty() && s.front() == ' ' ? 1 : 0);
  if (!rest.empty() && rest.front() == '[') {
    size_t c2 = rest.find(']');
    std::string_view id = c2 == std::string_view::npos ? std::string_view{} : skip_blanks(rest.substr(1, c2 - 1));
    if (id.size() >= 2 && (id.front() == 'T' || id.front() == 'C')) {
      bool all_digits = true;
      for (char c : id.substr(1)) all_digits &= digit(c);
      if (all_digits) {
        out.caller = std::string(id);
        s = rest.substr(c2 + 1);
      }
    }
  }
  // printk puts one blank between the prefix and the text; a frame line's
  // own indentation stays.
  if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return true;
}

}  // namespace

LogLine parse_log_line(std::string_view s) {
  LogLine out;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (!s.empty() && s.front() == '\r') s.remove_prefix(1);

  // Incident 3's collector: "2022-11-12 10:10:59 +0800 | messages | LINE".
  if (shape(s, "9999-99-99 99:99:99")) {
    size_t bar = s.find(" | ");
    if (bar != std::string_view::npos) {
      size_t bar2 = s.find(" | ", bar + 3);
      if (bar2 != std::string_view::npos) {
        out.timestamp = std::string(s.substr(0, bar));
        s = s.substr(bar2 + 3);
      }
    }
  }
  // syslog / journalctl short: "Nov 12 10:10:59 host kernel: ", with
  // microseconds in journalctl's short-precise.
  if (shape(s, "Aaa _9 99:99:99")) {
    size_t date_end = 15;
    while (date_end < s.size() && (s[date_end] == '.' || digit(s[date_end]))) ++date_end;
    if (date_end < s.size() && s[date_end] == ' ') {
      if (auto body = after_host_tag(s.substr(date_end + 1))) {
        if (out.timestamp.empty() && !body->empty()) out.timestamp = std::string(s.substr(0, date_end));
        s = *body;
      }
    }
  } else if (shape(s, "9999-99-99T99:99:99")) {
    // journalctl -o short-iso / RFC 5424 syslog.
    size_t date_end = s.find(' ');
    if (date_end != std::string_view::npos) {
      if (auto body = after_host_tag(s.substr(date_end + 1))) {
        if (out.timestamp.empty() && !body->empty()) out.timestamp = std::string(s.substr(0, date_end));
        s = *body;
      }
    }
  }
  // dmesg -T: "[Sat Nov 12 10:10:59 2022] ".
  if (shape(s, "[Aaa Aaa _9 99:99:99 9999] ")) {
    if (out.timestamp.empty()) out.timestamp = std::string(s.substr(0, 26));
    s.remove_prefix(27);
  }
  take_printk_time(s, out);
  out.body = s;
  return out;
}

}  // namespace kinspect
