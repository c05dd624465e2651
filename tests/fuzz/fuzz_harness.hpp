// Shared body of the dump fuzzers: open the input as a dump from memory,
// then read a few pages from every range it claims. Any crash, sanitizer
// report, hang or unbounded allocation is a bug; errors are the expected
// outcome for most inputs.
//
// Seed corpora come from the fixture writers: run a fuzzer with
// KINSPECT_FUZZ_WRITE_SEEDS=DIR and it writes its seeds there and exits
// (tests/fuzz/run.sh does this before fuzzing).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/dump/dump.hpp"
#include "tests/fixtures/elf_core_writer.hpp"
#include "tests/fixtures/kdump_writer.hpp"

namespace kinspect::fuzz {

inline void exercise(const uint8_t* data, size_t size) {
  auto src = std::make_unique<MemoryBytes>("fuzz-input", std::string(reinterpret_cast<const char*>(data), size));
  auto dump = open_dump(std::move(src));
  if (!dump.ok()) return;
  Dump& d = **dump;
  (void)d.info().format.size();
  std::vector<uint8_t> buf(8192);
  size_t n = 0;
  for (const auto& r : d.ranges()) {
    if (++n > 16) break;
    uint64_t len = r.end - r.start;
    for (uint64_t off : {uint64_t{0}, len / 2, len > 100 ? len - 100 : 0}) (void)d.read_phys(r.start + off, buf);
    for (uint64_t p = 0; p < 8; ++p) (void)d.read_phys(r.start + p * 4096, std::span(buf).first(4096));
  }
  // Addresses nobody claimed, including the wrap-around edge.
  (void)d.read_phys(0, std::span(buf).first(64));
  (void)d.read_phys(UINT64_MAX - 7, std::span(buf).first(64));
}

inline std::vector<uint64_t> regs(size_t n) {
  std::vector<uint64_t> r(n);
  for (size_t i = 0; i < n; ++i) r[i] = 0xffffffff81000000ull + i;
  return r;
}

inline std::string page_text(uint64_t seed, size_t size = 4096) {
  std::string p;
  while (p.size() < size) p += "seed page " + std::to_string(seed) + " ";
  p.resize(size);
  return p;
}

inline std::vector<std::string> elf_seeds() {
  using fixtures::ElfCoreWriter;
  std::vector<std::string> out;
  out.push_back(ElfCoreWriter()
                    .prstatus(1, regs(27))
                    .vmcoreinfo("OSRELEASE=6.1.0\nPAGESIZE=4096\n")
                    .segment(0x1000, page_text(1, 8192))
                    .segment(0x100000, page_text(2), 0x3000)
                    .build());
  out.push_back(ElfCoreWriter()
                    .qemu_layout()
                    .pn_xnum()
                    .prstatus(1, regs(27))
                    .qemu_cpu(std::string(0x1b0, 'q'))
                    .segment(0x0, page_text(3))
                    .segment(0x2000, page_text(4))
                    .build());
  out.push_back(ElfCoreWriter(DumpMachine::aarch64).prstatus(9, regs(34)).segment(0x40000000, page_text(5)).build());
  return out;
}

inline std::vector<std::string> kdump_seeds() {
  using fixtures::KdumpCompression;
  using fixtures::KdumpWriter;
  std::vector<std::string> out;
  for (auto c : {KdumpCompression::none, KdumpCompression::zlib, KdumpCompression::lzo, KdumpCompression::snappy,
                 KdumpCompression::zstd}) {
    KdumpWriter w;
    w.compression(c)
        .vmcoreinfo("OSRELEASE=6.1.0\n")
        .prstatus(1, regs(27))
        .page(1, page_text(1))
        .page(2, fixtures::pattern_bytes(4096, 2))
        .excluded(3)
        .page(4, std::string(4096, '\0'));
    out.push_back(w.build());
  }
  out.push_back(KdumpWriter().header_version(3).vmcoreinfo("A=1\n").page(0, page_text(7)).build());
  out.push_back(KdumpWriter().split(2, 4).page(1, page_text(1)).page(2, page_text(2)).page(5, page_text(5)).build());
  out.push_back(KdumpWriter().incomplete().page(1, page_text(1)).build());
  return out;
}

inline std::vector<std::string> flattened_seeds() {
  std::vector<std::string> out;
  auto k = kdump_seeds();
  out.push_back(fixtures::flatten(k[1]));
  out.push_back(fixtures::flatten(k[2], {.record_size = 700, .reverse = true, .decoy_rewrites = true}));
  out.push_back(fixtures::flatten(elf_seeds()[0], {.record_size = 2048}));
  out.push_back(fixtures::flatten(k[4], {.record_size = 4096, .end_marker = false}));
  return out;
}

// Writes seeds to $KINSPECT_FUZZ_WRITE_SEEDS and exits, when that is set.
inline void maybe_write_seeds(const std::vector<std::string>& seeds) {
  const char* dir = std::getenv("KINSPECT_FUZZ_WRITE_SEEDS");
  if (!dir) return;
  int status = 0;
  for (size_t i = 0; i < seeds.size(); ++i)
    if (!fixtures::write_bytes(std::string(dir) + "/seed-" + std::to_string(i), seeds[i]).ok()) status = 1;
  std::exit(status);
}

}  // namespace kinspect::fuzz
