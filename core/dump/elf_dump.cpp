#include "core/dump/elf_dump.hpp"

#include <algorithm>
#include <cstring>

#include "core/dump/bytes.hpp"
#include "core/dump/elf_notes.hpp"
#include "core/dump/probe.hpp"

namespace kinspect {

using namespace dumpbytes;

namespace {

// ELF64 layout facts (elf(5)); offsets into the file header, program and
// section header entries.
constexpr size_t kEhdrSize = 64;
constexpr size_t kPhdrSize = 56;
constexpr size_t kShdrSize = 64;
constexpr uint16_t kEtCore = 4;
constexpr uint32_t kPtLoad = 1, kPtNote = 4;
constexpr uint16_t kPnXnum = 0xffff;

struct Phdr {
  uint32_t type;
  uint64_t offset, vaddr, paddr, filesz, memsz;
};

Phdr parse_phdr(std::span<const uint8_t> b) {
  return Phdr{le32(b, 0), le64(b, 8), le64(b, 16), le64(b, 24), le64(b, 32), le64(b, 40)};
}

bool add_overflows(uint64_t a, uint64_t b) { return a + b < a; }

// Sorts PT_LOADs by address and clips overlaps so that each physical byte has
// one home: /proc/vmcore repeats the kernel text segment inside a RAM
// segment; both hold the same bytes, the first (lowest start, longest) wins.
std::vector<ElfDump::Piece> make_pieces(std::vector<ElfDump::Piece> segs) {
  std::sort(segs.begin(), segs.end(), [](const auto& a, const auto& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  std::vector<ElfDump::Piece> out;
  uint64_t covered = 0;
  bool any = false;
  for (auto s : segs) {
    if (s.end <= s.start) continue;
    if (any && s.end <= covered) continue;
    if (any && s.start < covered) {
      uint64_t delta = covered - s.start;
      s.start = covered;
      s.file_off += delta;
      s.file_len = s.file_len > delta ? s.file_len - delta : 0;
    }
    out.push_back(s);
    covered = s.end;
    any = true;
  }
  return out;
}

DumpMachine machine_from(uint16_t e_machine) {
  switch (e_machine) {
    case 62: return DumpMachine::x86_64;
    case 183: return DumpMachine::aarch64;
    default: return DumpMachine::unknown;
  }
}

Status read_notes(const ByteSource& src, const Phdr& ph, DumpInfo& info) {
  const std::string& name = src.name();
  if (ph.filesz == 0) return {};
  if (ph.filesz > kMaxNoteBytes) {
    info.warnings.push_back(name + ": PT_NOTE at offset " + hex(ph.offset) + " claims " +
                            std::to_string(ph.filesz) + " bytes, more than any kernel writes; ignored");
    return {};
  }
  if (ph.offset > src.size() || ph.filesz > src.size() - ph.offset) {
    info.warnings.push_back(name + ": PT_NOTE at offset " + hex(ph.offset) + " (" +
                            std::to_string(ph.filesz) + " bytes) runs past the end of the file (size " +
                            hex(src.size()) + "); notes ignored");
    return {};
  }
  std::vector<uint8_t> blob(ph.filesz);
  TRY_VOID(src.read_exact(ph.offset, blob));
  parse_elf_notes(blob, name, ph.offset, info);
  return {};
}

// e_phnum, or for PN_XNUM the real count in section header 0's sh_info
// (QEMU writes this when a guest has more than 65534 memory ranges).
Result<uint64_t> program_header_count(const ByteSource& src, std::span<const uint8_t> ehdr) {
  uint16_t phnum = le16(ehdr, 56);
  if (phnum != kPnXnum) return uint64_t{phnum};
  uint64_t shoff = le64(ehdr, 40);
  if (shoff == 0)
    return fail(Errc::format, src.name() + ": e_phnum is PN_XNUM but there is no section header " +
                                  "(e_shoff 0) to hold the real count");
  uint8_t sh[kShdrSize];
  auto st = src.read_exact(shoff, sh);
  if (!st.ok())
    return fail(Errc::truncated, src.name() + ": e_phnum is PN_XNUM but section header 0 at offset " +
                                     hex(shoff) + " lies past the end of the file");
  return uint64_t{le32(sh, 44)};
}

}  // namespace

ProbeResult probe_elf(std::unique_ptr<ByteSource>& src) {
  static const uint8_t kMagic[4] = {0x7f, 'E', 'L', 'F'};
  uint8_t ehdr[kEhdrSize] = {};
  const std::string& name = src->name();
  if (src->size() < sizeof kMagic) return std::unique_ptr<Dump>();
  TRY_VOID(src->read_exact(0, {ehdr, sizeof kMagic}));
  if (std::memcmp(ehdr, kMagic, sizeof kMagic) != 0) return std::unique_ptr<Dump>();

  if (src->size() < kEhdrSize)
    return fail(Errc::truncated, name + ": ELF header truncated: file is " +
                                     std::to_string(src->size()) + " bytes, the header needs 64 (offset 0x0)");
  TRY_VOID(src->read_exact(0, ehdr));
  if (ehdr[4] != 2)
    return fail(Errc::unsupported, name + ": ELF class " + std::to_string(ehdr[4]) +
                                       " at offset 0x4: only 64-bit (ELFCLASS64) vmcores are supported");
  if (ehdr[5] != 1)
    return fail(Errc::unsupported, name + ": ELF data encoding " + std::to_string(ehdr[5]) +
                                       " at offset 0x5: only little-endian vmcores are supported");
  uint16_t type = le16(ehdr, 16);
  if (type != kEtCore)
    return fail(Errc::format, name + ": ELF e_type " + std::to_string(type) +
                                  " at offset 0x10 is not ET_CORE (4): not a vmcore");
  uint16_t phentsize = le16(ehdr, 54);
  if (phentsize != kPhdrSize)
    return fail(Errc::format, name + ": ELF e_phentsize " + std::to_string(phentsize) +
                                  " at offset 0x36, expected 56");

  ASSIGN_OR_RETURN(uint64_t phnum, program_header_count(*src, ehdr));
  uint64_t phoff = le64(ehdr, 32);
  // Validate against the file size before allocating: phnum may be 2^32-1.
  if (phoff > src->size() || phnum > (src->size() - phoff) / kPhdrSize || phnum > stored_size(*src) / kPhdrSize)
    return fail(Errc::truncated, name + ": " + std::to_string(phnum) +
                                     " program headers at offset " + hex(phoff) +
                                     " run past the end of the file (size " + hex(src->size()) + ")");

  DumpInfo info;
  info.format = "ELF";
  uint16_t e_machine = le16(ehdr, 18);
  info.machine = machine_from(e_machine);
  if (info.machine == DumpMachine::unknown)
    info.warnings.push_back(name + ": ELF e_machine " + std::to_string(e_machine) +
                            " is neither x86_64 nor aarch64");

  std::vector<uint8_t> phdrs(phnum * kPhdrSize);
  TRY_VOID(src->read_exact(phoff, phdrs));
  std::vector<ElfDump::Piece> segs;
  for (uint64_t i = 0; i < phnum; ++i) {
    Phdr ph = parse_phdr(std::span<const uint8_t>(phdrs).subspan(i * kPhdrSize, kPhdrSize));
    uint64_t at = phoff + i * kPhdrSize;
    if (ph.type == kPtNote) {
      TRY_VOID(read_notes(*src, ph, info));
    } else if (ph.type == kPtLoad) {
      if (ph.memsz == 0) continue;
      if (add_overflows(ph.paddr, ph.memsz) || add_overflows(ph.offset, ph.filesz)) {
        info.warnings.push_back(name + ": PT_LOAD at offset " + hex(at) + " (paddr " + hex(ph.paddr) +
                                ", memsz " + hex(ph.memsz) + ") wraps around; ignored");
        continue;
      }
      uint64_t file_len = std::min(ph.filesz, ph.memsz);
      if (ph.offset > src->size() || file_len > src->size() - ph.offset)
        info.warnings.push_back(name + ": PT_LOAD at paddr " + hex(ph.paddr) + " has data up to offset " +
                                hex(ph.offset + file_len) + ", past the end of the file (size " +
                                hex(src->size()) + "): the dump is truncated");
      segs.push_back({ph.paddr, ph.paddr + ph.memsz, ph.offset, file_len});
    }
  }
  info.page_size = vmcoreinfo_page_size(info.vmcoreinfo);
  finish_info(*src, info);
  return std::unique_ptr<Dump>(new ElfDump(std::move(src), std::move(info), make_pieces(std::move(segs))));
}

ElfDump::ElfDump(std::unique_ptr<ByteSource> src, DumpInfo info, std::vector<Piece> pieces)
    : src_(std::move(src)), info_(std::move(info)), pieces_(std::move(pieces)) {
  for (const auto& p : pieces_) {
    if (!ranges_.empty() && ranges_.back().end == p.start)
      ranges_.back().end = p.end;
    else
      ranges_.push_back({p.start, p.end});
  }
}

const std::string& ElfDump::path() const { return source_path(*src_); }

Status ElfDump::read_phys(uint64_t paddr, std::span<uint8_t> out) {
  while (!out.empty()) {
    auto it = std::upper_bound(pieces_.begin(), pieces_.end(), paddr,
                               [](uint64_t a, const Piece& p) { return a < p.start; });
    if (it == pieces_.begin() || paddr >= std::prev(it)->end)
      return fail(Errc::not_present,
                  path() + ": physical address " + hex(paddr) + " is not in any PT_LOAD segment of the dump",
                  paddr);
    const Piece& p = *std::prev(it);
    uint64_t n = std::min<uint64_t>(out.size(), p.end - paddr);
    uint64_t rel = paddr - p.start;
    uint64_t from_file = rel < p.file_len ? std::min(n, p.file_len - rel) : 0;
    if (from_file > 0) {
      uint64_t off = p.file_off + rel;
      auto st = src_->read_exact(off, out.first(from_file));
      if (!st.ok())
        return fail(Errc::truncated, src_->name() + ": physical address " + hex(paddr) +
                                         ": its data at file offset " + hex(off) +
                                         " lies past the end of the file (size " + hex(src_->size()) +
                                         "): the dump is truncated",
                    paddr);
    }
    // p_memsz beyond p_filesz: memory the producer chose not to store.
    // makedumpfile -E puts every page that -d filtered there, so its old
    // contents are unknown: excluded, not zeros (crash prints zeros; the
    // Program's --zero-excluded option asks for that).
    if (from_file < n) {
      uint64_t at = paddr + from_file;
      return fail(Errc::excluded,
                  path() + ": page excluded from dump: physical address " + hex(at) +
                      " is beyond p_filesz of its PT_LOAD (not saved; makedumpfile -E leaves "
                      "filtered pages out this way)",
                  at);
    }
    paddr += n;
    out = out.subspan(n);
    if (paddr == 0 && !out.empty())
      return fail(Errc::not_present, path() + ": read wraps past the top of physical memory", 0);
  }
  return {};
}

}  // namespace kinspect
