#include "gateway/core/online_users.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(OnlineUsers, OnlineOnFirstConnectionOfflineAfterTheLast) {
  OnlineUsers users;
  int online = 0, offline = 0;
  users.Add("7", [&] { ++online; });
  users.Add("7", [&] { ++online; });
  EXPECT_EQ(online, 1);
  EXPECT_TRUE(users.IsOnline("7"));
  users.Remove("7", [&] { ++offline; });
  EXPECT_EQ(offline, 0);
  users.Remove("7", [&] { ++offline; });
  EXPECT_EQ(offline, 1);
  EXPECT_FALSE(users.IsOnline("7"));
}

TEST(OnlineUsers, RemovingAnUnknownUserAnnouncesNothing) {
  OnlineUsers users;
  bool announced = false;
  users.Remove("ghost", [&] { announced = true; });
  EXPECT_FALSE(announced);
}

TEST(OnlineUsers, OnlineAmongKeepsTheAskedOrder) {
  OnlineUsers users;
  users.Add("b", [] {});
  users.Add("a", [] {});
  EXPECT_THAT(users.OnlineAmong({"c", "b", "a"}), ::testing::ElementsAre("b", "a"));
}

}  // namespace
}  // namespace gw::core
