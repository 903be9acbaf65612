#include "gateway/core/frame.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(FrameText, MakesTheCompressedFormOnceForEveryThreadThatAsks) {
  const Frame frame = MakeFrame(std::string(1000, 'a'));
  std::atomic<int> made{0};
  auto compress = [&](std::string_view text) {
    ++made;
    // Long enough that the other threads ask while this one is still at it.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return std::string("short form of ") + std::to_string(text.size());
  };
  std::vector<const std::string*> seen(8);
  std::vector<std::thread> shards;
  for (size_t i = 0; i < seen.size(); ++i) {
    shards.emplace_back([&, i] { seen[i] = &frame->CompressedForm(compress); });
  }
  for (std::thread& shard : shards) shard.join();
  EXPECT_EQ(made.load(), 1);
  for (const std::string* form : seen) {
    EXPECT_EQ(form, seen[0]) << "every subscriber must share one buffer";
    EXPECT_EQ(*form, "short form of 1000");
  }
  EXPECT_EQ(frame->text(), std::string(1000, 'a'));
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
