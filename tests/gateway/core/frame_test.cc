#include "gateway/core/frame.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(FrameText, CompressesOnceForEveryLaterCaller) {
  const Frame frame = MakeFrame(std::string(1000, 'a'));
  int made = 0;
  auto compress = [&](std::string_view text) {
    ++made;
    return std::string("short form of ") + std::to_string(text.size());
  };
  const std::string* first = &frame->CompressedForm(compress);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(&frame->CompressedForm(compress), first);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(*first, "short form of 1000");
  EXPECT_EQ(frame->text(), std::string(1000, 'a'));
}

TEST(FrameText, ThreadsAskingAtOnceAllGetTheOneKeptForm) {
  const Frame frame = MakeFrame(std::string(1000, 'a'));
  std::atomic<int> made{0};
  std::atomic<bool> go{false};
  auto compress = [&](std::string_view text) {
    ++made;
    return std::string("short form of ") + std::to_string(text.size());
  };
  std::vector<const std::string*> seen(8);
  std::vector<std::thread> shards;
  for (size_t i = 0; i < seen.size(); ++i) {
    shards.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      seen[i] = &frame->CompressedForm(compress);
    });
  }
  go = true;
  for (std::thread& shard : shards) shard.join();
  // Racing shards may each compress once, never more; one result is kept for all of them.
  EXPECT_GE(made.load(), 1);
  EXPECT_LE(made.load(), static_cast<int>(seen.size()));
  for (const std::string* form : seen) {
    EXPECT_EQ(form, seen[0]) << "every subscriber must share one buffer";
    EXPECT_EQ(*form, "short form of 1000");
  }
  const int after_race = made.load();
  frame->CompressedForm(compress);
  EXPECT_EQ(made.load(), after_race);
}

TEST(FrameText, KeepsAnEmptyFormWhenCompressingDidNotPay) {
  const Frame frame = MakeFrame("tiny");
  int made = 0;
  auto nothing_better = [&](std::string_view) {
    ++made;
    return std::string();
  };
  EXPECT_TRUE(frame->CompressedForm(nothing_better).empty());
  EXPECT_TRUE(frame->CompressedForm(nothing_better).empty());
  EXPECT_EQ(made, 1);
}

}  // namespace
}  // namespace gw::core
