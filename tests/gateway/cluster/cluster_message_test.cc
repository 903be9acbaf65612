#include "gateway/cluster/cluster_message.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::cluster {
namespace {

using ::testing::ElementsAre;
using Type = ClusterMessage::Type;

TEST(ClusterMessage, RoundTripsBinaryFieldsOfEveryLength) {
  const std::string frame = std::string("{\"a\":\"\0x:\xff\"}", 12);
  const std::string encoded =
      EncodeClusterMessage(Type::kEvent, {"node", "42", "", "00-tp", frame});
  auto decoded = DecodeClusterMessage(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->type, Type::kEvent);
  EXPECT_THAT(decoded->fields, ElementsAre("node", "42", "", "00-tp", frame));
}

TEST(ClusterMessage, WritesWhatTheLuaScriptsWrite) {
  // msg('A', 7, 'u1', '{}') in cluster_scripts.cc
  EXPECT_EQ(EncodeClusterMessage(Type::kMemberAdded, {"7", "u1", "{}"}), "RG1A1:72:u12:{}");
}

TEST(ClusterMessage, RefusesForeignAndDamagedBytes) {
  for (std::string_view bad : std::initializer_list<std::string_view>{
           std::string_view(""), "hello", "RG1", "RG2A1:72:u12:{}",  // not ours
           "RG1Z1:x",                                                // unknown type
           "RG1A1:72:u1",                                            // a field short
           "RG1A1:72:u12:{}1:x",                                     // a field too many
           "RG1A9:72:u12:{}",                                        // length past the end
           "RG1A-1:72:u12:{}", "RG1A:72:u12:{}", "RG1Ax:7",          // malformed lengths
           "RG1N99999999999:1",                                      // absurd length
       }) {
    EXPECT_FALSE(DecodeClusterMessage(bad).ok()) << bad;
  }
}

TEST(ClusterMessage, ChannelEventOfReadsWhatTheScriptsWrite) {
  // msg('V', 4, 'presence-room', 'u1', '', '', '', 2) in cluster_scripts.cc (channel_event)
  auto decoded = DecodeClusterMessage("RG1V1:413:presence-room2:u10:0:0:1:2");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  auto event = ChannelEventOf(*decoded);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->kind, core::ChannelEvent::Kind::kMemberRemoved);
  EXPECT_EQ(event->channel, "presence-room");
  EXPECT_EQ(event->user_id, "u1");
  EXPECT_EQ(event->subscription_count, 2u);
  EXPECT_FALSE(ChannelEventOf(*DecodeClusterMessage("RG1V1:913:presence-room2:u10:0:0:1:2")).ok())
      << "unknown kind";
  EXPECT_FALSE(ChannelEventOf(*DecodeClusterMessage("RG1N1:2")).ok()) << "another type";
}

}  // namespace
}  // namespace gw::cluster
