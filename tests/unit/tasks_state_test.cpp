// crash's two-letter task states from Linux's state and exit_state bits.
#include <gtest/gtest.h>

#include "core/linux/tasks.hpp"

using kinspect::task_state_letters;

TEST(TaskState, CrashLetters) {
  EXPECT_EQ(task_state_letters(0, 0), "RU");
  EXPECT_EQ(task_state_letters(0x1, 0), "IN");
  EXPECT_EQ(task_state_letters(0x2, 0), "UN");
  EXPECT_EQ(task_state_letters(0x402, 0), "ID");  // TASK_IDLE = UNINTERRUPTIBLE | NOLOAD
  EXPECT_EQ(task_state_letters(0x4, 0), "ST");
  EXPECT_EQ(task_state_letters(0x8, 0), "TR");
  EXPECT_EQ(task_state_letters(0x80, 0x20), "ZO");  // TASK_DEAD with EXIT_ZOMBIE
  EXPECT_EQ(task_state_letters(0x80, 0x10), "DE");
  EXPECT_EQ(task_state_letters(0x200, 0), "WA");
  EXPECT_EQ(task_state_letters(0x40, 0), "PA");
  EXPECT_EQ(task_state_letters(0x800, 0), "NE");
}
