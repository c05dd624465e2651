// struct, union, p, whatis and list against crash itself, on whatever
// sample dumps are present: crash (8.0.2, or 8.0.6 for 6.12) runs once per dump on the command
// list below (its answers are cached under $XDG_CACHE_HOME/kinspect/oracle,
// keyed by the dump's size and time and the command list), kinspect runs
// the same commands, and every command's output must be the same line for
// line. Commands name symbols, never addresses, so a regenerated dump needs
// no edit here. Skipped when crash is not installed or KINSPECT_NO_ORACLE
// is set.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands/session.hpp"
#include "core/program.hpp"
#include "tests/unit/types_test_env.hpp"

using namespace kinspect;
namespace fs = std::filesystem;

namespace {

// Deliberate differences (see man kinspect, DIFFERENCES FROM CRASH) are
// left out: unions at an address (crash drops the newline after them),
// expressions crash misparses, error wording.
const std::vector<std::string> kCommands = {
    "p jiffies",
    "p/x jiffies",
    "p -d jiffies",
    "p jiffies_64",
    "p init_task.pid",
    "p init_task.comm",
    "p &init_task",
    "p &init_task.tasks",
    "p init_task.tasks",
    "p init_task.thread_pid",
    "p *init_task.thread_pid",
    "p init_task.thread_pid->numbers",
    "p init_task.sched_class",
    "p *init_task.sched_class",
    "p init_task.se",
    "p init_task.pid_links",
    "p init_task.cpus_mask",
    "p init_task",
    "p sizeof(struct task_struct)",
    "p init_uts_ns",
    "p linux_banner",
    "p &linux_banner",
    "p saved_command_line",
    "p zone_names",
    "p node_states",
    "p tk_core",
    "p nr_cpu_ids",
    "p/x nr_cpu_ids",
    "p __per_cpu_offset",
    "p runqueues",
    "p runqueues:a",
    "p cfd_data:a",
    "p irq_stat:a",
    "p call_single_queue:a",
    "p cpu_number:a",
    "p system_state",
    "p/x system_state",
    "p CSD_FLAG_LOCK",
    "p schedule",
    "p &schedule",
    "p init_mm",
    "p init_mm.pgd",
    "p *init_task.active_mm->pgd",
    "p pcpu_base_addr",
    "p (struct task_struct *)init_task.tasks.next",
    "struct task_struct init_task",
    "struct task_struct -x init_task",
    "struct task_struct.pid,comm init_task",
    "struct task_struct.se.vruntime,se.load init_task",
    "struct task_struct -o init_task",
    "struct rq.cfs.nr_running runqueues:0",
    "struct rq runqueues:1",
    "struct mm_struct init_mm",
    "struct list_head",
    "struct list_head -o",
    "struct task_struct",
    "struct task_struct -o",
    "struct page",
    "struct page -o",
    "struct rq -o",
    "struct pid",
    "struct file_operations",
    "struct sk_buff",
    "union rcu_special",
    "union rcu_special -o",
    "* list_head",
    "whatis init_task",
    "whatis jiffies",
    "whatis schedule",
    "whatis vfs_read",
    "whatis u32",
    "whatis atomic_t",
    "whatis spinlock_t",
    "whatis kxdreproc_t",
    "whatis enum pid_type",
    "whatis struct upid",
    "whatis linux_banner",
    "whatis runqueues",
    "list task_struct.tasks -s task_struct.pid,comm -h init_task",
    "list -o task_struct.tasks -h init_task",
    "list -H modules",
};

// x86_64 only.
const std::vector<std::string> kX86Commands = {
    "struct tss_struct.x86_tss -x cpu_tss_rw:0",
    "struct desc_struct -o",
    "p cpu_tss_rw:1",
};

std::string strip_history(std::string s) {
  for (size_t i = 0; (i = s.find('$', i)) != std::string::npos;) {
    size_t j = i + 1;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i + 1) s.replace(i, j - i, "$N");
    i += 2;
  }
  return s;
}

std::string cache_file(const std::string& dump, const std::string& crash_cmd, const std::vector<std::string>& cmds) {
  struct stat st {};
  ::stat(dump.c_str(), &st);
  std::string key;
  for (const auto& c : cmds) key += c + "\n";
  key += crash_cmd;
  size_t h = std::hash<std::string>()(key);
  std::string base;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) base = x;
  else base = std::string(std::getenv("HOME") ? std::getenv("HOME") : "/tmp") + "/.cache";
  std::ostringstream name;
  name << base << "/kinspect/oracle/types-" << fs::path(dump).parent_path().filename().string() << "-"
       << fs::path(dump).filename().string() << "-" << st.st_size << "-" << st.st_mtime << "-" << std::hex << h << ".txt";
  return name.str();
}

// crash's output per command.
std::vector<std::string> crash_outputs(const std::string& crash, const std::string& vmlinux, const std::string& dump,
                                       const std::vector<std::string>& cmds) {
  std::string cached = cache_file(dump, crash, cmds);
  std::string text;
  if (std::ifstream in(cached); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  } else {
    fs::path input = fs::temp_directory_path() / ("kinspect-oracle-" + std::to_string(getpid()));
    {
      std::ofstream f(input);
      for (const auto& c : cmds) f << c << "\necho ==KINSPECT-ORACLE-END==\n";
      f << "q\n";
    }
    std::string cmd = crash + " -s " + vmlinux + " " + dump + " < " + input.string() + " 2>&1";
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[65536];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
      pclose(p);
    }
    fs::remove(input);
    fs::create_directories(fs::path(cached).parent_path());
    std::ofstream(cached) << text;
  }
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line, cur;
  while (std::getline(in, line)) {
    if (line == "==KINSPECT-ORACLE-END==") {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    // crash's startup warnings and its bt's complaints while it starts.
    if (line.rfind("WARNING: ", 0) == 0 || line.rfind("bt: ", 0) == 0 || line.empty()) continue;
    cur += line + "\n";
  }
  return out;
}

void compare_with_crash(const std::string& sample, bool needs_qemu) {
  std::vector<std::string> cmds = kCommands;
  if (!needs_qemu) cmds.insert(cmds.end(), kX86Commands.begin(), kX86Commands.end());
  if (std::getenv("KINSPECT_NO_ORACLE")) GTEST_SKIP() << "KINSPECT_NO_ORACLE is set";
  auto paths = kinspect::testing::sample_paths(sample);
  std::string vmlinux = paths["VMLINUX"], dump = paths["VMCORE_MDF_ZLIB"];
  KINSPECT_NEED_FILE(vmlinux);
  KINSPECT_NEED_FILE(dump);
  // The kernel's own oracle from paths.sh: trixie's crash 8.0.6 for 6.12
  // (8.0.2 predates it), the host's crash otherwise.
  std::string crash = paths["ORACLE_CRASH"].empty() ? "crash" : paths["ORACLE_CRASH"];
  if (needs_qemu) {
    std::string root = paths["CACHE"] + "/tools/arm64";
    if (!kinspect::testing::file_exists(root + "/usr/bin/crash") || !std::getenv("KINSPECT_ORACLE_ARM64"))
      GTEST_SKIP() << "arm64 crash under qemu-user is slow: set KINSPECT_ORACLE_ARM64=1";
    crash = "qemu-aarch64-static -L " + root + " " + root + "/usr/bin/crash";
  } else if (std::system("command -v crash >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "crash is not installed";
  }
  std::vector<std::string> expected = crash_outputs(crash, vmlinux, dump, cmds);
  ASSERT_EQ(expected.size(), cmds.size()) << "crash did not answer every command";

  auto prog = Program::open(vmlinux, dump);
  ASSERT_TRUE(prog.ok()) << prog.error().to_string();
  Session session(std::move(prog).value());
  for (size_t i = 0; i < cmds.size(); ++i) {
    SCOPED_TRACE(cmds[i]);
    StringOutput out;
    Status st = session.run_line(cmds[i], out);
    std::string got = st.ok() ? out.str() : "ERROR: " + st.error().to_string() + "\n";
    std::string want = expected[i];
    // Blank lines are dropped on both sides (crash's separators sit between
    // outputs differently when captured through a pipe).
    std::string got_nb;
    std::istringstream gs(got);
    std::string line;
    while (std::getline(gs, line))
      if (!line.empty()) got_nb += line + "\n";
    // When crash fails the command, kinspect must fail it too (in its own words).
    std::string word = cmds[i].substr(0, cmds[i].find(' '));
    if (want.rfind(word + ": ", 0) == 0) {
      EXPECT_EQ(got_nb.rfind("ERROR: ", 0), 0u) << "crash said: " << want << "kinspect said: " << got_nb;
      continue;
    }
    EXPECT_EQ(strip_history(got_nb), strip_history(want));
  }
}

TEST(TypesCrashOracle, X86_64Sysrq) { compare_with_crash("x86_64-sysrq", false); }
TEST(TypesCrashOracle, X86_64CsdLockup) { compare_with_crash("x86_64-csd-lockup", false); }
// The kernel matrix: 5.10 (bullseye) and 6.12 (trixie, with trixie's crash).
TEST(TypesCrashOracle, X86_64BullseyeSysrq) { compare_with_crash("x86_64-bullseye-sysrq", false); }
TEST(TypesCrashOracle, X86_64TrixieSysrq) { compare_with_crash("x86_64-trixie-sysrq", false); }
TEST(TypesCrashOracle, Arm64Sysrq) { compare_with_crash("arm64-sysrq", true); }

}  // namespace
