// Character and block device majors, as /proc/devices lists them: the
// chrdevs[] hash of char_device_struct (with the struct cdev behind each
// region, from the region or from cdev_map's probes) and the major_names[]
// hash of blk_major_name. Layouts from DWARF; no output formatting here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct CharDevice {
  unsigned major = 0, baseminor = 0, minorct = 0;
  std::string name;
  uint64_t cdev = 0;  // struct cdev * (0: none registered for the region's first minor)
  uint64_t ops = 0;   // cdev->ops (struct file_operations *)
};

struct BlockDevice {
  unsigned major = 0;
  std::string name;
};

// In /proc/devices order: by major, then as the hash chain holds them.
Result<std::vector<CharDevice>> read_char_devices(Program& prog);
Result<std::vector<BlockDevice>> read_block_devices(Program& prog);

}  // namespace kinspect
