// triage's text: the panic, the CPU table with what each waiting CPU waits
// for, the blocked tasks with the lock each waits for and its owner, and
// the wait-for graph (root causes first, each chain as a sentence,
// deadlocks). Rendering only: the facts are core/linux/triage's.
#pragma once

#include <string>

namespace kinspect {

struct TriageReport;

std::string triage_text(const TriageReport& r);

}  // namespace kinspect
