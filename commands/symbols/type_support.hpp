// Helpers shared by the type commands (struct, union, *, p, whatis, list,
// flags): crash's cpu-spec, address arguments, reading a value for printing,
// and gdb's $N value-history numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/types/type.hpp"

namespace kinspect {

class Program;
class Session;
class Types;
class ValuePrinter;
struct CommandContext;

// crash's cpu-spec after "symbol:": "a" or "all", "3", "1,3", "0-2,5".
Result<std::vector<unsigned>> parse_cpuspec(Program& prog, std::string_view spec);

// An address argument: hex (0x optional), a symbol, or SYMBOL:CPUSPEC for a
// per-cpu symbol (one address per CPU, cpu set).
struct AddressArg {
  uint64_t address = 0;
  std::optional<unsigned> cpu;
};
Result<std::vector<AddressArg>> resolve_address_arg(Program& prog, std::string_view word);

// The bytes a printer needs for a value of type t at address: all of it,
// except that arrays past gdb's 256-element limit are not read in full.
Result<std::vector<uint8_t>> read_for_print(Program& prog, const Type* t, uint64_t address);

// The next "$N" for `p` output in this session (gdb's value history).
int next_value_number(Session& session);

// A struct, union or typedef of one by name, as struct and * take it.
Result<const Type*> resolve_struct_or_union(const Types& types, const std::string& name);
// struct's output for one address: the whole "struct NAME {...}", or with
// members ("pid", "se.vruntime") crash's "  pid = 0," lines.
Status print_struct_value(CommandContext& ctx, const Type* t, const std::vector<std::string>& members,
                          uint64_t address, ValuePrinter& printer);

}  // namespace kinspect
