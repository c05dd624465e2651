// How a backtrace names a code address: "name", "name+offset" (decimal by
// default, as crash prints offsets, or hexadecimal), " [module]" for module
// text, the bare hex address when no symbol covers it.
#pragma once

#include <cstdint>
#include <string>

namespace kinspect {

class Program;

struct SymbolStyle {
  bool offset = false;
  int radix = 10;
  // A return address is named by the call before it (pc - 1): after a call
  // to a noreturn function it is already past the caller's last byte.
  bool return_address = false;
};

std::string symbolize(const Program& prog, uint64_t pc, const SymbolStyle& style);

}  // namespace kinspect
