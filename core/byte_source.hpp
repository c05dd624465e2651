// ByteSource: random-access bytes with a known size. A mapped file is one; a
// flattened makedumpfile stream indexed in place is another, so the format
// readers never care which they got.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/error.hpp"

namespace kinspect {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Name used in error messages: the file path, or "path (flattened)".
  virtual const std::string& name() const = 0;
  virtual uint64_t size() const = 0;
  // Reads exactly out.size() bytes at offset; a short read is Errc::truncated
  // naming the file and the offset.
  virtual Status read_exact(uint64_t offset, std::span<uint8_t> out) const = 0;
  // Zero-copy view when the bytes are contiguous in memory (mapped files);
  // empty span otherwise. Callers must fall back to read_exact.
  virtual std::span<const uint8_t> view(uint64_t offset, uint64_t len) const {
    (void)offset; (void)len;
    return {};
  }
};

// Read-only mmap of a whole file.
class MappedFile final : public ByteSource {
 public:
  static Result<std::unique_ptr<MappedFile>> open(const std::string& path);
  ~MappedFile() override;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& name() const override { return path_; }
  uint64_t size() const override { return size_; }
  Status read_exact(uint64_t offset, std::span<uint8_t> out) const override;
  std::span<const uint8_t> view(uint64_t offset, uint64_t len) const override;
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  MappedFile(std::string path, const uint8_t* data, uint64_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

// Bytes held in memory (test fixtures, fuzzers).
class MemoryBytes final : public ByteSource {
 public:
  MemoryBytes(std::string name, std::string bytes)
      : name_(std::move(name)), bytes_(std::move(bytes)) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return bytes_.size(); }
  Status read_exact(uint64_t offset, std::span<uint8_t> out) const override;
  std::span<const uint8_t> view(uint64_t offset, uint64_t len) const override;

 private:
  std::string name_;
  std::string bytes_;
};

}  // namespace kinspect
