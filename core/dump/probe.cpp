// open_dump: the one table of format probes. Order matters only where
// signatures could overlap; today they do not, but the flattened wrapper goes
// first because it re-enters this table over the rearranged stream.
#include "core/dump/probe.hpp"

#include <array>
#include <cctype>

#include "core/dump/flattened_source.hpp"

namespace kinspect {

namespace {

constexpr std::array<ProbeFn, 3> kProbes = {probe_flattened, probe_kdump, probe_elf};

std::string printable_prefix(const ByteSource& src) {
  uint8_t buf[8] = {};
  uint64_t n = src.size() < sizeof buf ? src.size() : sizeof buf;
  if (!src.read_exact(0, {buf, n}).ok()) return "";
  std::string out;
  for (uint64_t i = 0; i < n; ++i) {
    char tmp[8];
    if (std::isprint(buf[i]) && buf[i] != '\\') {
      out += static_cast<char>(buf[i]);
    } else {
      std::snprintf(tmp, sizeof tmp, "\\x%02x", buf[i]);
      out += tmp;
    }
  }
  return out;
}

}  // namespace

const std::string& source_path(const ByteSource& src) {
  if (auto* f = dynamic_cast<const FlattenedSource*>(&src)) return f->file_name();
  return src.name();
}

Result<std::unique_ptr<Dump>> open_dump(std::unique_ptr<ByteSource> src) {
  if (!src) return fail(Errc::invalid_argument, "open_dump: no source");
  if (src->size() == 0)
    return fail(Errc::format, src->name() + ": file is empty, not a kernel crash dump");
  for (ProbeFn probe : kProbes) {
    ProbeResult r = probe(src);
    if (!r.ok()) return r;
    if (*r) return r;
  }
  return fail(Errc::format,
              src->name() + ": not a kernel crash dump: unrecognised header at offset 0x0 (\"" +
                  printable_prefix(*src) + "\"); expected ELF, KDUMP or makedumpfile");
}

Result<std::unique_ptr<Dump>> open_dump(const std::string& path) {
  ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  return open_dump(std::unique_ptr<ByteSource>(std::move(file)));
}

}  // namespace kinspect
