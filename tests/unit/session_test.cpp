#include <gtest/gtest.h>

#include <algorithm>

#include "commands/args.hpp"
#include "commands/session.hpp"

using namespace kinspect;

TEST(SplitRedirect, PipeOutsideParentheses) {
  Redirect r = split_redirect("ps | grep sh");
  EXPECT_EQ(r.kind, Redirect::Kind::pipe);
  EXPECT_EQ(r.command, "ps");
  EXPECT_EQ(r.target, "grep sh");
}

TEST(SplitRedirect, BitOrInsideParenthesesIsNotAPipe) {
  Redirect r = split_redirect("p (a|b)");
  EXPECT_EQ(r.kind, Redirect::Kind::none);
  EXPECT_EQ(r.command, "p (a|b)");
}

TEST(SplitRedirect, ArrowIsNotARedirect) {
  Redirect r = split_redirect("p task->pid > /tmp/out");
  EXPECT_EQ(r.kind, Redirect::Kind::write);
  EXPECT_EQ(r.command, "p task->pid");
  EXPECT_EQ(r.target, "/tmp/out");
}

TEST(SplitRedirect, AppendAndQuotedPipe) {
  Redirect r = split_redirect("log >> 'a|b'");
  EXPECT_EQ(r.kind, Redirect::Kind::append);
  EXPECT_EQ(r.target, "'a|b'");
  Redirect q = split_redirect("ps 'a|b'");
  EXPECT_EQ(q.kind, Redirect::Kind::none);
}

TEST(Args, QuotedWordsKeepTheirQuoteFlag) {
  auto a = parse_args("ps -k 'kwork*'  foo");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->command, "ps");
  ASSERT_EQ(a->size(), 3u);
  EXPECT_FALSE(a->words[0].quoted);
  EXPECT_TRUE(a->words[1].quoted);
  EXPECT_EQ((*a)[1], "kwork*");
  EXPECT_EQ(a->rest, "-k 'kwork*'  foo");
}

TEST(Args, UnterminatedQuoteIsAnError) {
  auto a = parse_args("ps 'abc");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, Errc::invalid_argument);
}

TEST(Options, CombinedFlagsValuesAndNumericFlags) {
  auto a = parse_args("rd -px -32 -o 8 ffff 4");
  ASSERT_TRUE(a.ok());
  auto o = parse_options(*a, "pxo:", {"8", "16", "32", "64"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_TRUE(o->has('p'));
  EXPECT_TRUE(o->has('x'));
  EXPECT_EQ(o->value('o'), "8");
  EXPECT_EQ(o->value('#'), "32");
  ASSERT_EQ(o->positional.size(), 2u);
  EXPECT_EQ(o->positional[0].text, "ffff");
}

TEST(Options, UnknownFlagNamesIt) {
  auto a = parse_args("rd -z 0");
  auto o = parse_options(*a, "p");
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message.find("'z'"), std::string::npos);
}

TEST(Numbers, HexAndDecimal) {
  EXPECT_EQ(parse_hex("ffff888000000000"), 0xffff888000000000ull);
  EXPECT_EQ(parse_hex("0x10"), 16u);
  EXPECT_FALSE(parse_hex("xyz").has_value());
  EXPECT_EQ(parse_number("10"), 10u);
  EXPECT_EQ(parse_number("0x10"), 16u);
}

TEST(Session, CommentsAndBlankLinesSucceedSilently) {
  Session s(nullptr);
  StringOutput out;
  EXPECT_TRUE(s.run_line("   # a comment", out).ok());
  EXPECT_TRUE(s.run_line("", out).ok());
  EXPECT_EQ(out.str(), "");
}

TEST(Session, UnknownCommandAndMissingDump) {
  Session s(nullptr);
  StringOutput out;
  auto st = s.run_line("nosuchcmd", out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::not_found);
  auto st2 = s.run_line("sys", out);
  ASSERT_FALSE(st2.ok());
  EXPECT_NE(st2.error().message.find("needs a vmcore"), std::string::npos);
}

TEST(Session, HelpListsCommandsAndDescribesOne) {
  Session s(nullptr);
  StringOutput out;
  ASSERT_TRUE(s.run_line("help", out).ok());
  EXPECT_NE(out.str().find("rd "), std::string::npos);
  out.clear();
  ASSERT_TRUE(s.run_line("help rd", out).ok());
  EXPECT_NE(out.str().find("-p      ADDRESS is a physical address"), std::string::npos);
}

TEST(Session, PipeRunsThroughTheShell) {
  Session s(nullptr);
  StringOutput out;
  char path[] = "/tmp/kinspect-pipe-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  ASSERT_TRUE(s.run_line(std::string("help | grep '^rd ' > ") + path, out).ok());
  // The redirect belongs to the shell pipeline here, as in crash.
  FILE* f = fopen(path, "r");
  char buf[256] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  unlink(path);
  std::string got(buf, n);
  EXPECT_EQ(got.substr(0, 3), "rd ");
  EXPECT_TRUE(got.ends_with(" read memory\n")) << got;
  EXPECT_EQ(std::count(got.begin(), got.end(), '\n'), 1) << got;
  EXPECT_EQ(out.str(), "");
}

TEST(Options, NegativeNumbersArePositional) {
  auto a = parse_args("eval -b -1");
  auto o = parse_options(*a, "bl");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_TRUE(o->has('b'));
  ASSERT_EQ(o->positional.size(), 1u);
  EXPECT_EQ(o->positional[0].text, "-1");
}
