#include "core/debuginfo/debuginfo_path.hpp"

#include <filesystem>

#include "core/debuginfo/debuginfod_fetch.hpp"
#include "core/elf_image.hpp"

namespace kinspect {

namespace fs = std::filesystem;

namespace {

// "ab/cdef....debug" of a build-id, as the .build-id trees name files.
std::string build_id_file(std::string_view id) {
  if (id.size() < 3) return {};
  return std::string(id.substr(0, 2)) + "/" + std::string(id.substr(2)) + ".debug";
}

// Trailing slashes off, so candidates print cleanly.
std::string trimmed(std::string d) {
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d;
}

}  // namespace

std::vector<std::string> vmlinux_candidates(const DebuginfoPath& path, std::string_view build_id,
                                            std::string_view release) {
  std::vector<std::string> out;
  std::string bid = build_id_file(build_id), rel(release);
  for (const std::string& raw : path.dirs) {
    std::string d = trimmed(raw);
    if (!bid.empty()) {
      out.push_back(d + "/usr/lib/debug/.build-id/" + bid);
      out.push_back(d + "/.build-id/" + bid);
    }
    if (!rel.empty()) {
      out.push_back(d + "/usr/lib/debug/boot/vmlinux-" + rel);
      out.push_back(d + "/boot/vmlinux-" + rel);
      out.push_back(d + "/usr/lib/debug/lib/modules/" + rel + "/vmlinux");
      out.push_back(d + "/lib/modules/" + rel + "/vmlinux");
      out.push_back(d + "/vmlinux-" + rel);
    }
    out.push_back(d + "/vmlinux");
  }
  if (path.system) {
    if (!bid.empty()) out.push_back("/usr/lib/debug/.build-id/" + bid);
    if (!rel.empty()) {
      out.push_back("/usr/lib/debug/boot/vmlinux-" + rel);
      out.push_back("/usr/lib/debug/lib/modules/" + rel + "/vmlinux");
      out.push_back("/boot/vmlinux-" + rel);
    }
  }
  return out;
}

Result<std::string> find_vmlinux(const DebuginfoPath& path, std::string_view build_id, std::string_view release) {
  std::vector<std::string> refused;
  for (const std::string& c : vmlinux_candidates(path, build_id, release)) {
    std::error_code ec;
    if (!fs::is_regular_file(c, ec) || !looks_like_vmlinux(c)) continue;
    auto img = ElfImage::open(c);
    if (!img.ok()) {
      refused.push_back(c + " (" + img.error().message + ")");
      continue;
    }
    const std::string& have = (*img)->build_id();
    // VMCOREINFO's BUILD-ID may be the note's full 20 bytes or a prefix.
    if (!build_id.empty() && !have.empty() && !have.starts_with(build_id) && !build_id.starts_with(have)) {
      refused.push_back(c + " (build-id " + have + ")");
      continue;
    }
    return c;
  }
  std::string what = "vmlinux-" + std::string(release);
  if (path.debuginfod && debuginfod_enabled() && !build_id.empty()) {
    auto got = debuginfod_fetch(build_id, what, path.progress);
    if (got.ok()) return got;
    refused.push_back(got.error().message);
  }
  std::string msg = "no vmlinux found for " + (release.empty() ? std::string("the dump") : std::string(release)) +
                    (build_id.empty() ? "" : " (build-id " + std::string(build_id) + ")") + " under ";
  std::string where;
  for (const auto& d : path.dirs) where += (where.empty() ? "" : ", ") + d;
  if (path.system) where += std::string(where.empty() ? "" : ", ") + "/usr/lib/debug, /boot";
  msg += where.empty() ? "no directory" : where;
  if (!debuginfod_enabled()) msg += "; DEBUGINFOD_URLS is not set";
  for (const auto& r : refused) msg += "; refused " + r;
  msg += " (give the vmlinux, or -d DIR with the unpacked -dbg package)";
  return fail(Errc::not_found, msg);
}

std::vector<std::string> module_search_dirs(const DebuginfoPath& path, std::string_view release) {
  std::vector<std::string> out;
  std::string rel(release);
  for (const std::string& raw : path.dirs) {
    std::string d = trimmed(raw);
    if (!rel.empty()) {
      out.push_back(d + "/usr/lib/debug/lib/modules/" + rel);
      out.push_back(d + "/lib/modules/" + rel);
    }
  }
  if (path.system && !rel.empty()) {
    out.push_back("/usr/lib/debug/lib/modules/" + rel);
    out.push_back("/lib/modules/" + rel);
  }
  std::vector<std::string> existing;
  for (auto& d : out) {
    std::error_code ec;
    if (fs::is_directory(d, ec)) existing.push_back(std::move(d));
  }
  return existing;
}

}  // namespace kinspect
