#include "core/disasm/disassembler.hpp"

#include <dis-asm.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace kinspect {

struct Disassembler::State {
  disassemble_info info{};
  disassembler_ftype print_insn = nullptr;
  // Per decode() call:
  std::span<const uint8_t> bytes;
  uint64_t base = 0;
  std::string text;
  std::vector<uint64_t> addresses;
  const AddressPrinter* printer = nullptr;
  bool memory_error = false;
  uint64_t error_addr = 0;
};

namespace {

void append_vformat(std::string& out, const char* fmt, va_list ap) {
  char buf[256];
  va_list copy;
  va_copy(copy, ap);
  int n = std::vsnprintf(buf, sizeof buf, fmt, copy);
  va_end(copy);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof buf) {
    out.append(buf, static_cast<size_t>(n));
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  big.resize(static_cast<size_t>(n));
  out += big;
}

Disassembler::State* state_of(void* stream) { return static_cast<Disassembler::State*>(stream); }

int plain_printf(void* stream, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  append_vformat(state_of(stream)->text, fmt, ap);
  va_end(ap);
  return 0;
}

// Styles (mnemonic, register, immediate...) are for colour; the text is
// the same without them.
int styled_printf(void* stream, enum disassembler_style, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  append_vformat(state_of(stream)->text, fmt, ap);
  va_end(ap);
  return 0;
}

int read_memory(bfd_vma memaddr, bfd_byte* myaddr, unsigned int length, disassemble_info* info) {
  auto* s = state_of(info->stream);
  uint64_t addr = memaddr;
  if (addr < s->base || addr - s->base > s->bytes.size() ||
      length > s->bytes.size() - (addr - s->base)) {
    // libopcodes does not always report a short read (x86 prints a lone
    // prefix such as "rex.W" instead), so remember it here.
    if (!s->memory_error) s->error_addr = addr;
    s->memory_error = true;
    return -1;  // any non-zero value is an error to libopcodes
  }
  std::memcpy(myaddr, s->bytes.data() + (addr - s->base), length);
  return 0;
}

void memory_error(int, bfd_vma memaddr, disassemble_info* info) {
  auto* s = state_of(info->stream);
  if (!s->memory_error) s->error_addr = memaddr;
  s->memory_error = true;
}

void print_address(bfd_vma addr, disassemble_info* info) {
  auto* s = state_of(info->stream);
  s->addresses.push_back(addr);
  if (s->printer && *s->printer) {
    s->text += (*s->printer)(addr);
  } else {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addr));
    s->text += buf;
  }
}

// No symbol table is handed to libopcodes: symbols are the printer's job.
asymbol* no_symbol_at(bfd_vma, disassemble_info*) { return nullptr; }

}  // namespace

Result<std::unique_ptr<Disassembler>> Disassembler::create(DisasmArch arch) {
  std::unique_ptr<Disassembler> d(new Disassembler(arch));
  d->state_ = std::make_unique<State>();
  disassemble_info& info = d->state_->info;
  init_disassemble_info(&info, d->state_.get(), plain_printf, styled_printf);
  enum bfd_architecture bfd_arch;
  unsigned long mach;
  switch (arch) {
    case DisasmArch::x86_64:
      bfd_arch = bfd_arch_i386;
      mach = bfd_mach_x86_64;
      break;
    case DisasmArch::aarch64:
      bfd_arch = bfd_arch_aarch64;
      mach = bfd_mach_aarch64;
      break;
    default:
      return fail(Errc::unsupported, "no disassembler for this architecture");
  }
  info.arch = bfd_arch;
  info.mach = mach;
  info.endian = BFD_ENDIAN_LITTLE;
  info.endian_code = BFD_ENDIAN_LITTLE;
  info.flavour = bfd_target_elf_flavour;
  info.read_memory_func = read_memory;
  info.memory_error_func = memory_error;
  info.print_address_func = print_address;
  info.symbol_at_address_func = no_symbol_at;
  disassemble_init_for_target(&info);
  d->state_->print_insn = disassembler(bfd_arch, /*big=*/false, mach, nullptr);
  if (!d->state_->print_insn)
    return fail(Errc::unsupported, "libopcodes has no disassembler for this architecture");
  return d;
}

Disassembler::Disassembler(DisasmArch arch) : arch_(arch) {}

Disassembler::~Disassembler() {
  if (state_) disassemble_free_target(&state_->info);
}

Result<Instruction> Disassembler::decode(uint64_t addr, std::span<const uint8_t> bytes,
                                         const AddressPrinter& printer) {
  State& s = *state_;
  s.bytes = bytes;
  s.base = addr;
  s.text.clear();
  s.addresses.clear();
  s.printer = &printer;
  s.memory_error = false;
  s.info.stop_vma = 0;
  s.info.insn_info_valid = 0;
  if (bytes.empty())
    return fail(Errc::truncated, "no bytes to disassemble at " + hex(addr), addr);
  int n = s.print_insn(addr, &s.info);
  s.printer = nullptr;
  if (s.memory_error || n <= 0) {
    uint64_t at = s.memory_error ? s.error_addr : addr;
    return fail(Errc::truncated, "instruction at " + hex(addr) + " runs past the bytes read (" +
                                     hex(at) + ")", at);
  }
  Instruction insn;
  insn.addr = addr;
  insn.length = static_cast<unsigned>(n);
  while (!s.text.empty() && (s.text.back() == ' ' || s.text.back() == '\t')) s.text.pop_back();
  insn.text = std::move(s.text);
  insn.addresses = std::move(s.addresses);
  insn.invalid = insn.text == "(bad)" || insn.text.rfind("(bad)", 0) == 0 ||
                 insn.text.rfind(".byte", 0) == 0 || insn.text.rfind(".inst", 0) == 0;
  s.text = std::string();
  return insn;
}

bool is_x86_ftrace_nop(std::span<const uint8_t> b) {
  static constexpr uint8_t kNop5[] = {0x0f, 0x1f, 0x44, 0x00, 0x00};
  return b.size() >= 5 && std::memcmp(b.data(), kNop5, 5) == 0;
}

}  // namespace kinspect
