// KdumpDump: makedumpfile's kdump-compressed format (-c zlib, -l lzo,
// -p snappy, -z zstd, or uncompressed with only -d filtering) and QEMU's
// kdump-* output. See kdump_layout.hpp for the on-disk layout.
//
// A pfn is one of: beyond max_mapnr or clear in the 1st bitmap -> not
// present; set in the 1st but clear in the 2nd -> excluded (filtered out by
// -d); set in both -> its page_desc, found by rank in the 2nd bitmap, says
// where its (compressed) bytes are. Pages are inflated through a PageCache.
#pragma once

#include <memory>
#include <vector>

#include "core/byte_source.hpp"
#include "core/dump/decompress.hpp"
#include "core/dump/dump.hpp"
#include "core/dump/page_cache.hpp"
#include "core/dump/pfn_bitmap.hpp"

namespace kinspect {

class KdumpDump final : public Dump {
 public:
  struct Layout {
    uint32_t block_size = 4096;
    uint64_t max_mapnr = 0;      // effective: clamped to the bitmap's capacity
    uint64_t desc_offset = 0;    // file offset of page_desc[0]
    uint64_t start_pfn = 0;      // split pieces hold [start_pfn, end_pfn)
    uint64_t end_pfn = UINT64_MAX;
    bool split = false;
    bool incomplete = false;     // DUMP_DH_COMPRESSED_INCOMPLETE
  };

  KdumpDump(std::unique_ptr<ByteSource> src, DumpInfo info, Layout layout, PfnBitmap present,
            PfnBitmap dumped);

  const DumpInfo& info() const override { return info_; }
  const std::vector<PhysRange>& ranges() const override { return ranges_; }
  Status read_phys(uint64_t paddr, std::span<uint8_t> out) override;
  const std::string& path() const override;

  const PageCache& cache() const { return cache_; }

 private:
  // The page holding pfn, from the cache or inflated into it. `addr` is the
  // address the caller asked for, carried into errors.
  Result<std::span<const uint8_t>> page(uint64_t pfn, uint64_t addr);
  Status load_page(uint64_t pfn, uint64_t addr, std::span<uint8_t> out);

  std::unique_ptr<ByteSource> src_;
  DumpInfo info_;
  Layout layout_;
  PfnBitmap present_, dumped_;
  uint64_t rank_base_ = 0;  // dumped_.rank(start_pfn): split pieces count from there
  std::vector<PhysRange> ranges_;
  PageCache cache_;
  std::vector<uint8_t> scratch_;  // compressed bytes when no zero-copy view exists
};

}  // namespace kinspect
