// Arch: everything that differs between x86_64 and arm64, behind one table of
// hooks. Per-arch state (bases, paging form, KASLR offset) lives inside the
// Arch object, never in Program. registry.cpp is the one place that maps an
// ELF machine or a VMCOREINFO arch name to an Arch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dump/dump.hpp"
#include "core/error.hpp"
#include "core/vmcoreinfo.hpp"

namespace kinspect {

class Program;
class ArchUnwinder;

// What an Arch may use while it learns the kernel's layout.
struct ArchEnv {
  // Physical memory of the dump (errors carry the address: excluded, absent).
  std::function<Status(uint64_t paddr, std::span<uint8_t> out)> read_phys;
  const VmcoreInfo* vmcoreinfo = nullptr;  // may be empty (old or stripped dumps)
  // Link-time (unrelocated) address of a vmlinux symbol, if it has one.
  std::function<std::optional<uint64_t>(std::string_view name)> vmlinux_symbol;
  // Physical ranges of the dump, for searching memory when VMCOREINFO is silent.
  std::vector<PhysRange> phys_ranges;
  // Bytes of the vmlinux file at a link-time address (section contents), used
  // to find the kernel in memory when VMCOREINFO has no KERNELOFFSET. May be
  // empty; then a dump without KERNELOFFSET is taken as unrelocated.
  std::function<Status(uint64_t link_addr, std::span<uint8_t> out)> read_vmlinux;
};

// One level of a paging form, top to bottom: x86_64 4-level is
// PGD(39,9) PUD(30,9) PMD(21,9) PTE(12,9); the page offset is the rest.
struct PagingLevel {
  std::string name;    // crash's names: "PML4"/"PGD", "PUD", "PMD", "PTE"
  unsigned shift = 0;  // lowest virtual-address bit this level indexes
  unsigned bits = 0;   // number of index bits
  // An entry here may map memory directly (x86 PSE page, arm64 block) of
  // 1 << shift bytes. Always true for the last level.
  bool leaf_allowed = false;
};

// See arch/paging_form.hpp for the constructors and describe().
struct PagingForm {
  std::string name;        // "x86_64 4-level, 4K pages", "arm64 4K granule, 48-bit VA"
  unsigned page_shift = 12;
  unsigned va_bits = 48;
  std::vector<PagingLevel> levels;  // top (root) first
  unsigned entry_size = 8;
};

// One step of a page-table walk: the entry read at entry_paddr.
struct VtopStep {
  std::string level;       // PagingLevel::name
  uint64_t table_paddr = 0;
  uint64_t entry_paddr = 0;
  uint64_t entry = 0;
};

struct Translation {
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t page_size = 0;        // 4K, 2M, 1G, 64K, 512M, ...
  uint64_t root_paddr = 0;       // page-table root used, 0 for walk-free translations
  std::vector<VtopStep> steps;   // empty when translated without a walk
  // "direct map" (arm64: linear map), "kernel text" (the whole image), "vmalloc",
  // "vmemmap", "module", "user", or "kernel" (x86_64 fixmap, cpu_entry_area, ...).
  std::string region;
};

class Arch {
 public:
  virtual ~Arch() = default;
  virtual std::string_view name() const = 0;  // crash's MACHINE name: "x86_64", "arm64"
  virtual DumpMachine machine() const = 0;
  virtual unsigned pointer_size() const { return 8; }
  virtual uint64_t page_size() const = 0;

  // Learns the layout of the running kernel: KASLR offset, bases, paging form.
  virtual Status init(const ArchEnv& env) = 0;

  virtual uint64_t kaslr_offset() const = 0;
  // How the offset was found, for `sys -i`-style reporting and error text:
  // "VMCOREINFO KERNELOFFSET" or "linux_banner found at paddr 0x...".
  virtual std::string kaslr_source() const = 0;

  virtual const PagingForm& kernel_paging() const = 0;
  // Physical address of the kernel's page-table root (init_top_pgt,
  // swapper_pg_dir); 0 when unknown.
  virtual uint64_t kernel_root() const = 0;
  // Named layout values (page_offset_base, vmalloc_base, ...) for display.
  virtual std::vector<std::pair<std::string, uint64_t>> layout() const = 0;

  // Kernel virtual -> physical. Errors: not_present (naming the level and
  // entry), excluded (a page-table page filtered from the dump).
  virtual Result<Translation> kvtop(uint64_t vaddr) const = 0;
  // Kernel virtual -> physical by walking the kernel page tables even where
  // kvtop would compute (direct map, kernel image): for `vtop` to show the
  // entries, and to check the arithmetic against the tables.
  virtual Result<Translation> kwalk(uint64_t vaddr) const = 0;
  // User virtual -> physical through the page-table root at root_paddr (mm->pgd translated).
  virtual Result<Translation> uvtop(uint64_t root_paddr, uint64_t vaddr) const = 0;
  // Physical -> direct-map virtual address.
  virtual std::optional<uint64_t> ptov(uint64_t paddr) const = 0;
  virtual bool is_kernel_address(uint64_t vaddr) const = 0;
  // Strips pointer-authentication and tag bits (arm64); identity on x86_64.
  virtual uint64_t strip_code_pointer(uint64_t v) const { return v; }
  // The registers a called function must preserve, as a mask of DWARF
  // register numbers (x86_64: rbx rbp r12-r15; arm64: x19-x29): a caller's
  // value survives in them unless the callee saved and reused them.
  virtual uint64_t callee_saved_dwarf_registers() const = 0;
  // The name of a DWARF register number ("rbx", "x19"); empty if none.
  virtual std::string dwarf_register_name(unsigned reg) const = 0;
  // "(PRESENT|RW|ACCESSED|DIRTY|PSE|GLOBAL|NX)" style names of a PTE's bits.
  virtual std::string pte_flags(uint64_t pte) const = 0;
  // Address of the struct page for a physical address, when vmemmap is known.
  virtual std::optional<uint64_t> page_struct(uint64_t paddr) const = 0;
  // crash's `vtop` lines for a kernel walk, between the VIRTUAL/PHYSICAL
  // header and the PTE table: the directory, each level's entry, "  PAGE:".
  // Each architecture names and addresses the levels its own way.
  virtual std::string walk_text(const Translation& t) const = 0;
  // The program counter in an NT_PRSTATUS note's pr_reg block (x86_64
  // user_regs_struct.ip, arm64 user_pt_regs.pc); nullopt if the block is short.
  virtual std::optional<uint64_t> prstatus_pc(std::span<const uint8_t> pr_reg) const = 0;
  // The page frame a leaf entry maps: the PHYSICAL column of crash's PTE table.
  virtual uint64_t pte_page(uint64_t pte) const = 0;
  // The stack unwinder of this architecture (core/unwind/unwind.hpp), bound
  // to one open Program.
  virtual Result<std::unique_ptr<ArchUnwinder>> make_unwinder(Program& prog) const = 0;
};

// registry.cpp: the single machine -> Arch mapping.
Result<std::unique_ptr<Arch>> make_arch(DumpMachine machine);
// VMCOREINFO / utsname machine names: "x86_64", "aarch64", "arm64".
Result<std::unique_ptr<Arch>> make_arch(std::string_view machine_name);

}  // namespace kinspect
