#include "gateway/core/shard_index.h"

#include "gtest/gtest.h"
#include "tests/gateway/core/test_shards.h"

namespace gw::core {
namespace {

using testing::RecordingSubscriber;

TEST(ShardIndex, DeliversOneSharedFrameToEverySubscriberOfTheChannel) {
  ShardIndex index;
  RecordingSubscriber a("1.1"), b("1.2"), other("1.3");
  index.Add("news", &a);
  index.Add("news", &b);
  index.Add("sport", &other);
  Frame frame = MakeFrame("hello");
  EXPECT_EQ(index.Deliver("news", frame, ""), 2u);
  ASSERT_EQ(a.frames.size(), 1u);
  EXPECT_EQ(a.frames[0].get(), frame.get()) << "subscribers must share the encoded frame";
  EXPECT_EQ(b.frames[0].get(), frame.get());
  EXPECT_TRUE(other.received.empty());
}

TEST(ShardIndex, SkipsTheExcludedSocket) {
  ShardIndex index;
  RecordingSubscriber sender("1.1"), receiver("1.2");
  index.Add("chat", &sender);
  index.Add("chat", &receiver);
  EXPECT_EQ(index.Deliver("chat", MakeFrame("x"), "1.1"), 1u);
  EXPECT_TRUE(sender.received.empty());
  EXPECT_EQ(receiver.received.size(), 1u);
}

TEST(ShardIndex, AddingTwiceIsRefusedAndDeliversOnce) {
  ShardIndex index;
  RecordingSubscriber a("1.1");
  EXPECT_TRUE(index.Add("c", &a));
  EXPECT_FALSE(index.Add("c", &a));
  index.Deliver("c", MakeFrame("x"), "");
  EXPECT_EQ(a.received.size(), 1u);
}

TEST(ShardIndex, RemovedSubscriberGetsNothingAndEmptyChannelsDisappear) {
  ShardIndex index;
  RecordingSubscriber a("1.1"), b("1.2");
  index.Add("c", &a);
  index.Add("c", &b);
  EXPECT_TRUE(index.Remove("c", &a));
  EXPECT_FALSE(index.Remove("c", &a));
  index.Deliver("c", MakeFrame("x"), "");
  EXPECT_TRUE(a.received.empty());
  EXPECT_EQ(b.received.size(), 1u);
  EXPECT_TRUE(index.Remove("c", &b));
  EXPECT_EQ(index.ChannelCount(), 0u);
  EXPECT_EQ(index.Deliver("c", MakeFrame("x"), ""), 0u);
}

}  // namespace
}  // namespace gw::core
