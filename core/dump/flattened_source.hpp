// FlattenedSource: a makedumpfile flattened stream (-F, and what QEMU writes
// for kdump-* formats to a pipe) read in place. The stream is a 4 KiB
// makedumpfile_header followed by records {be64 offset, be64 size, data},
// ended by a record whose offset and size are -1. Indexing the records once
// gives an interval map from "rearranged" offsets (what makedumpfile -R
// would write) to stream offsets; later records win where they overlap, as
// they would when -R replays the writes. Bytes no record covers read as
// zeros, like the holes -R leaves. The rearranged image is then probed again
// as if it were an ordinary file, so no temporary copy is ever made.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/error.hpp"

namespace kinspect {

inline constexpr uint64_t kFlatHeaderSize = 4096;   // MAX_SIZE_MDF_HEADER
inline constexpr uint64_t kFlatRecordHeader = 16;   // makedumpfile_data_header
inline constexpr char kFlatSignature[] = "makedumpfile";

class FlattenedSource final : public ByteSource {
 public:
  // One run of rearranged bytes [start, end) stored at stream offset src.
  struct Extent {
    uint64_t start = 0, end = 0, src = 0;
  };

  // Indexes the stream. Errors (bad record header) name the stream offset.
  static Result<std::unique_ptr<FlattenedSource>> index(std::unique_ptr<ByteSource> stream);

  const std::string& name() const override { return name_; }
  // Size of the rearranged image: the end of the furthest record.
  uint64_t size() const override { return size_; }
  Status read_exact(uint64_t offset, std::span<uint8_t> out) const override;
  std::span<const uint8_t> view(uint64_t offset, uint64_t len) const override;

  const std::string& file_name() const { return stream_->name(); }
  uint64_t stream_size() const { return stream_->size(); }
  const std::vector<Extent>& extents() const { return extents_; }
  uint64_t record_count() const { return records_; }
  // False when the stream ended without the -1/-1 end marker.
  bool complete() const { return complete_; }
  // Stream offset where indexing stopped early (incomplete streams).
  uint64_t stream_end() const { return stream_end_; }

 private:
  FlattenedSource(std::unique_ptr<ByteSource> stream, std::vector<Extent> extents, uint64_t size,
                  uint64_t records, bool complete, uint64_t stream_end);
  std::unique_ptr<ByteSource> stream_;
  std::string name_;
  std::vector<Extent> extents_;  // sorted, non-overlapping
  uint64_t size_ = 0;
  uint64_t records_ = 0;
  bool complete_ = true;
  uint64_t stream_end_ = 0;
};

// Builds the interval map from records in stream order (later wins). Exposed
// for tests of the overlap rules.
class ExtentMapBuilder {
 public:
  void add(uint64_t start, uint64_t len, uint64_t src);
  std::vector<FlattenedSource::Extent> finish() const;

 private:
  struct Run {
    uint64_t end, src;
  };
  std::map<uint64_t, Run> runs_;
};

}  // namespace kinspect
