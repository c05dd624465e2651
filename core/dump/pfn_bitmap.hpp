// PfnBitmap: one of the kdump bitmaps (bit n = pfn n), read once at open.
// Answers test(pfn), rank(pfn) (set bits below pfn: the index of pfn's
// page_desc) in O(1) through a prefix count every 512 bits, and the runs of
// set bits for Dump::ranges().
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace kinspect {

class PfnBitmap {
 public:
  PfnBitmap() = default;
  explicit PfnBitmap(std::vector<uint8_t> bytes);

  uint64_t size_bits() const { return bytes_.size() * 8; }
  bool test(uint64_t bit) const {
    return bit < size_bits() && ((bytes_[bit / 8] >> (bit % 8)) & 1);
  }
  // Number of set bits in [0, bit); bit may equal size_bits().
  uint64_t rank(uint64_t bit) const;
  // Runs [start, end) of set bits below `limit`; nullopt once more than
  // max_runs would be needed (callers fall back to a coarser answer).
  std::optional<std::vector<std::pair<uint64_t, uint64_t>>> runs(uint64_t limit, size_t max_runs) const;

 private:
  uint64_t word(size_t i) const;  // 64 bits starting at byte 8*i, zero-padded
  std::vector<uint8_t> bytes_;
  std::vector<uint64_t> prefix_;  // set bits before each 512-bit block
};

}  // namespace kinspect
