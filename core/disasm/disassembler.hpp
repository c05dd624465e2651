// Disassembler: one machine instruction at a time through GNU libopcodes
// (binutils' own decoder, so the text is objdump's and gdb's): AT&T syntax
// on x86_64, the A64 syntax on arm64. It knows nothing of dumps, symbols or
// commands: bytes come in as a span, and every address libopcodes prints
// symbolically (branch and call targets, RIP-relative operands, adrp pages)
// goes through a caller-supplied printer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

enum class DisasmArch { x86_64, aarch64 };

// Text printed for an address operand, e.g. "0xffffffff81a114f0 <schedule>".
// The default prints "0x" and the hex address, as gdb does with no symbol.
using AddressPrinter = std::function<std::string(uint64_t addr)>;

struct Instruction {
  uint64_t addr = 0;
  unsigned length = 0;
  // The instruction as libopcodes prints it, e.g. "call   0xffffffff810b8ff0
  // <wq_worker_sleeping>" or "stp\tx29, x30, [sp, #-160]!"; no trailing blanks.
  std::string text;
  // Each address libopcodes printed through the printer, in order.
  std::vector<uint64_t> addresses;
  // libopcodes could not decode the bytes ("(bad)" on x86_64, ".inst ...
  // ; undefined" on arm64): the text says so, and length is what it skipped.
  bool invalid = false;
};

class Disassembler {
 public:
  static Result<std::unique_ptr<Disassembler>> create(DisasmArch arch);
  ~Disassembler();
  Disassembler(const Disassembler&) = delete;
  Disassembler& operator=(const Disassembler&) = delete;

  DisasmArch arch() const { return arch_; }
  // The longest instruction: 15 bytes on x86_64, 4 on arm64.
  unsigned max_length() const { return arch_ == DisasmArch::x86_64 ? 15 : 4; }

  // Decodes the instruction at addr; bytes[0] is the byte at addr. Fails
  // (Errc::truncated) when the instruction needs bytes past the span.
  Result<Instruction> decode(uint64_t addr, std::span<const uint8_t> bytes,
                             const AddressPrinter& print_address = {});

  struct State;  // libopcodes' disassemble_info and our buffers

 private:
  explicit Disassembler(DisasmArch arch);
  DisasmArch arch_;
  std::unique_ptr<State> state_;
};

// The 5-byte NOP x86_64 kernels patch over `call __fentry__` when a function
// is not traced (0f 1f 44 00 00, "nopl 0x0(%rax,%rax,1)").
bool is_x86_ftrace_nop(std::span<const uint8_t> bytes);

}  // namespace kinspect
