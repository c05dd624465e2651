// crash commands kinspect does not have yet, one line each: `help` prints
// them after its command list, and the man page's CRASH COMMANDS NOT YET
// IMPLEMENTED section lists the same names (the Docs unit test checks).
#pragma once

#include <array>
#include <string_view>

namespace kinspect {

struct MissingCommand {
  std::string_view name;
  std::string_view what;
};

inline constexpr std::array kMissingCrashCommands = {
    MissingCommand{"timer", "per-CPU timer wheels and hrtimers"},
    MissingCommand{"fuser", "tasks using a file or inode"},
    MissingCommand{"search", "searching memory for a value"},
    MissingCommand{"swap", "swap devices"},
    MissingCommand{"mach", "machine data (cpuinfo, memory map)"},
    MissingCommand{"repeat", "running a command repeatedly"},
    MissingCommand{"sbitmap", "sbitmap_queue contents"},
    MissingCommand{"tree", "walking radix, xarray, rb and maple trees"},
    MissingCommand{"pte", "translating a page table entry"},
    MissingCommand{"btop", "page number and address conversions (also ptob)"},
    MissingCommand{"wr", "writing to memory"},
    MissingCommand{"extend", "crash's extension loading (also gdb, map, ptype)"},
};

}  // namespace kinspect
