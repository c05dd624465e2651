// ElfImage: an ELF executable or relocatable object on disk (vmlinux, a
// module's .ko debug file) opened through libelf: its machine, build-id,
// sections, and the bytes at a link-time address.
#pragma once

#include <libelf.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/error.hpp"

namespace kinspect {

struct ElfSection {
  std::string name;
  uint32_t index = 0;
  uint32_t type = 0;    // SHT_*
  uint64_t flags = 0;   // SHF_*
  uint64_t addr = 0;    // link-time address
  uint64_t size = 0;
  uint64_t offset = 0;  // file offset (meaningless for SHT_NOBITS)
};

class ElfImage {
 public:
  static Result<std::unique_ptr<ElfImage>> open(const std::string& path);
  ~ElfImage();
  ElfImage(const ElfImage&) = delete;
  ElfImage& operator=(const ElfImage&) = delete;

  const std::string& path() const { return path_; }
  uint16_t machine() const { return machine_; }  // EM_X86_64, EM_AARCH64
  uint16_t type() const { return type_; }        // ET_EXEC, ET_REL, ET_CORE
  // Hex build-id from NT_GNU_BUILD_ID, empty if none.
  const std::string& build_id() const { return build_id_; }
  const std::vector<ElfSection>& sections() const { return sections_; }
  const ElfSection* section(std::string_view name) const;
  const ElfSection* section_at(uint64_t link_addr) const;  // allocated sections only
  // Bytes at a link-time address from the file's PROGBITS sections.
  Status read(uint64_t link_addr, std::span<uint8_t> out) const;
  // NUL-terminated string at a link-time address (at most max bytes).
  Result<std::string> read_string(uint64_t link_addr, size_t max = 4096) const;
  std::span<const uint8_t> section_bytes(const ElfSection& s) const;

  Elf* elf() const { return elf_; }
  const MappedFile& file() const { return *file_; }

 private:
  ElfImage() = default;
  std::string path_;
  std::unique_ptr<MappedFile> file_;
  Elf* elf_ = nullptr;
  uint16_t machine_ = 0;
  uint16_t type_ = 0;
  std::string build_id_;
  std::vector<ElfSection> sections_;
};

// True when the file starts with the ELF magic and is an executable
// (vmlinux) rather than a core file; used to tell VMLINUX from VMCORE.
bool looks_like_vmlinux(const std::string& path);

}  // namespace kinspect
