#include "core/dump/elf_notes.hpp"

#include "core/dump/bytes.hpp"
#include "core/vmcoreinfo.hpp"

namespace kinspect {

using namespace dumpbytes;

size_t prstatus_reg_size(DumpMachine m) {
  switch (m) {
    case DumpMachine::x86_64: return 27 * 8;
    case DumpMachine::aarch64: return 34 * 8;
    case DumpMachine::unknown: break;
  }
  return 0;
}

namespace {

uint64_t align4(uint64_t v) { return (v + 3) & ~uint64_t{3}; }

void add_prstatus(std::span<const uint8_t> desc, const std::string& where, DumpInfo& info) {
  if (desc.size() < kPrstatusRegOffset + kPrstatusTail) {
    info.warnings.push_back(where + ": NT_PRSTATUS note too short (" + std::to_string(desc.size()) +
                            " bytes), ignored");
    return;
  }
  PrStatus p;
  p.pid = les32(desc, kPrstatusPidOffset);
  // When the machine is known the register block has a fixed size; otherwise
  // (kdump files before utsname is read never happen, but an ELF with an
  // unknown e_machine can) take everything up to pr_fpvalid.
  size_t want = prstatus_reg_size(info.machine);
  size_t avail = desc.size() - kPrstatusRegOffset - kPrstatusTail;
  size_t n = want != 0 && want <= avail ? want : avail;
  p.regs.assign(desc.begin() + kPrstatusRegOffset, desc.begin() + kPrstatusRegOffset + n);
  p.note_index = static_cast<uint32_t>(info.prstatus.size());
  info.prstatus.push_back(std::move(p));
}

}  // namespace

void parse_elf_notes(std::span<const uint8_t> blob, const std::string& file, uint64_t file_offset,
                     DumpInfo& info) {
  uint64_t pos = 0;
  while (pos + 12 <= blob.size()) {
    uint32_t namesz = le32(blob, pos);
    uint32_t descsz = le32(blob, pos + 4);
    uint32_t type = le32(blob, pos + 8);
    std::string where = file + ": note at offset " + hex(file_offset + pos);
    // PT_NOTE segments are often padded with zeros past the last note.
    if (namesz == 0 && descsz == 0 && type == 0) break;
    uint64_t name_off = pos + 12;
    uint64_t desc_off = name_off + align4(namesz);
    uint64_t end = desc_off + align4(descsz);
    if (desc_off > blob.size() || descsz > blob.size() - desc_off) {
      info.warnings.push_back(where + ": name/descriptor size (" + std::to_string(namesz) + "/" +
                              std::to_string(descsz) + ") runs past the end of the notes (" +
                              hex(file_offset + blob.size()) + "); later notes ignored");
      return;
    }
    std::string name = cstr(blob, name_off, namesz);
    auto desc = blob.subspan(desc_off, descsz);
    if (name == "VMCOREINFO") {
      if (info.vmcoreinfo.empty()) info.vmcoreinfo = trim_vmcoreinfo(desc);
    } else if (name == "QEMU") {
      info.qemu_cpu.push_back(QemuCpuState{static_cast<uint32_t>(info.qemu_cpu.size()),
                                           std::vector<uint8_t>(desc.begin(), desc.end())});
    } else if (type == kNtPrstatus && (name == "CORE" || name == "LINUX")) {
      add_prstatus(desc, where, info);
    }
    pos = end > blob.size() ? blob.size() : end;
  }
}

DumpMachine machine_from_prstatus(const DumpInfo& info) {
  DumpMachine found = DumpMachine::unknown;
  for (const auto& p : info.prstatus) {
    DumpMachine m = DumpMachine::unknown;
    for (DumpMachine c : {DumpMachine::x86_64, DumpMachine::aarch64})
      if (p.regs.size() == prstatus_reg_size(c)) m = c;
    if (m == DumpMachine::unknown || (found != DumpMachine::unknown && m != found)) return DumpMachine::unknown;
    found = m;
  }
  return found;
}

std::string trim_vmcoreinfo(std::span<const uint8_t> text) {
  size_t n = text.size();
  while (n > 0 && text[n - 1] == 0) --n;
  return std::string(reinterpret_cast<const char*>(text.data()), n);
}

uint32_t vmcoreinfo_page_size(const std::string& text) {
  if (text.empty()) return 0;
  auto v = VmcoreInfo::parse(text).dec_value("PAGESIZE");
  if (!v || *v < 512 || *v > (1 << 20) || (*v & (*v - 1)) != 0) return 0;
  return static_cast<uint32_t>(*v);
}

}  // namespace kinspect
