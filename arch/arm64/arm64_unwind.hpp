// The arm64 ArchUnwinder: frame records (x29/x30) with pointer
// authentication bits stripped, el1 exception frames (struct pt_regs found
// through the frame record the entry code builds inside it), the task, IRQ
// and overflow stacks, and crash's arm64 register block.
#pragma once

#include <memory>

#include "core/unwind/unwind.hpp"

namespace kinspect {
class Program;
}

namespace kinspect::arm64 {

Result<std::unique_ptr<ArchUnwinder>> make_arm64_unwinder(Program& prog);

// crash's arm64 register block for a pt_regs.
std::string arm64_register_block(const ExceptionFrame& e);

}  // namespace kinspect::arm64
