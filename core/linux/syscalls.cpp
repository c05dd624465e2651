// The system call table: see syscalls.hpp.
#include "core/linux/syscalls.hpp"

#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect {

Result<std::vector<uint64_t>> read_syscall_table(Program& prog) {
  ASSIGN_OR_RETURN(Object table, variable(prog, "sys_call_table"));
  if (!table.type() || !table.type()->is_array())
    return fail(Errc::unsupported, "sys_call_table has no array type in the DWARF");
  auto n = table.type()->strip()->count;
  if (!n || *n == 0 || *n > 4096)
    return fail(Errc::format, "sys_call_table has no usable length in the DWARF");
  std::vector<uint8_t> bytes(*n * 8);
  TRY_VOID(prog.read(table.address(), bytes).context("reading sys_call_table at " + hex(table.address())));
  std::vector<uint64_t> out(*n);
  for (uint64_t i = 0; i < *n; ++i) out[i] = load_integer(std::span<const uint8_t>(bytes.data() + i * 8, 8), 8, false);
  return out;
}

}  // namespace kinspect
