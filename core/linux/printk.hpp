// The kernel log (printk records) read from a dump: the lockless ring
// buffer of 5.10+ (`prb`, struct printk_ringbuffer) or the older log_buf of
// struct printk_log records. Which one is chosen from DWARF (the symbols and
// types present), never from the version. Reading only; `log` formats.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct PrintkRecord {
  uint64_t ts_nsec = 0;
  uint8_t level = 0;     // 0..7
  uint8_t facility = 0;
  uint8_t flags = 0;     // LOG_NEWLINE 2, LOG_CONT 8
  uint32_t caller_id = 0;
  bool has_data = true;  // false: a data-less record (crash prints an empty line)
  std::string text;      // raw bytes of the message, text_len long
  // The dictionary: "SUBSYSTEM=pci", "DEVICE=+pci:0000:00:01.0" (dev_info
  // in the lockless buffer, NUL-separated dict in the old one).
  std::vector<std::string> dict;
};

constexpr uint8_t kLogCont = 8;

// Reads `size` bytes of kernel memory at an address.
using MemReader = std::function<Status(uint64_t addr, std::span<uint8_t> out)>;

// Everything the lockless ring buffer decoder needs, from DWARF and prb.
struct PrbLayout {
  uint64_t count_bits = 0;   // desc_ring.count_bits
  uint64_t descs = 0;        // desc_ring.descs
  uint64_t infos = 0;        // desc_ring.infos
  uint64_t head_id = 0, tail_id = 0;
  uint64_t size_bits = 0;    // text_data_ring.size_bits
  uint64_t data = 0;         // text_data_ring.data
  unsigned long_size = 8;    // sizeof(unsigned long)
  uint64_t desc_size = 0, info_size = 0;
  uint64_t off_state_var = 0, off_lpos_begin = 0, off_lpos_next = 0;  // in prb_desc
  uint64_t off_ts_nsec = 0, off_text_len = 0, off_facility = 0, off_caller_id = 0;
  bool has_caller_id = false;
  bool has_dev_info = false;
  uint64_t off_subsystem = 0, subsystem_len = 0, off_device = 0, device_len = 0;
};

// The older log_buf of struct printk_log records.
struct LogBufLayout {
  uint64_t buf = 0;  // log_buf's value
  uint32_t buf_len = 0, first_idx = 0, next_idx = 0;
  uint64_t hdr_size = 0;  // sizeof(struct printk_log)
  uint64_t off_ts_nsec = 0, off_len = 0, off_text_len = 0, off_dict_len = 0, off_facility = 0;
};

Result<std::vector<PrintkRecord>> decode_prb(const PrbLayout& l, const MemReader& read);
Result<std::vector<PrintkRecord>> decode_log_buf(const LogBufLayout& l, const MemReader& read);

// The whole log in order, oldest first, from whichever layout the kernel has.
Result<std::vector<PrintkRecord>> read_printk_log(Program& prog);

}  // namespace kinspect
