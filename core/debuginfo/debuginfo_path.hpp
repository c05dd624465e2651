// Where kernel debuginfo is found without the user naming files: the
// vmlinux of a dump by its build-id (VMCOREINFO BUILD-ID), then by its
// release, in a fixed order, and the directories that hold module debug
// files. Each directory given (-d DIR, `set debuginfo-path`) is tried as a
// debug root first: an unpacked -dbg package (DIR/usr/lib/debug/...), a
// debug tree (DIR/.build-id/..., DIR/boot/...), or a flat directory.
//
//   DebuginfoPath path{.dirs = {"/srv/linux-image-dbg"}};
//   ASSIGN_OR_RETURN(std::string vmlinux, find_vmlinux(path, build_id, release));
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

struct DebuginfoPath {
  std::vector<std::string> dirs;  // searched first, in order
  bool system = true;             // then /usr/lib/debug and /boot
  bool debuginfod = true;         // then debuginfod, when DEBUGINFOD_URLS is set
  // debuginfod's download line, module loads; "" clears the line.
  std::function<void(std::string_view)> progress;
};

// The files a vmlinux with that build-id (hex, may be empty) and release
// may be, in search order: for each of dirs: DIR/usr/lib/debug/.build-id/
// xx/yyyy.debug, DIR/.build-id/xx/yyyy.debug, DIR/usr/lib/debug/boot/
// vmlinux-REL, DIR/boot/vmlinux-REL, DIR/usr/lib/debug/lib/modules/REL/
// vmlinux, DIR/lib/modules/REL/vmlinux, DIR/vmlinux-REL, DIR/vmlinux; then
// /usr/lib/debug/.build-id/xx/yyyy.debug, /usr/lib/debug/boot/vmlinux-REL,
// /usr/lib/debug/lib/modules/REL/vmlinux, /boot/vmlinux-REL.
std::vector<std::string> vmlinux_candidates(const DebuginfoPath& path, std::string_view build_id,
                                            std::string_view release);

// The first candidate that exists, is an ELF executable with DWARF or
// symbols, and has the build-id (any build-id when the dump gave none);
// then debuginfod. The error lists where it looked.
Result<std::string> find_vmlinux(const DebuginfoPath& path, std::string_view build_id, std::string_view release);

// Directories that may hold module debug files for the release, under
// dirs (DIR/usr/lib/debug/lib/modules/REL, DIR/lib/modules/REL) and,
// with system, /usr/lib/debug/lib/modules/REL and /lib/modules/REL.
std::vector<std::string> module_search_dirs(const DebuginfoPath& path, std::string_view release);

}  // namespace kinspect
