// Reading one integer or pointer member of a kernel struct, with the struct
// and member named in the error: the small step every core/linux family
// repeats when it follows pointers through kernel objects.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

// o.path as an unsigned value (members of nested structs by "a.b").
inline Result<uint64_t> member_u64(const Object& o, std::string_view path) {
  ASSIGN_OR_RETURN(Object m, o.member(path));
  return m.as_u64();
}

// The 8-byte pointer member `member` of the struct `type` at `addr`.
inline Result<uint64_t> read_pointer_member(Program& prog, std::string_view type, uint64_t addr,
                                            std::string_view member) {
  ASSIGN_OR_RETURN(uint64_t off, prog.types().member_offset(type, member));
  return prog.read_u64(addr + off).context(std::string(type) + "." + std::string(member) + " at " + hex(addr));
}

}  // namespace kinspect
