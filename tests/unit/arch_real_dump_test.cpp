// Real-dump check of the arch layer against crash: opens the sample dumps
// (sample-dumps/, ~/.cache/kinspect/dumps/NAME/paths.env), learns the layout
// with only VMCOREINFO, the vmlinux symtab and physical memory, translates
// kernel text, data, direct map, per-cpu, vmalloc (a kernel stack), vmemmap
// and module addresses, and compares each with crash's `vtop`.
//
// Opt-in, as it runs crash: KINSPECT_ARCH_ORACLE=1 (dumps under
// ~/.cache/kinspect/dumps) or KINSPECT_ARCH_ORACLE=/path/to/dumps.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "arch/arch.hpp"
#include "arch/paging_form.hpp"
#include "core/dump/dump.hpp"
#include "core/elf_image.hpp"
#include "core/symbols/symbol_table.hpp"
#include "core/vmcoreinfo.hpp"

namespace kinspect {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> read_env_file(const fs::path& p) {
  std::map<std::string, std::string> kv;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || line[0] == '#') continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"')) v = v.substr(1, v.size() - 2);
    kv[line.substr(0, eq)] = v;
  }
  return kv;
}

// crash's `vtop ADDR` answers, in input order: the PHYSICAL column, or
// nullopt when crash could not translate.
std::vector<std::optional<uint64_t>> crash_vtop(const std::string& vmlinux, const std::string& vmcore,
                                                const std::vector<uint64_t>& addrs) {
  fs::path in = fs::temp_directory_path() / ("kinspect-vtop-" + std::to_string(getpid()));
  {
    std::ofstream f(in);
    for (uint64_t a : addrs) f << "vtop " << std::hex << a << "\necho END-OF-VTOP\n";
    f << "q\n";
  }
  std::string cmd = "crash -s " + vmlinux + " " + vmcore + " < " + in.string() + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  fs::remove(in);
  std::vector<std::optional<uint64_t>> res;
  if (out.find("machine type mismatch") != std::string::npos) return res;  // host crash lacks the target
  std::istringstream ss(out);
  std::string line;
  std::optional<uint64_t> cur;
  bool want_values = false;
  while (std::getline(ss, line)) {
    if (line.rfind("END-OF-VTOP", 0) == 0) {
      res.push_back(cur);
      cur.reset();
      want_values = false;
      continue;
    }
    if (line.rfind("VIRTUAL", 0) == 0 && line.find("PHYSICAL") != std::string::npos) {
      want_values = true;
      continue;
    }
    if (want_values) {
      std::istringstream ls(line);
      std::string va, pa;
      ls >> va >> pa;
      if (!pa.empty() && pa.find_first_not_of("0123456789abcdef") == std::string::npos)
        cur = std::stoull(pa, nullptr, 16);
      want_values = false;
    }
  }
  return res;
}

struct Probe {
  std::string what;
  uint64_t vaddr;
};

class RealDump {
 public:
  // hide_vmcoreinfo: learn the layout as for a dump without VMCOREINFO.
  Status open(const std::string& vmlinux_path, const std::string& vmcore,
              bool hide_vmcoreinfo = false) {
    ASSIGN_OR_RETURN(elf_, ElfImage::open(vmlinux_path));
    ASSIGN_OR_RETURN(dump_, open_dump(vmcore));
    vi_ = VmcoreInfo::parse(hide_vmcoreinfo ? std::string() : dump_->info().vmcoreinfo);
    TRY_VOID(load_vmlinux_symbols(*elf_, 0, link_));
    ASSIGN_OR_RETURN(arch_, make_arch(static_cast<DumpMachine>(elf_->machine())));
    ArchEnv env;
    Dump* d = dump_.get();
    env.read_phys = [d](uint64_t pa, std::span<uint8_t> out) { return d->read_phys(pa, out); };
    env.vmcoreinfo = &vi_;
    env.vmlinux_symbol = [this](std::string_view n) -> std::optional<uint64_t> {
      if (const Symbol* s = link_.find(n)) return s->addr;
      return std::nullopt;
    };
    const ElfImage* e = elf_.get();
    env.read_vmlinux = [e](uint64_t a, std::span<uint8_t> out) { return e->read(a, out); };
    env.phys_ranges = dump_->ranges();
    return arch_->init(env);
  }
  Arch& arch() { return *arch_; }
  std::optional<uint64_t> sym(std::string_view n) const {
    const Symbol* s = link_.find(n);
    if (!s) return std::nullopt;
    // x86_64's per-cpu symbols are offsets from 0; arm64's are image addresses.
    const bool zero_based = s->is_percpu() && s->addr < (1ull << 32);
    return zero_based ? s->addr : s->addr + arch_->kaslr_offset();
  }
  Result<uint64_t> read_u64(uint64_t va) {
    ASSIGN_OR_RETURN(Translation t, arch_->kvtop(va));
    uint64_t v = 0;
    TRY_VOID(dump_->read_phys(t.paddr, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), 8)));
    return v;
  }
  // A per-cpu variable's address on cpu.
  std::optional<uint64_t> percpu(std::string_view name, unsigned cpu) {
    auto off = sym(name), base = sym("__per_cpu_offset");
    if (!off || !base) return std::nullopt;
    auto o = read_u64(*base + 8 * cpu);
    if (!o.ok()) return std::nullopt;
    return *off + *o;
  }

  std::vector<Probe> probes() {
    std::vector<Probe> p;
    auto add = [&](std::string what, std::optional<uint64_t> va) {
      if (va) p.push_back({std::move(what), *va});
    };
    add("kernel text (schedule)", sym("schedule"));
    add("kernel data (init_task)", sym("init_task"));
    add("kernel rodata (linux_banner)", sym("linux_banner"));
    if (auto t = arch_->kvtop(*sym("init_task")); t.ok()) {
      add("direct map (init_task's page)", arch_->ptov(t->paddr));
      add("vmemmap (init_task's struct page)", arch_->page_struct(t->paddr));
    }
    add("direct map (paddr 0x1000000)", arch_->ptov(0x1000000));
    if (auto cur = percpu("current_task", 0)) {
      add("per-cpu (current_task on cpu 0)", cur);
      if (auto task = read_u64(*cur); task.ok()) add("direct map (cpu 0's current task)", *task);
    }
    // A kernel stack in vmalloc space (CONFIG_VMAP_STACK).
    // x86_64's variables hold the stack's top, arm64's irq_stack_ptr its base.
    for (auto [stack_var, delta] : {std::pair<const char*, int64_t>{"cpu_current_top_of_stack", -8},
                                    {"hardirq_stack_ptr", -8}, {"irq_stack_ptr", 0x100}}) {
      if (auto v = percpu(stack_var, 0))
        if (auto sp = read_u64(*v); sp.ok() && *sp)
          add(std::string("vmalloc (") + stack_var + ")", *sp + delta);
    }
    // The first loaded module's struct module, in module space.
    if (auto mods = sym("modules"))
      if (auto next = read_u64(*mods); next.ok() && *next != *mods) add("module (first struct module)", *next);
    return p;
  }

 private:
  std::unique_ptr<ElfImage> elf_;
  std::unique_ptr<Dump> dump_;
  VmcoreInfo vi_;
  SymbolTable link_;
  std::unique_ptr<Arch> arch_;
};

std::vector<fs::path> dump_dirs() {
  const char* env = std::getenv("KINSPECT_ARCH_ORACLE");
  if (!env || !*env) return {};
  fs::path root = std::string(env) == "1" ? fs::path(std::getenv("HOME")) / ".cache/kinspect/dumps"
                                          : fs::path(env);
  std::vector<fs::path> dirs;
  if (fs::is_directory(root))
    for (const auto& e : fs::directory_iterator(root))
      if (fs::exists(e.path() / "paths.env")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

TEST(ArchRealDump, KvtopAgreesWithCrash) {
  auto dirs = dump_dirs();
  if (dirs.empty()) GTEST_SKIP() << "set KINSPECT_ARCH_ORACLE=1 (or a dumps directory) to run";
  for (const fs::path& dir : dirs) {
    auto paths = read_env_file(dir / "paths.env");
    const std::string vmlinux = paths["VMLINUX"];
    for (const auto& [key, vmcore] : paths) {
      if (key.rfind("VMCORE_", 0) != 0 || !fs::exists(vmcore)) continue;
      SCOPED_TRACE(vmcore);
      RealDump rd;
      auto st = rd.open(vmlinux, vmcore);
      ASSERT_TRUE(st.ok()) << st.error().to_string();
      std::printf("%s\n  %s\n  KASLR: %s (%s)\n", vmcore.c_str(),
                  describe(rd.arch().kernel_paging()).c_str(), hex(rd.arch().kaslr_offset()).c_str(),
                  rd.arch().kaslr_source().c_str());
      for (const auto& [name, v] : rd.arch().layout()) std::printf("    %-22s %s\n", name.c_str(), hex(v).c_str());
      auto probes = rd.probes();
      std::vector<uint64_t> addrs;
      for (auto& p : probes) addrs.push_back(p.vaddr);
      auto want = crash_vtop(vmlinux, vmcore, addrs);
      const bool crash_ran = !want.empty();
      if (want.empty()) {
        std::printf("  crash cannot read this machine here: checking kvtop against the page tables only\n");
        want.resize(probes.size());
      } else {
        ASSERT_EQ(want.size(), probes.size()) << "crash did not answer every vtop";
      }
      for (size_t i = 0; i < probes.size(); ++i) {
        auto got = rd.arch().kvtop(probes[i].vaddr);
        // Whatever kvtop computed, swapper's/init_top_pgt's tables must agree.
        auto walked = rd.arch().kwalk(probes[i].vaddr);
        if (got.ok()) {
          ASSERT_TRUE(walked.ok()) << probes[i].what << ": " << walked.error().to_string();
          EXPECT_EQ(hex(walked->paddr), hex(got->paddr)) << probes[i].what << " walked";
        }
        if (want[i] == std::nullopt && !crash_ran) {
          ASSERT_TRUE(got.ok()) << probes[i].what << ": " << got.error().to_string();
          std::printf("  %-40s %s -> %s [%s, %s] walk: %s\n", probes[i].what.c_str(),
                      hex(probes[i].vaddr).c_str(), hex(got->paddr).c_str(), got->region.c_str(),
                      size_name(got->page_size).c_str(),
                      walked.ok() ? (hex(walked->paddr) + " " + size_name(walked->page_size)).c_str() : "-");
          continue;
        }
        std::printf("  %-40s %s -> %s [%s%s] crash: %s\n", probes[i].what.c_str(),
                    hex(probes[i].vaddr).c_str(),
                    got.ok() ? hex(got->paddr).c_str() : got.error().to_string().c_str(),
                    got.ok() ? got->region.c_str() : "", got.ok() && got->page_size
                        ? (", " + size_name(got->page_size)).c_str() : "",
                    want[i] ? hex(*want[i]).c_str() : "no translation");
        if (!want[i]) {
          EXPECT_FALSE(got.ok()) << probes[i].what;
          continue;
        }
        ASSERT_TRUE(got.ok()) << probes[i].what << ": " << got.error().to_string();
        EXPECT_EQ(hex(got->paddr), hex(*want[i])) << probes[i].what << " " << hex(probes[i].vaddr);
      }

      // The same dump as if it had no VMCOREINFO: the kernel must be found
      // through linux_banner with the same offsets, and translate the same.
      RealDump blind;
      auto bst = blind.open(vmlinux, vmcore, /*hide_vmcoreinfo=*/true);
      ASSERT_TRUE(bst.ok()) << bst.error().to_string();
      std::printf("  without VMCOREINFO: KASLR %s (%s)\n", hex(blind.arch().kaslr_offset()).c_str(),
                  blind.arch().kaslr_source().c_str());
      EXPECT_EQ(hex(blind.arch().kaslr_offset()), hex(rd.arch().kaslr_offset()));
      EXPECT_EQ(describe(blind.arch().kernel_paging()), describe(rd.arch().kernel_paging()));
      EXPECT_EQ(blind.arch().kernel_root(), rd.arch().kernel_root());
      EXPECT_EQ(blind.arch().ptov(0x1000000), rd.arch().ptov(0x1000000));
      EXPECT_EQ(blind.arch().page_struct(0x1000000), rd.arch().page_struct(0x1000000));
      for (const Probe& p : probes) {
        auto a = rd.arch().kvtop(p.vaddr), b = blind.arch().kvtop(p.vaddr);
        if (a.ok()) {
          ASSERT_TRUE(b.ok()) << p.what << ": " << b.error().to_string();
          EXPECT_EQ(hex(b->paddr), hex(a->paddr)) << p.what << " without VMCOREINFO";
        }
      }
      if (std::getenv("KINSPECT_ARCH_ORACLE_ALL") == nullptr) break;  // one format per dump is enough
    }
  }
}

}  // namespace
}  // namespace kinspect
