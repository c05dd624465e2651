// triage -j: the TriageReport as one JSON document, schema
// "kinspect-triage" version 1 (documented in kinspect(1), TRIAGE JSON).
// Addresses are "0x..." strings; durations are integer nanoseconds.
#pragma once

#include <string>

namespace kinspect {

struct TriageReport;

inline constexpr int kTriageJsonVersion = 1;

std::string triage_json(const TriageReport& r);

}  // namespace kinspect
