// What repeats across a log's reports: per CPU and task, how many reports,
// when the first and the last came, and each distinct RIP with its count
// (the table incident 3's engineer grepped together); the distinct call
// traces with their counts (incident 1's recurring traces side by side);
// and the call-chain prefixes, from the outermost frame in, that several
// reports share.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/postmortem/report.hpp"

namespace kinspect {

struct TaskSummary {
  std::optional<int> cpu;
  std::optional<int> pid;
  std::string comm;
  size_t reports = 0;
  std::string first_timestamp, last_timestamp;  // when the first and the last report began
  std::vector<std::pair<std::string, size_t>> rips;  // "sym+0x15/0x20" -> count, most frequent first
};

struct TraceGroup {
  std::vector<std::string> functions;  // innermost first, reliable frames only
  size_t reports = 0;
};

struct SharedChain {
  std::vector<std::string> functions;  // outermost first
  size_t reports = 0;
};

struct LogSummary {
  std::vector<TaskSummary> tasks;     // in order of first appearance
  std::vector<TraceGroup> traces;     // most frequent first
  std::vector<SharedChain> shared;    // longest first
};

LogSummary summarize(const std::vector<Report>& reports);

// The function names of a report's reliable frames, innermost first.
std::vector<std::string> trace_functions(const Report& r);

}  // namespace kinspect
