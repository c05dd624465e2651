#include "core/dump/kdump_dump.hpp"

#include <algorithm>
#include <cstring>

#include "core/dump/bytes.hpp"
#include "core/dump/elf_notes.hpp"
#include "core/dump/kdump_layout.hpp"
#include "core/dump/probe.hpp"

namespace kinspect {

using namespace dumpbytes;

namespace {

// Past this many memory runs the 1st bitmap is not a real machine's memory
// map; ranges() then reports one span instead of growing without bound.
constexpr size_t kMaxRanges = 1 << 16;
// Decompressed pages kept: a few thousand, and never more than 64 MiB.
constexpr uint64_t kCacheBytes = 64ull << 20;

bool mul_overflows(uint64_t a, uint64_t b, uint64_t& out) { return __builtin_mul_overflow(a, b, &out); }

std::string compression_names(uint32_t flags) {
  std::string out;
  auto add = [&](uint32_t bit, const char* n) {
    if (!(flags & bit)) return;
    if (!out.empty()) out += "+";
    out += n;
  };
  add(kdump::kCompressedZlib, "zlib");
  add(kdump::kCompressedLzo, "lzo");
  add(kdump::kCompressedSnappy, "snappy");
  add(kdump::kCompressedZstd, "zstd");
  return out.empty() ? "uncompressed" : out;
}

Compression page_compression(uint32_t flags) {
  if (flags & kdump::kCompressedZlib) return Compression::zlib;
  if (flags & kdump::kCompressedLzo) return Compression::lzo;
  if (flags & kdump::kCompressedSnappy) return Compression::snappy;
  if (flags & kdump::kCompressedZstd) return Compression::zstd;
  return Compression::none;
}

DumpMachine machine_from_uts(const std::string& m) {
  if (m == "x86_64") return DumpMachine::x86_64;
  if (m == "aarch64" || m == "arm64") return DumpMachine::aarch64;
  return DumpMachine::unknown;
}

// Reads [off, off+len) if it lies inside the file and len <= cap; otherwise
// records a warning naming what and where, and returns nullopt.
std::optional<std::vector<uint8_t>> read_blob(const ByteSource& src, uint64_t off, uint64_t len,
                                              uint64_t cap, const char* what, DumpInfo& info) {
  if (len > cap) {
    info.warnings.push_back(src.name() + ": " + what + " at offset " + hex(off) + " claims " +
                            std::to_string(len) + " bytes, more than the " + std::to_string(cap) +
                            " any kernel writes; ignored");
    return std::nullopt;
  }
  if (off > src.size() || len > src.size() - off) {
    info.warnings.push_back(src.name() + ": " + what + " at offset " + hex(off) + " (" +
                            std::to_string(len) + " bytes) runs past the end of the file (size " +
                            hex(src.size()) + "); ignored");
    return std::nullopt;
  }
  std::vector<uint8_t> b(len);
  if (!src.read_exact(off, b).ok()) return std::nullopt;
  return b;
}

Failure bad_header(const ByteSource& src, Errc code, size_t field_off, const std::string& what) {
  return fail(code, src.name() + ": kdump header field at offset " + hex(field_off) + ": " + what);
}

}  // namespace

ProbeResult probe_kdump(std::unique_ptr<ByteSource>& src) {
  const ByteSource& s = *src;
  const std::string& name = s.name();
  uint8_t sig[8];
  if (s.size() < sizeof sig) return std::unique_ptr<Dump>();
  TRY_VOID(s.read_exact(0, sig));
  if (std::memcmp(sig, kdump::kDiskdumpSignature, 8) == 0)
    return fail(Errc::unsupported, name + ": old diskdump format (\"DISKDUMP\" at offset 0x0) is not supported; "
                                          "only makedumpfile's kdump-compressed format (\"KDUMP   \") is");
  if (std::memcmp(sig, kdump::kSignature, 8) != 0) return std::unique_ptr<Dump>();

  if (s.size() < kdump::hdr::size)
    return fail(Errc::truncated, name + ": kdump header truncated: file is " + std::to_string(s.size()) +
                                     " bytes, the header needs " + std::to_string(kdump::hdr::size) +
                                     " (offset 0x0)");
  std::vector<uint8_t> h(kdump::hdr::size);
  TRY_VOID(s.read_exact(0, h));

  int32_t version = les32(h, kdump::hdr::header_version);
  if (version < 0)
    return bad_header(s, Errc::format, kdump::hdr::header_version,
                      "header_version " + std::to_string(version) + " is negative");
  int64_t bs_signed = les32(h, kdump::hdr::block_size);
  if (bs_signed < kdump::kMinBlockSize || bs_signed > kdump::kMaxBlockSize ||
      (bs_signed & (bs_signed - 1)) != 0)
    return bad_header(s, Errc::format, kdump::hdr::block_size,
                      "block_size " + std::to_string(bs_signed) +
                          " is not a power of two between 512 and 1 MiB (a 32-bit or corrupted header?)");
  const uint64_t bs = static_cast<uint64_t>(bs_signed);
  int32_t sub_blocks = les32(h, kdump::hdr::sub_hdr_size);
  if (sub_blocks < 0 || (version >= 1 && sub_blocks == 0))
    return bad_header(s, Errc::format, kdump::hdr::sub_hdr_size,
                      "sub_hdr_size " + std::to_string(sub_blocks) + " blocks is invalid for header_version " +
                          std::to_string(version));
  uint64_t bitmap_blocks = le32(h, kdump::hdr::bitmap_blocks);
  if (bitmap_blocks == 0 || bitmap_blocks % 2 != 0)
    return bad_header(s, Errc::format, kdump::hdr::bitmap_blocks,
                      "bitmap_blocks " + std::to_string(bitmap_blocks) +
                          " must be a positive even number (two bitmaps of equal size)");

  // All region arithmetic in 64 bits with the file size as the bound, before
  // anything is allocated from it.
  const uint64_t fsize = s.size();
  uint64_t bitmap_off = (1 + static_cast<uint64_t>(sub_blocks)) * bs;
  uint64_t bitmap_len = 0;
  if (mul_overflows(bitmap_blocks, bs, bitmap_len) || bitmap_off > fsize || bitmap_len > fsize - bitmap_off ||
      bitmap_len > stored_size(s))
    return fail(Errc::truncated, name + ": kdump bitmaps (" + std::to_string(bitmap_blocks) + " blocks of " +
                                     std::to_string(bs) + " bytes at offset " + hex(bitmap_off) +
                                     ") run past the end of the file (size " + hex(fsize) + ")");
  uint64_t desc_off = bitmap_off + bitmap_len;

  DumpInfo info;
  KdumpDump::Layout lay;
  lay.block_size = static_cast<uint32_t>(bs);
  lay.desc_offset = desc_off;
  info.page_size = lay.block_size;
  std::optional<std::string>* uts[] = {&info.uts_sysname, &info.uts_nodename, &info.uts_release,
                                       &info.uts_version, &info.uts_machine, &info.uts_domainname};
  for (size_t i = 0; i < 6; ++i)
    *uts[i] = cstr(h, kdump::hdr::utsname + i * kdump::hdr::uts_field_len, kdump::hdr::uts_field_len);
  info.machine = machine_from_uts(*info.uts_machine);
  info.timestamp_sec = les64(h, kdump::hdr::timestamp_sec);
  info.current_cpu = les32(h, kdump::hdr::current_cpu);
  info.header_nr_cpus = les32(h, kdump::hdr::nr_cpus);
  uint32_t status = le32(h, kdump::hdr::status);
  lay.incomplete = status & kdump::kIncomplete;
  if (lay.incomplete)
    info.warnings.push_back(name + ": the dump is marked incomplete (DUMP_DH_COMPRESSED_INCOMPLETE): "
                                   "makedumpfile ran out of space, some pages were never written");
  uint64_t max_mapnr = le32(h, kdump::hdr::max_mapnr);

  // Sub header (header_version >= 1).
  if (version >= 1) {
    std::vector<uint8_t> sh(kdump::sub::size);
    TRY_VOID(s.read_exact(bs, sh));
    info.phys_base = le64(sh, kdump::sub::phys_base);
    info.dump_level = le32(sh, kdump::sub::dump_level);
    if (version >= 2 && les32(sh, kdump::sub::split) != 0) {
      lay.split = true;
      lay.start_pfn = le64(sh, version >= 6 ? kdump::sub::start_pfn_64 : kdump::sub::start_pfn);
      lay.end_pfn = le64(sh, version >= 6 ? kdump::sub::end_pfn_64 : kdump::sub::end_pfn);
      if (lay.start_pfn > lay.end_pfn)
        return fail(Errc::format, name + ": kdump sub header at offset " + hex(bs) + ": split range start_pfn " +
                                      hex(lay.start_pfn) + " is above end_pfn " + hex(lay.end_pfn));
      info.split_start_pfn = lay.start_pfn;
      info.split_end_pfn = lay.end_pfn;
    }
    if (version >= 6) max_mapnr = le64(sh, kdump::sub::max_mapnr_64);
    if (version >= 3) {
      uint64_t off = le64(sh, kdump::sub::offset_vmcoreinfo), len = le64(sh, kdump::sub::size_vmcoreinfo);
      if (len > 0)
        if (auto b = read_blob(s, off, len, kMaxVmcoreinfoBytes, "VMCOREINFO", info))
          info.vmcoreinfo = trim_vmcoreinfo(*b);
    }
    if (version >= 4) {
      uint64_t off = le64(sh, kdump::sub::offset_note), len = le64(sh, kdump::sub::size_note);
      if (len > 0)
        if (auto b = read_blob(s, off, len, kMaxNoteBytes, "ELF notes", info))
          parse_elf_notes(*b, name, off, info);
    }
  }

  if (info.machine == DumpMachine::unknown) info.machine = machine_from_prstatus(info);

  uint64_t capacity = bitmap_len / 2 * 8;
  if (max_mapnr > capacity) {
    info.warnings.push_back(name + ": max_mapnr " + hex(max_mapnr) + " exceeds what the bitmaps cover (" +
                            hex(capacity) + " pfns); pfns above are treated as absent");
    max_mapnr = capacity;
  }
  lay.max_mapnr = max_mapnr;

  std::vector<uint8_t> bm1(bitmap_len / 2), bm2(bitmap_len / 2);
  TRY_VOID(s.read_exact(bitmap_off, bm1));
  TRY_VOID(s.read_exact(bitmap_off + bitmap_len / 2, bm2));
  PfnBitmap present(std::move(bm1)), dumped(std::move(bm2));

  // Page descriptors must fit; a short file is an incomplete dump, still
  // readable up to where it ends.
  uint64_t lo = lay.split ? std::min(lay.start_pfn, max_mapnr) : 0;
  uint64_t hi = lay.split ? std::min(lay.end_pfn, max_mapnr) : max_mapnr;
  uint64_t ndesc = dumped.rank(hi) - dumped.rank(lo);
  uint64_t desc_end = desc_off + ndesc * kdump::desc::size;  // ndesc <= 8 * file size: no overflow
  if (desc_end > fsize)
    info.warnings.push_back(name + ": page descriptors end at offset " + hex(desc_end) +
                            ", past the end of the file (size " + hex(fsize) + "): the dump is truncated");

  info.format = "kdump-compressed (" + compression_names(status);
  if (info.dump_level && *info.dump_level != 0) info.format += ", filtered -d " + std::to_string(*info.dump_level);
  if (lay.split) info.format += ", split";
  if (lay.incomplete) info.format += ", incomplete";
  info.format += ")";
  finish_info(s, info);
  return std::unique_ptr<Dump>(
      new KdumpDump(std::move(src), std::move(info), lay, std::move(present), std::move(dumped)));
}

KdumpDump::KdumpDump(std::unique_ptr<ByteSource> src, DumpInfo info, Layout layout, PfnBitmap present,
                     PfnBitmap dumped)
    : src_(std::move(src)),
      info_(std::move(info)),
      layout_(layout),
      present_(std::move(present)),
      dumped_(std::move(dumped)),
      cache_(std::min<uint64_t>(kDefaultPageCachePages, kCacheBytes / layout.block_size), layout.block_size) {
  if (layout_.split) rank_base_ = dumped_.rank(std::min(layout_.start_pfn, layout_.max_mapnr));
  const uint64_t bs = layout_.block_size;
  if (auto runs = present_.runs(layout_.max_mapnr, kMaxRanges)) {
    for (auto [a, b] : *runs) ranges_.push_back({a * bs, b * bs});
  } else if (layout_.max_mapnr > 0) {
    ranges_.push_back({0, layout_.max_mapnr * bs});
  }
}

const std::string& KdumpDump::path() const { return source_path(*src_); }

Status KdumpDump::read_phys(uint64_t paddr, std::span<uint8_t> out) {
  const uint64_t bs = layout_.block_size;
  while (!out.empty()) {
    uint64_t pfn = paddr / bs, in_page = paddr % bs;
    uint64_t n = std::min<uint64_t>(out.size(), bs - in_page);
    ASSIGN_OR_RETURN(auto pg, page(pfn, paddr));
    std::memcpy(out.data(), pg.data() + in_page, n);
    out = out.subspan(n);
    paddr += n;
    if (paddr == 0 && !out.empty())
      return fail(Errc::not_present, path() + ": read wraps past the top of physical memory", 0);
  }
  return {};
}

Result<std::span<const uint8_t>> KdumpDump::page(uint64_t pfn, uint64_t addr) {
  if (auto hit = cache_.find(pfn); !hit.empty()) return hit;
  const std::string& file = path();
  std::string at = "physical address " + hex(addr) + " (pfn " + hex(pfn) + ")";
  if (pfn >= layout_.max_mapnr)
    return fail(Errc::not_present,
                file + ": " + at + " is beyond the end of the dump's memory (max_mapnr " + hex(layout_.max_mapnr) + ")",
                addr);
  if (!present_.test(pfn))
    return fail(Errc::not_present, file + ": " + at + " is not memory the dump describes (a hole in the memory map)",
                addr);
  // The bitmaps describe the whole dump even in a --split piece, so a
  // filtered page is excluded whichever file would have held it.
  if (!dumped_.test(pfn)) {
    std::string level = info_.dump_level ? " (dump level " + std::to_string(*info_.dump_level) + ")" : "";
    return fail(Errc::excluded, file + ": page excluded from dump: " + at + " was filtered out" + level, addr);
  }
  if (layout_.split && (pfn < layout_.start_pfn || pfn >= layout_.end_pfn))
    return fail(Errc::not_present,
                file + ": " + at + " is held by another file of the split dump set (this file holds pfns " +
                    hex(layout_.start_pfn) + "-" + hex(layout_.end_pfn) + ")",
                addr);
  auto buf = cache_.insert(pfn);
  auto st = load_page(pfn, addr, buf);
  if (!st.ok()) {
    cache_.erase(pfn);
    return fail(std::move(st).error());
  }
  return std::span<const uint8_t>(buf);
}

Status KdumpDump::load_page(uint64_t pfn, uint64_t addr, std::span<uint8_t> out) {
  const ByteSource& s = *src_;
  const std::string& name = s.name();
  const uint64_t bs = layout_.block_size;
  std::string at = "physical address " + hex(addr) + " (pfn " + hex(pfn) + ")";
  std::string incomplete = layout_.incomplete ? "; the dump is marked incomplete" : "";
  uint64_t idx = dumped_.rank(pfn) - rank_base_;
  uint64_t desc_at = layout_.desc_offset + idx * kdump::desc::size;
  uint8_t d[kdump::desc::size];
  if (desc_at > s.size() || s.size() - desc_at < sizeof d)
    return fail(Errc::truncated, name + ": " + at + ": its page descriptor at offset " + hex(desc_at) +
                                     " lies past the end of the file (size " + hex(s.size()) +
                                     "): the dump is truncated" + incomplete,
                addr);
  TRY_VOID(s.read_exact(desc_at, d));
  int64_t off = les64(d, kdump::desc::offset);
  uint64_t size = le32(d, kdump::desc::size_);
  uint32_t flags = le32(d, kdump::desc::flags);
  // An all-zero descriptor is a page makedumpfile never got to write.
  if (off <= 0 || size == 0)
    return fail(Errc::truncated, name + ": " + at + ": page descriptor at offset " + hex(desc_at) +
                                     " is empty (offset " + std::to_string(off) + ", size " + std::to_string(size) +
                                     "): the page was never written" + incomplete,
                addr);
  Compression c = page_compression(flags);
  if ((c == Compression::none && size != bs) || size > 2 * bs)
    return fail(Errc::format, name + ": " + at + ": page descriptor at offset " + hex(desc_at) + " gives " +
                                  std::string(compression_name(c)) + " data of " + std::to_string(size) +
                                  " bytes for a " + std::to_string(bs) + "-byte page",
                addr);
  auto uoff = static_cast<uint64_t>(off);
  if (uoff > s.size() || size > s.size() - uoff)
    return fail(Errc::truncated, name + ": " + at + ": page data at offset " + hex(uoff) + " (" +
                                     std::to_string(size) + " bytes) lies past the end of the file (size " +
                                     hex(s.size()) + "): the dump is truncated" + incomplete,
                addr);
  std::span<const uint8_t> data = s.view(uoff, size);
  if (data.empty()) {
    scratch_.resize(size);
    TRY_VOID(s.read_exact(uoff, scratch_));
    data = scratch_;
  }
  auto st = decompress_page(c, data, out, PageOrigin{&name, uoff, pfn});
  if (!st.ok()) {
    Error e = std::move(st).error();
    e.address = addr;
    return fail(std::move(e));
  }
  return {};
}

}  // namespace kinspect
