#include "core/byte_source.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kinspect {

namespace {
Status short_read(const std::string& name, uint64_t offset, uint64_t want, uint64_t size) {
  return fail(Errc::truncated, name + ": read of " + std::to_string(want) + " bytes at offset " +
                                   hex(offset) + " goes past the end of the file (size " +
                                   hex(size) + ")");
}
bool in_bounds(uint64_t offset, uint64_t len, uint64_t size) {
  return offset <= size && len <= size - offset;
}
}  // namespace

Result<std::unique_ptr<MappedFile>> MappedFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::io, path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return fail(Errc::io, path + ": " + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(Errc::io, path + ": not a regular file");
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  const uint8_t* data = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      return fail(Errc::io, path + ": mmap: " + std::strerror(e));
    }
    data = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
  return std::unique_ptr<MappedFile>(new MappedFile(path, data, size));
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

Status MappedFile::read_exact(uint64_t offset, std::span<uint8_t> out) const {
  if (!in_bounds(offset, out.size(), size_)) return short_read(path_, offset, out.size(), size_);
  if (!out.empty()) std::memcpy(out.data(), data_ + offset, out.size());
  return {};
}

std::span<const uint8_t> MappedFile::view(uint64_t offset, uint64_t len) const {
  if (!in_bounds(offset, len, size_)) return {};
  return {data_ + offset, len};
}

Status MemoryBytes::read_exact(uint64_t offset, std::span<uint8_t> out) const {
  if (!in_bounds(offset, out.size(), bytes_.size()))
    return short_read(name_, offset, out.size(), bytes_.size());
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return {};
}

std::span<const uint8_t> MemoryBytes::view(uint64_t offset, uint64_t len) const {
  if (!in_bounds(offset, len, bytes_.size())) return {};
  return {reinterpret_cast<const uint8_t*>(bytes_.data()) + offset, len};
}

}  // namespace kinspect
