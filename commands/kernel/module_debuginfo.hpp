// mod -s / mod -S: find a loaded module's debug file, check it is the
// module's (build-id against the .note.gnu.build-id in the dump), and hand
// it to Types relocated to the module's sections, so the module's types,
// variables, functions and line numbers resolve.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/linux/modules.hpp"

namespace kinspect {

class Program;

// Where module debug files are looked for, in order: `extra` (mod -S DIR),
// the program's debuginfo path (-d DIR, set debuginfo-path), the -dbg tree
// next to the vmlinux
// (.../usr/lib/debug/boot/vmlinux-R -> .../usr/lib/debug/lib/modules/R),
// /usr/lib/debug/lib/modules/RELEASE, /lib/modules/RELEASE.
std::vector<std::string> module_debug_dirs(Program& prog, const std::vector<std::string>& extra = {});
// The same without a dump (kinspect --log): the release comes from the log.
std::vector<std::string> module_debug_dirs(const std::string& vmlinux, const std::string& release,
                                           const std::vector<std::string>& extra);

// NAME.ko, .ko.debug, .ko.xz, .ko.gz or .ko.zst under any of dirs (searched
// recursively; '-' and '_' in file names are the same, as for the kernel).
std::optional<std::string> find_module_file(const std::string& module, const std::vector<std::string>& dirs);

// Section name -> load address of a module, from struct module's sect_attrs.
Result<std::vector<std::pair<std::string, uint64_t>>> module_sections(Program& prog, uint64_t module_struct);

// The module's build-id (hex) from its .note.gnu.build-id in the dump, or ""
// when the dump does not hold one.
std::string module_build_id(Program& prog, const std::vector<std::pair<std::string, uint64_t>>& sections);

// Loads one module's debug file: `file` if given, else found in dirs (then
// through debuginfod by the module's build-id in the dump), and
// replaces the module's kallsyms symbols by the file's relocated symbol
// table. Returns the path loaded.
void add_module_symbols(Program& prog, const std::string& module);
Result<std::string> load_module_debuginfo(Program& prog, const KernelModule& mod, const std::optional<std::string>& file,
                                          const std::vector<std::string>& dirs);

// Makes the program load a module's debug file by the same search the
// first time a frame, line or CFI lookup needs it (Program::set_module_loader).
void install_module_autoload(Program& prog);

}  // namespace kinspect
