#include "sample_dump.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace kinspect::testing {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::map<std::string, std::string> parse_env(const std::string& text) {
  std::map<std::string, std::string> kv;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || line[0] == '#') continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front())
      v = v.substr(1, v.size() - 2);
    kv[line.substr(0, eq)] = v;
  }
  return kv;
}

}  // namespace

std::string file_text(const std::string& path) { return slurp(path); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

std::map<std::string, std::string> by_command(const std::string& out) {
  std::map<std::string, std::string> m;
  std::string cmd;
  for (const auto& l : lines_of(out)) {
    if (l.rfind("kinspect> ", 0) == 0) {
      cmd = l.substr(10);
      continue;
    }
    if (!cmd.empty()) m[cmd] += l + "\n";
  }
  return m;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string SampleDump::path(const std::string& key) const {
  auto it = paths.find(key);
  return it == paths.end() ? std::string() : it->second;
}

std::string SampleDump::fact(const std::string& key) const {
  auto it = facts.find(key);
  return it == facts.end() ? std::string() : it->second;
}

std::vector<std::pair<std::string, std::string>> SampleDump::vmcores() const {
  std::vector<std::pair<std::string, std::string>> v;
  for (const auto& [k, p] : paths)
    if (k.rfind("VMCORE_", 0) == 0 && access(p.c_str(), R_OK) == 0) v.emplace_back(k, p);
  return v;
}

std::string SampleDump::reference_vmcore() const {
  for (const char* k : {"VMCORE_QEMU_ELF", "VMCORE_KDUMP_ELF"})
    if (!path(k).empty() && access(path(k).c_str(), R_OK) == 0) return path(k);
  return "";
}

std::string SampleDump::crash_transcript(const std::string& vmcore_path) const {
  std::string base = vmcore_path.substr(vmcore_path.rfind('/') + 1);
  return slurp(path("DUMP_DIR") + "/oracles/" + base + ".crash");
}

std::optional<SampleDump> load_sample(const std::string& name, std::string* why, bool* not_selected) {
  RunResult r = run_shell(std::string(KINSPECT_SOURCE_DIR) + "/sample-dumps/paths.sh " + name);
  if (r.status != 0) {
    *why = "sample dump " + name + " unavailable (run sample-dumps/make.sh " + name + "): " + r.err;
    if (parse_env(r.out)["SELECTED"] == "0") {
      *why += "; it is opt-in: KINSPECT_MATRIX=all makes and tests it";
      if (not_selected) *not_selected = true;
    }
    return std::nullopt;
  }
  SampleDump d;
  d.name = name;
  d.paths = parse_env(r.out);
  std::string facts = d.path("FACTS");
  if (facts.empty() || access(facts.c_str(), R_OK) != 0 || access(d.path("VMLINUX").c_str(), R_OK) != 0) {
    *why = "sample dump " + name + " not made yet (run sample-dumps/make.sh " + name + ")";
    if (d.path("SELECTED") == "0") {
      *why += "; it is opt-in: KINSPECT_MATRIX=all makes and tests it";
      if (not_selected) *not_selected = true;
    }
    return std::nullopt;
  }
  d.facts = parse_env(slurp(facts));
  return d;
}

RunResult run_shell(const std::string& command, const std::string& input) {
  char in_path[] = "/tmp/kinspect-test-in-XXXXXX";
  char err_path[] = "/tmp/kinspect-test-err-XXXXXX";
  int in_fd = mkstemp(in_path);
  int err_fd = mkstemp(err_path);
  RunResult r;
  if (in_fd < 0 || err_fd < 0) return r;
  if (!input.empty() && write(in_fd, input.data(), input.size()) != static_cast<ssize_t>(input.size()))
    return r;
  close(in_fd);
  close(err_fd);
  std::string cmd = command + " < " + in_path + " 2> " + err_path;
  FILE* p = popen(cmd.c_str(), "r");
  if (p) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  r.err = slurp(err_path);
  unlink(in_path);
  unlink(err_path);
  return r;
}

RunResult run_kinspect(const std::vector<std::string>& args, const std::string& input) {
  std::string cmd = shell_quote(KINSPECT_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_shell(cmd, input);
}

namespace {
// The drgn-readable copies made by run_drgn, removed when the tests exit.
std::map<std::string, std::string>& drgn_copies() {
  static std::map<std::string, std::string> copies;
  static bool registered = false;
  if (!registered) {
    registered = true;
    std::atexit([] {
      for (const auto& [name, path] : drgn_copies()) std::remove(path.c_str());
    });
  }
  return copies;
}

std::string drgn_readable_vmcore(const SampleDump& d, std::string* err) {
  if (d.fact("arch") != "arm64") {
    for (const char* key : {"VMCORE_QEMU_PAGING_ELF", "VMCORE_KDUMP_ELF"})
      if (d.paths.count(key) && std::filesystem::exists(d.path(key))) return d.path(key);
    *err = "no drgn-readable vmcore for " + d.name;
    return "";
  }
  auto& copies = drgn_copies();
  if (auto it = copies.find(d.name); it != copies.end()) return it->second;
  std::string copy = "/tmp/kinspect-drgn-" + d.name + "-" + std::to_string(getpid()) + ".elf";
  RunResult mk = run_shell("/usr/bin/python3 " + std::string(KINSPECT_SOURCE_DIR) +
                           "/tests/integration/elf_add_kernel_vaddrs.py " +
                           shell_quote(d.path("VMCORE_QEMU_ELF")) + " " + shell_quote(copy));
  if (mk.status != 0) {
    *err = mk.err;
    return "";
  }
  copies[d.name] = copy;
  return copy;
}
}  // namespace

RunResult run_drgn(const SampleDump& d, const std::string& script, const std::string& input) {
  std::string err;
  std::string core = drgn_readable_vmcore(d, &err);
  if (core.empty()) return RunResult{1, "", err};
  std::string path = script == "-" ? script : std::string(KINSPECT_SOURCE_DIR) + "/tests/integration/" + script;
  return run_shell(d.drgn_python() + " " + path + " " + shell_quote(d.path("VMLINUX")) + " " + shell_quote(core),
                   input);
}

std::string SampleDump::drgn_python() const {
  std::string py = path("ORACLE_PYTHON");
  return py.empty() ? "/usr/bin/python3" : py;
}

std::string SampleDump::crash_command() const {
  // An x86_64 kernel's own oracle (trixie's crash 8.0.6 for 6.12); arm64's
  // crash runs under qemu-user (minutes a file), too slow for the tests, so
  // they keep the host's crash, which cannot read arm64 and so skips.
  std::string c = path("ORACLE_CRASH");
  return c.empty() || fact("arch") != "x86_64" ? "crash" : c;
}

RunResult run_crash(const SampleDump& d, const std::string& vmcore, const std::string& input) {
  RunResult r = run_shell(d.crash_command() + " -s --no_scroll " + shell_quote(d.path("VMLINUX")) + " " +
                              shell_quote(vmcore),
                          input + "q\n");
  std::istringstream in(r.out);
  std::string line, kept;
  bool skip_blank = false;
  while (std::getline(in, line)) {
    // crash's start-up notes: tasks it cannot find, and the stacks of
    // NMI-stopped CPUs it cannot read ("bt: invalid size request ...").
    if (line.rfind("WARNING: active task", 0) == 0 || line.rfind("bt: invalid size request", 0) == 0 ||
        line.rfind("bt: read of stack at", 0) == 0) {
      skip_blank = true;
      continue;
    }
    if (skip_blank && line.empty()) {
      skip_blank = false;
      continue;
    }
    skip_blank = false;
    kept += line + "\n";
  }
  r.out = kept;
  return r;
}

std::string strip_echo(const std::string& out) {
  std::istringstream in(out);
  std::string line, kept;
  while (std::getline(in, line))
    if (line.rfind("kinspect> ", 0) != 0) kept += line + "\n";
  return kept;
}

std::optional<std::string> field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    std::string label = line.substr(0, colon);
    size_t b = label.find_first_not_of(' ');
    if (b == std::string::npos || label.substr(b) != key) continue;
    return line.substr(colon + 2);
  }
  return std::nullopt;
}

}  // namespace kinspect::testing
