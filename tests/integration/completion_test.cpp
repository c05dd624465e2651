// Tab completion's candidates on a real dump: commands, flags, struct
// names, symbols and member paths (the prompt's readline hook only passes
// these through).
#include <gtest/gtest.h>

#include <algorithm>

#include "commands/shell/completion.hpp"
#include "commands/session.hpp"
#include "core/program.hpp"
#include "sample_dump.hpp"

using namespace kinspect;
using namespace kinspect::testing;

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> complete(Session& s, const std::string& line) {
  size_t start = line.find_last_of(" \t|");
  start = start == std::string::npos ? 0 : start + 1;
  return complete_word(s, line, start, std::string_view(line).substr(start));
}

TEST(Completion, CommandsFlagsTypesSymbolsAndMembers) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  auto prog = Program::open(d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF"));
  ASSERT_TRUE(prog.ok()) << prog.error().to_string();
  Session s(std::move(prog).value());

  auto cmds = complete(s, "fo");
  EXPECT_EQ(cmds, std::vector<std::string>{"foreach"});
  EXPECT_TRUE(has(complete(s, "ma"), "man"));  // a builtin alias

  auto flags = complete(s, "ps -");
  for (const char* f : {"-k", "-u", "-t", "-m", "-p"}) EXPECT_TRUE(has(flags, f)) << f;

  auto types = complete(s, "struct task_str");
  EXPECT_TRUE(has(types, "task_struct"));
  for (const auto& t : types) EXPECT_EQ(t.rfind("task_str", 0), 0u) << t;

  auto members = complete(s, "p init_task.co");
  EXPECT_TRUE(has(members, "init_task.comm"));
  for (const auto& m : members) EXPECT_EQ(m.rfind("init_task.co", 0), 0u) << m;

  // Through a nested struct and through a pointer.
  EXPECT_TRUE(has(complete(s, "p init_task.se.vr"), "init_task.se.vruntime"));
  EXPECT_TRUE(has(complete(s, "p init_task.mm->mm"), "init_task.mm->mm_count"));
  EXPECT_TRUE(has(complete(s, "struct task_struct.se.vr"), "task_struct.se.vruntime"));

  auto syms = complete(s, "sym schedule_time");
  EXPECT_TRUE(has(syms, "schedule_timeout"));
  EXPECT_TRUE(complete(s, "p no_such_symbol_prefix_xyz").empty());
}

}  // namespace
