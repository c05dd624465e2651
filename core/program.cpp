#include "core/program.hpp"

#include <elf.h>

#include <cstring>
#include <future>

namespace kinspect {

namespace {

DumpMachine machine_from_name(std::string_view m) {
  if (m == "x86_64") return DumpMachine::x86_64;
  if (m == "aarch64" || m == "arm64") return DumpMachine::aarch64;
  return DumpMachine::unknown;
}

// new_utsname is six char[65] fields (include/uapi/linux/utsname.h).
constexpr size_t kUtsLen = 65;

Utsname parse_utsname(const uint8_t* p) {
  auto field = [&](int i) {
    const char* s = reinterpret_cast<const char*>(p + i * kUtsLen);
    return std::string(s, strnlen(s, kUtsLen));
  };
  return Utsname{field(0), field(1), field(2), field(3), field(4), field(5)};
}

}  // namespace

Result<std::unique_ptr<Program>> Program::open(const std::string& a, const std::string& b,
                                               const OpenOptions& opts) {
  // crash accepts the two files in either order; so do we.
  std::string vmlinux_path = a, dump_path = b;
  if (b.empty()) {
    dump_path = a;
    vmlinux_path.clear();
  } else {
    if (!looks_like_vmlinux(a) && looks_like_vmlinux(b)) std::swap(vmlinux_path, dump_path);
    if (!looks_like_vmlinux(vmlinux_path))
      return fail(Errc::invalid_argument,
                  "neither " + a + " nor " + b + " is a vmlinux (an ELF executable with symbols)");
  }

  auto prog = std::unique_ptr<Program>(new Program());
  prog->debuginfo_path_ = opts.debuginfo;
  ASSIGN_OR_RETURN(prog->dump_, open_dump(dump_path));
  const DumpInfo& info = prog->dump_->info();
  prog->vmcoreinfo_ = VmcoreInfo::parse(info.vmcoreinfo);
  if (vmlinux_path.empty()) {
    // The dump names its kernel: VMCOREINFO's BUILD-ID (5.9+, kernel
    // commit 0935288c6e00) and OSRELEASE.
    std::string build_id(prog->vmcoreinfo_.get("BUILD-ID").value_or(""));
    std::string release(prog->vmcoreinfo_.osrelease());
    if (release.empty() && info.uts_release) release = *info.uts_release;
    ASSIGN_OR_RETURN(vmlinux_path, find_vmlinux(prog->debuginfo_path_, build_id, release).context(dump_path));
  }
  ASSIGN_OR_RETURN(prog->vmlinux_, ElfImage::open(vmlinux_path));
  prog->zero_excluded_ = opts.zero_excluded;
  // The build-id settles a mismatch before anything is read through it.
  TRY_VOID(prog->check_build_id(opts));
  // The DWARF index builds (or loads) while the rest opens: symbols, page tables.
  TypesOptions topts;
  topts.progress = opts.progress;
  const ElfImage* types_elf = prog->vmlinux_.get();
  auto types_job = std::async(std::launch::async, [types_elf, topts] { return Types::open(*types_elf, topts); });

  DumpMachine m = info.machine;
  if (m == DumpMachine::unknown && info.uts_machine) m = machine_from_name(*info.uts_machine);
  auto vm = static_cast<DumpMachine>(prog->vmlinux_->machine());
  if (m == DumpMachine::unknown) m = vm;
  if (m != vm)
    return fail(Errc::mismatch, vmlinux_path + " is for ELF machine " +
                                    std::to_string(static_cast<int>(vm)) + " but " + dump_path +
                                    " is a dump of machine " + std::to_string(static_cast<int>(m)));
  ASSIGN_OR_RETURN(prog->arch_, make_arch(m));

  ArchEnv env;
  Dump* dump = prog->dump_.get();
  env.read_phys = [dump](uint64_t pa, std::span<uint8_t> out) { return dump->read_phys(pa, out); };
  env.vmcoreinfo = &prog->vmcoreinfo_;
  const ElfImage* elf = prog->vmlinux_.get();
  // One load of .symtab: at link addresses while the arch learns the KASLR
  // offset, then moved by it.
  SymbolTable& syms = prog->symbols_;
  TRY_VOID(load_vmlinux_symbols(*elf, 0, syms));
  env.vmlinux_symbol = [&syms](std::string_view name) -> std::optional<uint64_t> {
    if (const Symbol* s = syms.find(name)) return s->link_addr;
    return std::nullopt;
  };
  env.phys_ranges = prog->dump_->ranges();
  // Lets the arch find KASLR by comparing memory with the file when
  // VMCOREINFO has no KERNELOFFSET.
  env.read_vmlinux = [elf](uint64_t link, std::span<uint8_t> out) { return elf->read(link, out); };
  TRY_VOID(prog->arch_->init(env).context(dump_path));
  syms.relocate(prog->arch_->kaslr_offset());
  syms.finalize();
  TRY_VOID(prog->identify_kernel(opts));
  if (auto types = types_job.get(); types.ok()) {
    prog->types_ = std::move(types).value();
  } else {
    prog->warnings_.push_back("WARNING: no type information: " + types.error().message);
    prog->types_ = Types::empty(types.error().message);
  }
  return prog;
}

// Refuses a vmlinux that is not the dumped kernel: the build-id when
// VMCOREINFO has one (kernel commit 0935288c6e00, 5.9), else OSRELEASE, and
// in every case the linux_banner text in memory against the file's.
Status Program::identify_kernel(const OpenOptions& opts) {
  std::vector<std::string> problems;
  const std::string& vpath = vmlinux_->path();
  const std::string& dpath = dump_->path();

  // The release strings, from memory and from the file.
  auto uts_sym = symbols_.find("init_uts_ns");
  int64_t name_off = vmcoreinfo_.offset("uts_namespace.name").value_or(-1);
  if (uts_sym && name_off < 0) {
    // Without VMCOREINFO, find the layout by looking for "Linux" at the
    // start of each candidate field offset: kref (4 bytes) preceded name
    // before kernel 5.11, name comes first since.
    for (int64_t cand : {0, 4, 8}) {
      char buf[6] = {};
      if (read(uts_sym->addr + cand, std::span(reinterpret_cast<uint8_t*>(buf), 5)).ok() &&
          std::string_view(buf, 5) == "Linux") {
        name_off = cand;
        break;
      }
    }
  }
  if (uts_sym && name_off >= 0) {
    uint8_t raw[6 * kUtsLen];
    if (auto st = read(uts_sym->addr + name_off, raw); st.ok()) {
      utsname_ = parse_utsname(raw);
    } else {
      warnings_.push_back("cannot read init_uts_ns: " + st.error().to_string());
    }
    // The file's copy of the same bytes (link-time address).
    if (auto link = link_address(uts_sym->addr); link) {
      uint8_t file_raw[6 * kUtsLen];
      if (vmlinux_->read(*link + name_off, file_raw).ok() && !utsname_.release.empty()) {
        Utsname f = parse_utsname(file_raw);
        if (f.release != utsname_.release || f.version != utsname_.version)
          problems.push_back(vpath + " is " + f.release + " " + f.version + " but " + dpath +
                             " holds " + utsname_.release + " " + utsname_.version);
      }
    }
  }
  if (auto rel = vmcoreinfo_.osrelease(); !rel.empty() && utsname_.release.empty()) {
    utsname_.release = std::string(rel);
  }
  if (utsname_.release.empty() && dump_->info().uts_release) utsname_.release = *dump_->info().uts_release;

  if (problems.empty()) return {};
  std::string msg;
  for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
  if (opts.force_mismatch) {
    warnings_.push_back("WARNING: " + msg);
    return {};
  }
  return fail(Errc::mismatch, msg + " (this vmlinux does not match the dump; --force opens it anyway)");
}

bool Program::load_module_on_demand(std::string_view module) const {
  if (types_ && types_->module_dwarf(module)) return true;
  if (!autoload_ || !module_loader_ || autoload_tried_.count(module)) return false;
  autoload_tried_.emplace(module);
  return module_loader_(module);
}

Status Program::check_build_id(const OpenOptions& opts) {
  auto bid = vmcoreinfo_.get("BUILD-ID");
  const std::string& mine = vmlinux_->build_id();
  if (!bid || mine.empty() || mine.starts_with(*bid) || bid->starts_with(mine)) return {};
  std::string msg = "build-id " + mine + " of " + vmlinux_->path() + " differs from BUILD-ID " + *bid +
                    " in " + dump_->path();
  if (opts.force_mismatch) {
    warnings_.push_back("WARNING: " + msg);
    return {};
  }
  return fail(Errc::mismatch, msg + " (this vmlinux does not match the dump; --force opens it anyway)");
}

std::optional<uint64_t> Program::link_address(uint64_t runtime) const {
  const ElfSection* s = vmlinux_->section_at(runtime - arch_->kaslr_offset());
  if (!s) return std::nullopt;
  return runtime - arch_->kaslr_offset();
}

Status Program::read_phys(uint64_t paddr, std::span<uint8_t> out) {
  if (!zero_excluded_) return dump_->read_phys(paddr, out);
  // Page by page, so one excluded page zeroes only itself.
  const uint64_t page = arch_->page_size();
  size_t done = 0;
  while (done < out.size()) {
    uint64_t pa = paddr + done;
    size_t n = static_cast<size_t>(std::min<uint64_t>(page - (pa & (page - 1)), out.size() - done));
    auto part = out.subspan(done, n);
    if (auto st = dump_->read_phys(pa, part); !st) {
      if (st.error().code != Errc::excluded) return st;
      std::fill(part.begin(), part.end(), 0);
    }
    done += n;
  }
  return {};
}

Result<uint64_t> Program::kernel_page_paddr(uint64_t vpage) {
  constexpr size_t kTlbSize = 512;
  if (tlb_.empty()) tlb_.resize(kTlbSize);
  TlbEntry& e = tlb_[(vpage / arch_->page_size()) % kTlbSize];
  if (e.vpage == vpage) return e.ppage;
  auto t = arch_->kvtop(vpage);
  if (!t) return fail(std::move(t).error());
  e = TlbEntry{vpage, t->paddr};  // a huge page is cached one base page at a time
  return t->paddr;
}

Status Program::read(uint64_t vaddr, std::span<uint8_t> out) {
  const uint64_t page = arch_->page_size();
  size_t done = 0;
  while (done < out.size()) {
    uint64_t va = vaddr + done;
    auto ppage = kernel_page_paddr(va & ~(page - 1));
    if (!ppage) {
      // Walked again at the exact address, for an error that names it.
      auto t = arch_->kvtop(va);
      Error e = t ? std::move(ppage).error() : std::move(t).error();
      return fail(std::move(e).context("reading kernel address " + hex(va)));
    }
    uint64_t in_page = page - (va & (page - 1));
    size_t n = static_cast<size_t>(std::min<uint64_t>(in_page, out.size() - done));
    if (auto st = read_phys(*ppage + (va & (page - 1)), out.subspan(done, n)); !st)
      return fail(std::move(st).error().context("reading kernel address " + hex(va)));
    done += n;
  }
  return {};
}

Result<uint64_t> Program::read_u64(uint64_t vaddr) {
  uint64_t v = 0;
  TRY_VOID(read(vaddr, std::span(reinterpret_cast<uint8_t*>(&v), sizeof v)));
  return v;
}

Result<uint32_t> Program::read_u32(uint64_t vaddr) {
  uint32_t v = 0;
  TRY_VOID(read(vaddr, std::span(reinterpret_cast<uint8_t*>(&v), sizeof v)));
  return v;
}

Result<std::string> Program::read_string(uint64_t vaddr, size_t max) {
  std::string s;
  uint8_t buf[64];
  while (s.size() < max) {
    size_t n = std::min<size_t>(sizeof buf, max - s.size());
    // Never cross into the next page in one read: the string may end first.
    uint64_t to_page = 4096 - ((vaddr + s.size()) & 4095);
    n = std::min<size_t>(n, to_page);
    TRY_VOID(read(vaddr + s.size(), std::span(buf, n)));
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] == 0) return s;
      s += static_cast<char>(buf[i]);
    }
  }
  return s;
}

Result<uint64_t> Program::symbol_address(std::string_view name) const {
  if (const Symbol* s = symbols_.find(name)) return s->addr;
  return fail(Errc::not_found, "no symbol \"" + std::string(name) + "\"");
}

}  // namespace kinspect
