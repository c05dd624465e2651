// Every command `help` lists is documented in man/kinspect.1 and in its own
// `help CMD` text, with every flag tab completion offers.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "commands/command.hpp"
#include "commands/missing_commands.hpp"

using namespace kinspect;

namespace {
std::string man_page_text() {
  // Render-independent: strip roff escapes for "\-" so flags read as "-x".
  std::ifstream f(std::string(KINSPECT_SOURCE_DIR) + "/man/kinspect.1");
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str(), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '-') {
      out += '-';
      ++i;
    } else if (s[i] == '\\' && i + 2 < s.size() && s[i + 1] == 'f') {
      i += 2;  // font change \fB \fR \fI
    } else {
      out += s[i];
    }
  }
  return out;
}
}  // namespace

TEST(Docs, ManPageAndHelpDocumentEveryCommandAndFlag) {
  std::string man = man_page_text();
  ASSERT_FALSE(man.empty());
  size_t b = man.find(".SH COMMANDS"), e = man.find(".SH", b + 1);
  ASSERT_NE(b, std::string::npos);
  std::string commands = man.substr(b, e - b);
  for (const CommandSpec& c : command_table()) {
    SCOPED_TRACE(std::string(c.name));
    // An entry line starts ".BR name" or lists the name among aliases.
    std::string n(c.name);
    bool entry = commands.find("\n.BR " + n + " ") != std::string::npos ||
                 commands.find("\n.BR " + n + "\n") != std::string::npos ||
                 commands.find("\" " + n + " \"") != std::string::npos ||
                 commands.find("\" " + n + "\n") != std::string::npos;
    EXPECT_TRUE(entry) << "man page has no entry for " << c.name;
    EXPECT_FALSE(c.help.empty());
    EXPECT_NE(c.help.find("SYNOPSIS"), std::string::npos);
    std::istringstream flags{std::string(c.flags)};
    std::string flag;
    while (flags >> flag) {
      EXPECT_NE(c.help.find("  " + flag), std::string::npos) << "help " << c.name << " lacks " << flag;
      EXPECT_NE(commands.find(flag), std::string::npos) << "man page lacks " << c.name << " " << flag;
    }
  }
}

// What crash has and kinspect lacks: the same names in `help` (from
// kMissingCrashCommands) and in the man page's own section, and none of
// them is a command kinspect has.
TEST(Docs, ManPageListsTheMissingCrashCommands) {
  std::string man = man_page_text();
  size_t b = man.find(".SH CRASH COMMANDS NOT YET IMPLEMENTED"), e = man.find(".SH", b + 1);
  ASSERT_NE(b, std::string::npos);
  std::string section = man.substr(b, e - b);
  for (const auto& m : kMissingCrashCommands) {
    std::string n(m.name);
    EXPECT_NE(section.find("\n.B " + n + "\n"), std::string::npos) << n;
    EXPECT_EQ(find_command(n), nullptr) << n << " exists but is listed as missing";
  }
}
