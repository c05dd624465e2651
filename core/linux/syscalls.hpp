// The system call table (sys_call_table): one handler address per system
// call number, its length from the array's DWARF type. No output here.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

Result<std::vector<uint64_t>> read_syscall_table(Program& prog);

}  // namespace kinspect
