// The single machine -> Arch mapping.
#include "arch/arch.hpp"
#include "arch/arm64/arm64_arch.hpp"
#include "arch/x86_64/x86_64_arch.hpp"

namespace kinspect {

Result<std::unique_ptr<Arch>> make_arch(DumpMachine machine) {
  switch (machine) {
    case DumpMachine::x86_64:
      return std::unique_ptr<Arch>(std::make_unique<x86_64::X86_64Arch>());
    case DumpMachine::aarch64:
      return std::unique_ptr<Arch>(std::make_unique<arm64::Arm64Arch>());
    case DumpMachine::unknown:
      break;
  }
  return fail(Errc::unsupported, "unsupported machine (ELF e_machine " +
                                     std::to_string(static_cast<unsigned>(machine)) + ")");
}

Result<std::unique_ptr<Arch>> make_arch(std::string_view name) {
  if (name == "x86_64") return make_arch(DumpMachine::x86_64);
  if (name == "aarch64" || name == "arm64") return make_arch(DumpMachine::aarch64);
  return fail(Errc::unsupported, "unsupported machine \"" + std::string(name) + "\"");
}

}  // namespace kinspect
