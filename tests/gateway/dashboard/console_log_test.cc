#include "gateway/dashboard/console_log.h"

#include <string>

#include "gtest/gtest.h"

namespace gw::dashboard {
namespace {

core::Activity Opened(int n) {
  return core::Activity(core::Activity::Kind::kConnectionOpened, std::to_string(n));
}

TEST(ConsoleLog, AFirstReadGetsWhatIsKeptNumberedFromOne) {
  ConsoleLog log;
  log.Append(Opened(1));
  log.Append(Opened(2));
  const ConsoleLog::Page page = log.After(0, 100);
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0]->seq, 1u);
  EXPECT_EQ(page.entries[1]->activity.socket_id, "2");
  EXPECT_EQ(page.next, 2u);
  EXPECT_EQ(page.missed, 0u);
}

TEST(ConsoleLog, EachPageReadsFromItsOwnCursor) {
  ConsoleLog log;
  log.Append(Opened(1));
  const uint64_t first = log.After(0, 100).next;
  log.Append(Opened(2));
  log.Append(Opened(3));
  const ConsoleLog::Page page = log.After(first, 100);
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0]->activity.socket_id, "2");
  // Another page that already read everything gets nothing, and keeps its cursor.
  const ConsoleLog::Page done = log.After(3, 100);
  EXPECT_TRUE(done.entries.empty());
  EXPECT_EQ(done.next, 3u);
}

TEST(ConsoleLog, AnAnswerIsBoundedAndTheRestComesNextTime) {
  ConsoleLog log;
  for (int i = 1; i <= 10; ++i) log.Append(Opened(i));
  const ConsoleLog::Page page = log.After(0, 4);
  ASSERT_EQ(page.entries.size(), 4u);
  EXPECT_EQ(page.next, 4u);
  EXPECT_EQ(log.After(page.next, 100).entries.size(), 6u);
}

TEST(ConsoleLog, APageThatFellBehindIsToldHowManyItMissed) {
  ConsoleLog log;
  log.Append(Opened(0));
  const uint64_t cursor = log.After(0, 100).next;  // 1
  for (size_t i = 0; i < ConsoleLog::kKept + 5; ++i) log.Append(Opened(1));
  const ConsoleLog::Page page = log.After(cursor, ConsoleLog::kKept);
  EXPECT_EQ(page.missed, 5u);
  EXPECT_EQ(page.entries.size(), ConsoleLog::kKept);
  EXPECT_EQ(page.entries.front()->seq, cursor + 6);
}

TEST(ConsoleLog, ACursorFromAnotherRunStartsOver) {
  ConsoleLog log;
  log.Append(Opened(1));
  const ConsoleLog::Page page = log.After(500, 100);
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.missed, 0u);
}

}  // namespace
}  // namespace gw::dashboard
