#include "core/elf_image.hpp"

#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <cstring>

namespace kinspect {

namespace {
std::string hex_bytes(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}
}  // namespace

Result<std::unique_ptr<ElfImage>> ElfImage::open(const std::string& path) {
  ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  if (elf_version(EV_CURRENT) == EV_NONE) return fail(Errc::unsupported, "libelf: version mismatch");
  auto img = std::unique_ptr<ElfImage>(new ElfImage());
  img->path_ = path;
  auto bytes = file->bytes();
  img->elf_ = elf_memory(reinterpret_cast<char*>(const_cast<uint8_t*>(bytes.data())), bytes.size());
  img->file_ = std::move(file);
  if (!img->elf_ || elf_kind(img->elf_) != ELF_K_ELF)
    return fail(Errc::format, path + ": not an ELF file");
  GElf_Ehdr eh;
  if (!gelf_getehdr(img->elf_, &eh)) return fail(Errc::format, path + ": bad ELF header: " + elf_errmsg(-1));
  if (eh.e_ident[EI_CLASS] != ELFCLASS64)
    return fail(Errc::unsupported, path + ": only 64-bit ELF files are supported");
  img->machine_ = eh.e_machine;
  img->type_ = eh.e_type;
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(img->elf_, &shstrndx) != 0)
    return fail(Errc::format, path + ": no section name table: " + elf_errmsg(-1));
  for (Elf_Scn* scn = elf_nextscn(img->elf_, nullptr); scn; scn = elf_nextscn(img->elf_, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    ElfSection s;
    const char* name = elf_strptr(img->elf_, shstrndx, sh.sh_name);
    s.name = name ? name : "";
    s.index = static_cast<uint32_t>(elf_ndxscn(scn));
    s.type = sh.sh_type;
    s.flags = sh.sh_flags;
    s.addr = sh.sh_addr;
    s.size = sh.sh_size;
    s.offset = sh.sh_offset;
    if (sh.sh_type == SHT_NOTE && img->build_id_.empty()) {
      Elf_Data* data = elf_getdata(scn, nullptr);
      GElf_Nhdr nh;
      size_t off = 0, name_off = 0, desc_off = 0;
      while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
        const char* nname = static_cast<const char*>(data->d_buf) + name_off;
        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(nname, "GNU", 4) == 0) {
          img->build_id_ = hex_bytes(static_cast<const uint8_t*>(data->d_buf) + desc_off, nh.n_descsz);
          break;
        }
      }
    }
    img->sections_.push_back(std::move(s));
  }
  return img;
}

ElfImage::~ElfImage() {
  if (elf_) elf_end(elf_);
}

const ElfSection* ElfImage::section(std::string_view name) const {
  for (const auto& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

const ElfSection* ElfImage::section_at(uint64_t link_addr) const {
  for (const auto& s : sections_) {
    if (!(s.flags & SHF_ALLOC) || s.size == 0) continue;
    if (link_addr >= s.addr && link_addr - s.addr < s.size) return &s;
  }
  return nullptr;
}

std::span<const uint8_t> ElfImage::section_bytes(const ElfSection& s) const {
  if (s.type == SHT_NOBITS) return {};
  return file_->view(s.offset, s.size);
}

Status ElfImage::read(uint64_t link_addr, std::span<uint8_t> out) const {
  size_t done = 0;
  while (done < out.size()) {
    uint64_t a = link_addr + done;
    const ElfSection* s = section_at(a);
    if (!s) return fail(Errc::not_present, path_ + ": no section holds address " + hex(a), a);
    if (s->type == SHT_NOBITS)
      return fail(Errc::not_present, path_ + ": address " + hex(a) + " is in " + s->name +
                                         ", which has no file contents", a);
    uint64_t n = std::min<uint64_t>(out.size() - done, s->addr + s->size - a);
    TRY_VOID(file_->read_exact(s->offset + (a - s->addr), out.subspan(done, n)));
    done += n;
  }
  return {};
}

Result<std::string> ElfImage::read_string(uint64_t link_addr, size_t max) const {
  std::string s;
  uint8_t c = 0;
  for (size_t i = 0; i < max; ++i) {
    TRY_VOID(read(link_addr + i, std::span<uint8_t>(&c, 1)));
    if (c == 0) break;
    s += static_cast<char>(c);
  }
  return s;
}

bool looks_like_vmlinux(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char h[18] = {};
  ssize_t n = ::pread(fd, h, sizeof h, 0);
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof h) || std::memcmp(h, ELFMAG, SELFMAG) != 0) return false;
  uint16_t type = static_cast<uint16_t>(h[16] | (h[17] << 8));  // little-endian targets only
  return type == ET_EXEC || type == ET_DYN;
}

}  // namespace kinspect
