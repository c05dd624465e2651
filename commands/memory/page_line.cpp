#include "commands/memory/page_line.hpp"

#include "core/linux/page_info.hpp"
#include "core/program.hpp"

namespace kinspect {

Status print_page_block(Output& out, Program& prog, uint64_t page, uint64_t paddr) {
  auto info = read_page_info(prog, page);
  if (!info) return fail(std::move(info).error().context("reading struct page at " + hex(page)));
  std::string names = page_flag_names(prog, info->flags).value_or("");
  out.line("      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS");
  if (!names.empty()) names.insert(0, " ");
  out.print("%16llx %8llx %16llx %8llx %2lld %llx%s\n", static_cast<unsigned long long>(page),
            static_cast<unsigned long long>(paddr & ~(prog.arch().page_size() - 1)),
            static_cast<unsigned long long>(info->mapping), static_cast<unsigned long long>(info->index),
            static_cast<long long>(info->count), static_cast<unsigned long long>(info->flags), names.c_str());
  return {};
}

}  // namespace kinspect
