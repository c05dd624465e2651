// On-disk layout of makedumpfile's kdump-compressed format (64-bit
// producers), as read by crash and libkdumpfile:
//
//   block 0                     struct disk_dump_header (464 bytes used)
//   block 1 .. sub_hdr_size     struct kdump_sub_header
//   next bitmap_blocks blocks   1st bitmap (pfn is memory) then 2nd bitmap
//                               (pfn is dumped), each half of the blocks
//   then                        struct page_desc[one per set bit of the 2nd
//                               bitmap, in pfn order]
//   then                        page data, addressed by page_desc.offset
//
// A block is block_size bytes, which is the page size. Bit n of a bitmap is
// bit (n % 8) of byte n / 8. All fields are little-endian on x86_64/arm64.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kinspect::kdump {

inline constexpr char kSignature[] = "KDUMP   ";     // 8 bytes, no NUL
inline constexpr char kDiskdumpSignature[] = "DISKDUMP";

// struct disk_dump_header; new_utsname is six char[65] at 12, then struct
// timeval aligned to 8.
namespace hdr {
inline constexpr size_t signature = 0;
inline constexpr size_t header_version = 8;   // int32
inline constexpr size_t utsname = 12;         // 6 x char[65]
inline constexpr size_t uts_field_len = 65;
inline constexpr size_t timestamp_sec = 408;  // int64 tv_sec
inline constexpr size_t timestamp_usec = 416;
inline constexpr size_t status = 424;         // uint32, DUMP_DH_* flags
inline constexpr size_t block_size = 428;     // int32
inline constexpr size_t sub_hdr_size = 432;   // int32, in blocks
inline constexpr size_t bitmap_blocks = 436;  // uint32
inline constexpr size_t max_mapnr = 440;      // uint32 (see sub header v6)
inline constexpr size_t total_ram_blocks = 444;
inline constexpr size_t device_blocks = 448;
inline constexpr size_t written_blocks = 452;
inline constexpr size_t current_cpu = 456;    // uint32
inline constexpr size_t nr_cpus = 460;        // int32
inline constexpr size_t size = 464;
}  // namespace hdr

// struct kdump_sub_header, at file offset block_size. The comment names
// the header_version that introduced each field.
namespace sub {
inline constexpr size_t phys_base = 0;           // u64
inline constexpr size_t dump_level = 8;          // int32, v1
inline constexpr size_t split = 12;              // int32, v2
inline constexpr size_t start_pfn = 16;          // u64, v2
inline constexpr size_t end_pfn = 24;            // u64, v2
inline constexpr size_t offset_vmcoreinfo = 32;  // u64, v3
inline constexpr size_t size_vmcoreinfo = 40;    // u64, v3
inline constexpr size_t offset_note = 48;        // u64, v4
inline constexpr size_t size_note = 56;          // u64, v4
inline constexpr size_t offset_eraseinfo = 64;   // u64, v5
inline constexpr size_t size_eraseinfo = 72;     // u64, v5
inline constexpr size_t start_pfn_64 = 80;       // u64, v6
inline constexpr size_t end_pfn_64 = 88;         // u64, v6
inline constexpr size_t max_mapnr_64 = 96;       // u64, v6
inline constexpr size_t size = 104;
}  // namespace sub

// struct page_desc
namespace desc {
inline constexpr size_t offset = 0;      // int64 file offset of the data
inline constexpr size_t size_ = 8;       // uint32 stored size
inline constexpr size_t flags = 12;      // uint32 DUMP_DH_COMPRESSED_*
inline constexpr size_t page_flags = 16; // u64
inline constexpr size_t size = 24;
}  // namespace desc

// disk_dump_header.status and page_desc.flags bits.
inline constexpr uint32_t kCompressedZlib = 0x1;
inline constexpr uint32_t kCompressedLzo = 0x2;
inline constexpr uint32_t kCompressedSnappy = 0x4;
inline constexpr uint32_t kIncomplete = 0x8;      // status only: ENOSPC while writing
inline constexpr uint32_t kExcludedVmemmap = 0x10;
inline constexpr uint32_t kCompressedZstd = 0x20;

// Sanity bounds: page sizes Linux uses are 4K..64K; allow some slack.
inline constexpr uint32_t kMinBlockSize = 512;
inline constexpr uint32_t kMaxBlockSize = 1u << 20;

}  // namespace kinspect::kdump
