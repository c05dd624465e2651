// A parsed log checked against a vmlinux: every frame and every RIP / pc /
// lr symbolized to source with its inline chain, every Code: line decoded
// (aligned on the RIP's function when the bytes are the vmlinux's own), and
// every disagreement between the log's "+off/size" and the vmlinux
// collected, so the reader is told when the vmlinux is not the log's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/postmortem/code_decoder.hpp"
#include "core/postmortem/report.hpp"
#include "core/postmortem/symbolizer.hpp"

namespace kinspect {

struct Resolved {
  std::optional<SymbolizedLocation> where;
  std::string error;  // why it did not resolve (no symbol, no module debug file)
};

struct DecodedLine {
  DecodedInstruction insn;
  std::optional<SourceFrame> source;  // when the bytes are the vmlinux's text
};

struct AnalyzedCode {
  std::vector<DecodedLine> lines;
  bool matches_vmlinux = false;  // the log's bytes equal the vmlinux text at the RIP
  bool words = false;            // printed as 32-bit instruction words (arm64)
  // Set when no address was known: instruction addresses are offsets into
  // this function (the RIP's), as the log's "+off" places them.
  std::string offsets_in;
  std::string error;
};

struct AnalyzedRegisters {
  Resolved ip, lr;
  std::optional<AnalyzedCode> code;
};

struct AnalyzedReport {
  Report report;
  std::vector<AnalyzedRegisters> registers;  // parallel to report.registers
  std::vector<Resolved> frames;              // parallel to report.frames
};

struct Analysis {
  std::vector<AnalyzedReport> reports;
  size_t locations_checked = 0;          // distinct symbolic locations compared with the vmlinux
  std::vector<std::string> mismatches;   // distinct disagreements, in log order
};

// symbolizer may be null (parse only). The disassembler is created for the
// vmlinux's machine.
Analysis analyze(std::vector<Report> reports, Symbolizer* symbolizer);

}  // namespace kinspect
