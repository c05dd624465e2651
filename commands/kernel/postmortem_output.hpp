// postmortem's output: each report of a kernel log as a block (header,
// CPU/PID/comm, RIP symbolized with its inline chain, Code: decoded with
// the faulting instruction marked, the trace with file:line), then the
// summary of repeated reports. Shared by the `postmortem` command and
// `kinspect --log FILE VMLINUX`, which has no dump at all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "commands/output.hpp"
#include "core/error.hpp"

namespace kinspect {

struct PostmortemRequest {
  std::string log_name;                  // shown in the heading
  std::string vmlinux;                   // "" to parse and summarize only
  std::vector<std::string> module_dirs;  // searched first (--mod-dir, -d)
  std::string release;                   // the dump's; "" takes the log's own
  bool summary_only = false;
};

Status run_postmortem(std::string_view log_text, const PostmortemRequest& req, Output& out);

}  // namespace kinspect
