// Object: a typed value in the dumped kernel, read through Program. Either an
// lvalue (a type at an address, possibly a bitfield) or a value held in bytes
// (the result of arithmetic, a register). Every accessor returns a Result, so
// an unreadable page or an unknown member is one error, never a crash.
//
//   ASSIGN_OR_RETURN(Object init, variable(prog, "init_task"));
//   int64_t pid = *init.member("pid")->as_int();
//   Object next = *init.member("tasks.next")->deref();        // struct list_head
//   uint64_t sec = *(*variable(prog, "tk_core"))
//                      .member("timekeeper.xtime_sec")->as_u64();
//   Object rq3  = *per_cpu(prog, "runqueues", 3);
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/types/type.hpp"

namespace kinspect {

class Program;
class Types;

class Object {
 public:
  Object() = default;
  // T at address (an lvalue).
  static Object at(Program& prog, const Type* type, uint64_t address);
  // A value of type T held in bytes (an rvalue); bytes are copied.
  static Object from_bytes(Program& prog, const Type* type, std::span<const uint8_t> bytes);
  // An integer or pointer value of type T (truncated to its size).
  static Object from_u64(Program& prog, const Type* type, uint64_t v);

  Program& program() const { return *prog_; }
  const Type* type() const { return type_; }
  bool is_lvalue() const { return lvalue_; }
  uint64_t address() const { return addr_; }  // lvalues only
  bool is_bitfield() const { return bit_size_ != 0; }
  uint32_t bit_size() const { return bit_size_; }
  uint32_t bit_offset() const { return bit_off_; }  // bits from address()

  // A member by path ("pid", "se.vruntime", "pid_links[1].next", anonymous
  // members looked through). On a pointer to a struct or union, the pointer
  // is followed first.
  Result<Object> member(std::string_view path) const;
  // *p: the object a pointer points at (an error for void * and null).
  Result<Object> deref() const;
  // a[i] for arrays, p[i] for pointers.
  Result<Object> index(int64_t i) const;
  // &obj as a pointer value.
  Result<Object> address_of() const;
  // The same bits seen as another type: integers and pointers convert by
  // value; an lvalue of any type can be reinterpreted at its address.
  Result<Object> cast(const Type* to) const;

  // Integers, enums, bools, pointers and bitfields, zero- or sign-extended
  // by the type.
  Result<uint64_t> as_u64() const;
  Result<int64_t> as_int() const;
  Result<double> as_double() const;
  // A char array (up to its NUL or length) or a char pointer's string (up to max).
  Result<std::string> as_string(size_t max = 4096) const;
  // The object's bytes: type size bytes from memory, or the held value.
  Result<std::vector<uint8_t>> bytes() const;

  // "struct task_struct at 0xffff..." for error context.
  std::string describe() const;

 private:
  Program* prog_ = nullptr;
  const Type* type_ = nullptr;
  bool lvalue_ = false;
  uint64_t addr_ = 0;
  uint32_t bit_off_ = 0;
  uint32_t bit_size_ = 0;
  std::vector<uint8_t> value_;
};

// A global variable as an lvalue at its run-time address, typed from DWARF.
Result<Object> variable(Program& prog, std::string_view name);
// A per-cpu variable's instance for one CPU (x86_64's zero-based per-cpu
// symbols and arm64's in-section ones both add __per_cpu_offset[cpu]).
Result<Object> per_cpu(Program& prog, std::string_view name, unsigned cpu);
Result<uint64_t> per_cpu_address(Program& prog, uint64_t symbol_address, unsigned cpu);
// True when the symbol of that address is a per-cpu one.
bool is_per_cpu_symbol(Program& prog, std::string_view name);
// nr_cpu_ids from the dump (the CPUs that have a __per_cpu_offset slot in use).
Result<unsigned> nr_cpu_ids(Program& prog);

// Extracts bits [bit_off, bit_off + bit_size) of little-endian bytes.
uint64_t extract_bits(std::span<const uint8_t> bytes, uint64_t bit_off, uint32_t bit_size);
// Loads an integer of `size` bytes, sign-extending when is_signed.
uint64_t load_integer(std::span<const uint8_t> bytes, size_t size, bool is_signed);

}  // namespace kinspect
