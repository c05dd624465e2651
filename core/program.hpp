// Program: one open dump and everything needed to read it as the kernel saw
// it: physical memory, the architecture's translation, vmlinux symbols and
// VMCOREINFO. Commands and the kernel-object layer read through it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "arch/arch.hpp"
#include "core/dump/dump.hpp"
#include "core/debuginfo/debuginfo_path.hpp"
#include "core/elf_image.hpp"
#include "core/error.hpp"
#include "core/symbols/symbol_table.hpp"
#include "core/types/types.hpp"
#include "core/vmcoreinfo.hpp"

namespace kinspect {

// Progress lines for slow steps (index builds); the REPL prints them on a
// terminal's stderr only.
using ProgressFn = std::function<void(std::string_view)>;

struct OpenOptions {
  // Open even when the vmlinux does not match the dump (prints a warning).
  bool force_mismatch = false;
  // Read pages the dump excluded as zeros, as crash's --zero_excluded does,
  // instead of failing with "page excluded from dump".
  bool zero_excluded = false;
  ProgressFn progress;
  // Where the vmlinux is looked for when none is given (by the dump's
  // build-id, then its release), and later module debug files.
  DebuginfoPath debuginfo;
};

// The kernel's struct new_utsname, read from init_uts_ns in the dump.
struct Utsname {
  std::string sysname, nodename, release, version, machine, domainname;
};

class Program {
 public:
  // Opens a vmlinux and a vmcore given in either order (told apart by content).
  // With b empty, a is the vmcore and the vmlinux is found through
  // opts.debuginfo (core/debuginfo/debuginfo_path.hpp).
  static Result<std::unique_ptr<Program>> open(const std::string& a, const std::string& b,
                                                const OpenOptions& opts = {});

  const std::string& vmlinux_path() const { return vmlinux_->path(); }
  const std::string& dump_path() const { return dump_->path(); }
  Dump& dump() { return *dump_; }
  const DumpInfo& dump_info() const { return dump_->info(); }
  const Arch& arch() const { return *arch_; }
  const VmcoreInfo& vmcoreinfo() const { return vmcoreinfo_; }
  const ElfImage& vmlinux() const { return *vmlinux_; }
  const SymbolTable& symbols() const { return symbols_; }
  SymbolTable& symbols() { return symbols_; }
  const Utsname& utsname() const { return utsname_; }
  // DWARF types of vmlinux (core/types/types.hpp); without DWARF every
  // lookup fails with one line saying so.
  const Types& types() const { return *types_; }
  Types& types() { return *types_; }  // mod -s adds module debuginfo
  // Where debug files are searched: -d DIR, `set debuginfo-path`.
  DebuginfoPath& debuginfo_path() { return debuginfo_path_; }
  const DebuginfoPath& debuginfo_path() const { return debuginfo_path_; }
  // Module debuginfo on demand. The loader (installed by the session, which
  // knows how modules' debug files are found) runs at most once per module,
  // when a frame, line or CFI lookup needs that module's DWARF, while
  // autoload is on (`set autoload`). Returns whether the module's DWARF is
  // now loaded. Const: loading is a cache fill, invisible to the caller.
  using ModuleLoader = std::function<bool(std::string_view module)>;
  void set_module_loader(ModuleLoader loader) { module_loader_ = std::move(loader); }
  bool autoload() const { return autoload_; }
  void set_autoload(bool on) { autoload_ = on; }
  bool load_module_on_demand(std::string_view module) const;

  // Warnings gathered while opening (e.g. a forced mismatch), shown at startup.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Kernel virtual memory through the architecture's page tables.
  Status read(uint64_t vaddr, std::span<uint8_t> out);
  Status read_phys(uint64_t paddr, std::span<uint8_t> out);
  Result<uint64_t> read_u64(uint64_t vaddr);
  Result<uint32_t> read_u32(uint64_t vaddr);
  Result<std::string> read_string(uint64_t vaddr, size_t max);

  // Run-time address of a symbol or a not_found error naming it.
  Result<uint64_t> symbol_address(std::string_view name) const;

 private:
  Program() = default;
  Status identify_kernel(const OpenOptions& opts);
  Status check_build_id(const OpenOptions& opts);
  // Link-time vmlinux address of a run-time kernel-image address.
  std::optional<uint64_t> link_address(uint64_t runtime) const;
  // The physical page of a kernel virtual page, walked once: the dump's
  // kernel page tables never change, and walking them (four reads of
  // page-table pages) for every read of a vmalloc'ed stack was the largest
  // cost of walking every task's stack. Direct-mapped; only successful
  // translations are kept.
  Result<uint64_t> kernel_page_paddr(uint64_t vpage);
  struct TlbEntry {
    uint64_t vpage = 1;  // never a page base
    uint64_t ppage = 0;
  };
  std::vector<TlbEntry> tlb_;

  std::unique_ptr<ElfImage> vmlinux_;
  std::unique_ptr<Dump> dump_;
  std::unique_ptr<Arch> arch_;
  VmcoreInfo vmcoreinfo_;
  SymbolTable symbols_;
  std::unique_ptr<Types> types_;
  Utsname utsname_;
  std::vector<std::string> warnings_;
  bool zero_excluded_ = false;
  DebuginfoPath debuginfo_path_;
  ModuleLoader module_loader_;
  bool autoload_ = true;
  mutable std::set<std::string, std::less<>> autoload_tried_;  // failures are not retried
};

}  // namespace kinspect
