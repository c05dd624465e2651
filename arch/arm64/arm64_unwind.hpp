// The arm64 ArchUnwinder: frame records (x29/x30) with pointer
// authentication bits stripped, el1 exception frames (struct pt_regs found
// through the frame record the entry code builds inside it), the task, IRQ
// and overflow stacks, and crash's arm64 register block.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/unwind/unwind.hpp"

namespace kinspect {
class Program;
}

namespace kinspect::arm64 {

Result<std::unique_ptr<ArchUnwinder>> make_arm64_unwinder(Program& prog);

// crash's arm64 register block for a pt_regs; symbolize_pc names the PC
// and LR of a kernel-mode context.
std::string arm64_register_block(const ExceptionFrame& e,
                                 const std::function<std::string(uint64_t)>& symbolize_pc);

}  // namespace kinspect::arm64
