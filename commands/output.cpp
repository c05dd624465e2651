#include "commands/output.hpp"

#include <cstdarg>
#include <vector>

namespace kinspect {

std::atomic<bool> g_interrupt_requested{false};

void Output::print(const char* fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof small) {
    write(std::string_view(small, static_cast<size_t>(n)));
    return;
  }
  std::vector<char> big(static_cast<size_t>(n) + 1);
  va_start(ap, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  write(std::string_view(big.data(), static_cast<size_t>(n)));
}

void FileOutput::write(std::string_view s) {
  if (!ok_ || s.empty()) return;
  if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) ok_ = false;
}

}  // namespace kinspect
