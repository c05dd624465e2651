// One unwind step by DWARF call-frame information (.debug_frame) of vmlinux
// or of a module whose debuginfo is loaded (cfi_row.hpp): the fallback
// where ORC has no usable entry (x86_64 code objtool marked undefined) and
// for frames a frame record cannot describe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "core/error.hpp"
#include "core/unwind/frame.hpp"

namespace kinspect {

class Program;

struct CfiRegs {
  unsigned return_address;  // DWARF column of the return address (x86_64 16, arm64 30)
  unsigned stack_pointer;   // x86_64 7, arm64 31
  unsigned pc;              // where Frame::regs keeps the pc (x86_64 16, arm64 32)
};

using CfiRead = std::function<Result<uint64_t>(uint64_t addr)>;

// The caller of `f` by the CFI row covering its pc (pc - 1 for a return
// address). Registers the row restores are set; the others are absent.
Result<std::optional<Frame>> cfi_step(const Program& prog, Frame& f, const CfiRegs& regs,
                                      const CfiRead& read);

}  // namespace kinspect
