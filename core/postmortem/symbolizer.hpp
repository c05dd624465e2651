// Symbolizer: turns a call-trace location as the log printed it
// ("csd_waiter+0x110/0x138 [csd_lockup]") into source: the function,
// file:line and the chain of inlined functions around it, as the kernel's
// scripts/faddr2line (addr2line -i -f) prints them, from the vmlinux and
// the modules' debug files alone.
//
// Decision: no Program. A log has no dump to read, and everything needed
// is in the ELF files, so this opens each file as a libdwfl "offline"
// module (vmlinux at its link address; a module's ET_REL .ko laid out and
// relocated by libdwfl, which also decompresses .ko.xz/.zst). Symbols are
// located by name, so KASLR and module load addresses never matter. libdw
// finds the compilation unit of an address through .debug_aranges; nothing
// is indexed up front, so a 30-frame log costs 30 lookups, not a DWARF scan.
//
// A call-trace frame is a return address, the instruction after the call;
// like scripts/faddr2line and addr2line, the address is resolved as
// printed (not minus one), so the answers are addr2line's.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/postmortem/report.hpp"

typedef struct Dwfl Dwfl;
typedef struct Dwfl_Module Dwfl_Module;

namespace kinspect {

class ElfImage;

// One line of addr2line -i output: a function and where in it the address
// (innermost) or the call of the next inner function (outer ones) is.
struct SourceFrame {
  std::string function;
  std::string file;
  int line = 0;
  unsigned discriminator = 0;
};

struct SymbolizedLocation {
  std::string object;    // "vmlinux" or the module's debug file
  uint64_t address = 0;  // in that object's address space (link-time / libdwfl's module layout)
  uint64_t symbol_size = 0;
  std::vector<SourceFrame> chain;  // innermost first; empty without DWARF for the address
  // Set when the log's "+off/size" cannot be this object's: the symbol is
  // missing, or has another size, or the offset is past its end.
  std::string mismatch;
};

// Where a module's debug file is (module name -> path), as mod -S finds it.
using ModuleFileFinder = std::function<std::optional<std::string>(const std::string& module)>;

class Symbolizer {
 public:
  static Result<std::unique_ptr<Symbolizer>> open(const std::string& vmlinux, ModuleFileFinder find_module);
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  uint16_t machine() const;  // EM_X86_64 or EM_AARCH64
  // The kernel release in the vmlinux's linux_banner ("Linux version R
  // ..."), "" when it has none.
  const std::string& release() const { return release_; }
  const std::string& vmlinux_path() const;

  // Resolves a location with a symbol (or a bare vmlinux address).
  Result<SymbolizedLocation> resolve(const CodeLocation& loc);
  // Bytes of the object's text at a resolved address (for Code: lines).
  Status read_text(const SymbolizedLocation& at, std::span<uint8_t> out);
  // The function start of a resolved address and its symbol's name.
  std::optional<std::pair<uint64_t, std::string>> symbol_start(const SymbolizedLocation& at);
  // The name of the symbol covering an address of the object ("" if none),
  // with the offset into it.
  std::optional<std::pair<std::string, uint64_t>> symbol_at(const std::string& object, uint64_t addr);
  // Source chain of an address of the object.
  std::vector<SourceFrame> source_chain(const std::string& object, uint64_t addr);

  struct Object;

 private:
  Symbolizer() = default;
  Result<Object*> object_for(const std::string& module);

  std::string vmlinux_path_;
  std::string release_;
  uint16_t machine_ = 0;
  ModuleFileFinder find_module_;
  std::map<std::string, std::unique_ptr<Object>> objects_;  // by module name, "" = vmlinux
  std::map<std::string, Error> failed_;                    // modules whose file was not found
};

}  // namespace kinspect
