// No two files define a class or struct of the same name in the same named
// namespace. Such a pair links without a word and breaks the one-definition
// rule: code built against one layout frees or reads the other (it happened
// once, when postmortem and the unwinder both had kinspect::Frame).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// "kinspect::x86_64::PteFormat" -> the files that define it.
std::map<std::string, std::set<std::string>> type_definitions(const fs::path& root) {
  static const std::regex ns_open(R"(^namespace ([A-Za-z_][\w:]*) \{)");
  static const std::regex anon_open(R"(^namespace \{)");
  static const std::regex ns_close(R"(^\}  // namespace)");
  static const std::regex type_def(R"(^(?:struct|class) ([A-Za-z_]\w*)(?: final)?(?:\s*\{|\s+:[^:]))");
  std::map<std::string, std::set<std::string>> defs;
  for (const char* dir : {"core", "arch", "commands", "tests"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      std::string ext = e.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      std::ifstream in(e.path());
      std::vector<std::string> stack;
      std::smatch m;
      for (std::string line; std::getline(in, line);) {
        if (std::regex_search(line, m, ns_open)) {
          stack.push_back(m[1]);
        } else if (std::regex_search(line, anon_open)) {
          stack.push_back("");
        } else if (std::regex_search(line, ns_close)) {
          if (!stack.empty()) stack.pop_back();
        } else if (std::regex_search(line, m, type_def)) {
          bool anonymous = false;
          std::string key;
          for (const auto& n : stack) {
            anonymous = anonymous || n.empty();
            key += n + "::";
          }
          if (!anonymous) defs[key + m[1].str()].insert(fs::relative(e.path(), root).string());
        }
      }
    }
  }
  return defs;
}

TEST(OdrNames, NoTwoFilesDefineTheSameNamespaceScopeType) {
  auto defs = type_definitions(KINSPECT_SOURCE_DIR);
  EXPECT_GT(defs.size(), 50u);  // the scan sees the tree
  EXPECT_TRUE(defs.count("kinspect::RegisterSet"));
  for (const auto& [name, files] : defs)
    EXPECT_EQ(files.size(), 1u) << name << " is defined in " << *files.begin() << " and " << *files.rbegin();
}

}  // namespace
