// Where the type tests find the real Debian 6.1 vmlinux and the x86_64-sysrq
// sample dump (sample-dumps/make.sh x86_64-sysrq writes paths.env). Tests
// skip when they are absent; every expected value below comes from gdb on
// that vmlinux or from crash 8.0.2 on that dump, never from kinspect.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

namespace kinspect::testing {

inline std::map<std::string, std::string> sample_paths(const std::string& name) {
  std::map<std::string, std::string> kv;
  std::string base;
  if (const char* d = std::getenv("KINSPECT_DUMPS")) base = d;
  else if (const char* c = std::getenv("KINSPECT_CACHE"); c && *c) base = std::string(c) + "/dumps";
  else if (const char* h = std::getenv("HOME")) base = std::string(h) + "/.cache/kinspect/dumps";
  std::ifstream in(base + "/" + name + "/paths.env");
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

inline bool file_exists(const std::string& p) { return !p.empty() && std::ifstream(p).good(); }

}  // namespace kinspect::testing

#define KINSPECT_NEED_FILE(path)                                   \
  do {                                                             \
    if (!::kinspect::testing::file_exists(path)) GTEST_SKIP() << "missing " << (path); \
  } while (0)
