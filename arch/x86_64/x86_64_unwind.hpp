// The x86_64 ArchUnwinder: ORC tables of vmlinux and the modules, the
// switch frame of sleeping tasks, NT_PRSTATUS registers, the kernel's stacks
// (task, IRQ, the cpu_entry_area exception stacks) and crash's register block.
#pragma once

#include <map>
#include <memory>

#include "core/unwind/unwind.hpp"

namespace kinspect {
class Program;
}

namespace kinspect::x86_64 {

Result<std::unique_ptr<ArchUnwinder>> make_x86_64_unwinder(Program& prog);

// crash's x86_64 register block for a pt_regs (RIP/RSP/RFLAGS ... CS SS).
std::string x86_64_register_block(const ExceptionFrame& e);

}  // namespace kinspect::x86_64
