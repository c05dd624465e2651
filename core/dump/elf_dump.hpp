// ElfDump: ELF64 vmcores — /proc/vmcore copies (kexec/kdump), QEMU
// dump-guest-memory (including 7.2's layout with program headers after the
// section headers and PN_XNUM), and makedumpfile -E. Physical memory comes
// from PT_LOAD segments by p_paddr. Bytes past p_filesz (up to p_memsz) are
// Errc::excluded: makedumpfile -E stores the pages -d filtered that way, so
// their contents are unknown rather than zero (crash would print zeros).
#pragma once

#include <memory>
#include <vector>

#include "core/byte_source.hpp"
#include "core/dump/dump.hpp"

namespace kinspect {

class ElfDump final : public Dump {
 public:
  // One PT_LOAD after overlaps are clipped away: [start, end) in physical
  // address space, the first file_len bytes of which live at file_off.
  struct Piece {
    uint64_t start = 0, end = 0;
    uint64_t file_off = 0, file_len = 0;
  };

  ElfDump(std::unique_ptr<ByteSource> src, DumpInfo info, std::vector<Piece> pieces);

  const DumpInfo& info() const override { return info_; }
  const std::vector<PhysRange>& ranges() const override { return ranges_; }
  Status read_phys(uint64_t paddr, std::span<uint8_t> out) override;
  const std::string& path() const override;

 private:
  std::unique_ptr<ByteSource> src_;
  DumpInfo info_;
  std::vector<Piece> pieces_;  // sorted by start, non-overlapping
  std::vector<PhysRange> ranges_;
};

}  // namespace kinspect
