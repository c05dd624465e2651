// The contract between probe.cpp's table and the format readers. A probe
// looks at the first bytes of a source and answers one of three things:
//   - not mine: an ok Result holding nullptr, `src` left untouched;
//   - mine but broken: an error naming the file and the offset;
//   - mine: the reader, which has taken ownership of `src`.
#pragma once

#include <memory>

#include "core/byte_source.hpp"
#include "core/dump/dump.hpp"
#include "core/error.hpp"

namespace kinspect {

using ProbeResult = Result<std::unique_ptr<Dump>>;
using ProbeFn = ProbeResult (*)(std::unique_ptr<ByteSource>& src);

ProbeResult probe_flattened(std::unique_ptr<ByteSource>& src);  // flattened_source.cpp
ProbeResult probe_kdump(std::unique_ptr<ByteSource>& src);      // kdump_dump.cpp
ProbeResult probe_elf(std::unique_ptr<ByteSource>& src);        // elf_dump.cpp

// File path behind a source, for Dump::path(): a flattened source reports
// the file it indexes, not "path (flattened)".
const std::string& source_path(const ByteSource& src);
// Bytes actually stored behind a source: its size, or for a flattened stream
// the size of the stream file. A flattened image can claim an enormous size
// with a single record far out (holes read as zeros), so allocations sized
// from header fields are bounded by this, not by size().
uint64_t stored_size(const ByteSource& src);  // flattened_source.cpp

// Readers call this once their DumpInfo is filled: over a flattened stream it
// prefixes the format with "flattened " and notes a missing end marker.
void finish_info(const ByteSource& src, DumpInfo& info);  // flattened_source.cpp

}  // namespace kinspect
