#include "gateway/pusher/signature.h"

#include <string>

#include "gtest/gtest.h"

namespace gw::pusher {
namespace {

// The app of Pusher's published HTTP API example, reused so every vector shares one key pair.
constexpr std::string_view kKey = "278d425bdf160c739803";
constexpr std::string_view kSecret = "7ad3773142a6692b25b8";

TEST(HmacSha256Hex, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Hex, HandlesAnEmptyKeyAndMessage) {
  EXPECT_EQ(HmacSha256Hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256Hex, HashesKeysLongerThanTheBlockSize) {
  // RFC 4231 test case 6: a 131-byte key of 0xaa.
  EXPECT_EQ(HmacSha256Hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Hex, SignsMessagesContainingNulBytes) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(HmacSha256Hex("k", with_nul), HmacSha256Hex("k", "a"));
  EXPECT_EQ(HmacSha256Hex("k", with_nul).size(), 64u);
}

TEST(Md5Hex, MatchesRfc1321Vectors) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(Md5Hex, MatchesTheBodyMd5OfPushersPublishedExample) {
  EXPECT_EQ(Md5Hex(R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})"),
            "ec365a775a4cd0599faeb73354201b6f");
}

TEST(ConstantTimeEquals, AcceptsEqualStrings) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST(ConstantTimeEquals, RejectsADifferenceAnywhere) {
  EXPECT_FALSE(ConstantTimeEquals("abc", "xbc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "axc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abx"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(ConstantTimeEquals, RejectsPrefixesAndExtensions) {
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals("a", ""));
}

TEST(ChannelAuthPayload, JoinsSocketAndChannelForPrivateChannels) {
  EXPECT_EQ(ChannelAuthPayload("1234.1234", "private-foobar", ""), "1234.1234:private-foobar");
}

TEST(ChannelAuthPayload, AppendsChannelDataForPresenceChannels) {
  EXPECT_EQ(ChannelAuthPayload("1234.1234", "presence-foobar", R"({"user_id":"10"})"),
            R"(1234.1234:presence-foobar:{"user_id":"10"})");
}

// The vectors below came from the real `pusher` npm SDK 5.3.4 (pusher-http-node):
//   new Pusher({appId: "3", key: "278d425bdf160c739803", secret: "7ad3773142a6692b25b8"})
// then pusher.authorizeChannel(socketId, channel, presenceData) and
// pusher.authenticateUser(socketId, userData), run under node 20.

TEST(SignChannelAuth, MatchesThePusherNodeSdkForAPrivateChannel) {
  // pusher.authorizeChannel("1234.1234", "private-foobar")
  constexpr std::string_view kAuth =
      "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
  EXPECT_EQ(SignChannelAuth(kKey, kSecret, "1234.1234", "private-foobar", ""), kAuth);
  EXPECT_TRUE(VerifyChannelAuth(kKey, kSecret, "1234.1234", "private-foobar", "", kAuth));
}

TEST(SignChannelAuth, MatchesThePusherNodeSdkForAPresenceChannel) {
  // pusher.authorizeChannel("1234.1234", "presence-foobar",
  //                         {user_id: "10", user_info: {name: "Mr. Channels"}})
  constexpr std::string_view kChannelData =
      R"({"user_id":"10","user_info":{"name":"Mr. Channels"}})";
  constexpr std::string_view kAuth =
      "278d425bdf160c739803:4c6d8fc42a207ba96a0779844171b0bb819d96ffceef9609f5cce596ab17a800";
  EXPECT_EQ(SignChannelAuth(kKey, kSecret, "1234.1234", "presence-foobar", kChannelData), kAuth);
  EXPECT_TRUE(
      VerifyChannelAuth(kKey, kSecret, "1234.1234", "presence-foobar", kChannelData, kAuth));
}

TEST(SignChannelAuth, MatchesThePusherNodeSdkForANumericPresenceUserId) {
  // pusher.authorizeChannel("123.456", "presence-room", {user_id: 42})
  constexpr std::string_view kAuth =
      "278d425bdf160c739803:a095f201556e43cf8de4ef524aa0d04ebedb29558737f1833ac5410f9e1c0ea4";
  EXPECT_EQ(SignChannelAuth(kKey, kSecret, "123.456", "presence-room", R"({"user_id":42})"), kAuth);
}

TEST(SignChannelAuth, MatchesThePusherNodeSdkForUtf8UserInfo) {
  // pusher.authorizeChannel("123.456", "presence-room",
  //                         {user_id: "u-1", user_info: {name: "Zoë 😀"}}); JSON.stringify keeps
  // the UTF-8 bytes, and the signature covers them as sent.
  constexpr std::string_view kChannelData =
      "{\"user_id\":\"u-1\",\"user_info\":{\"name\":\"Zo\xc3\xab \xf0\x9f\x98\x80\"}}";
  EXPECT_EQ(
      SignChannelAuth(kKey, kSecret, "123.456", "presence-room", kChannelData),
      "278d425bdf160c739803:8774e8c40e7c86f29cc588fce849f28030c87f3013eac3c82c65fda0a8ebb188");
}

TEST(SignUserAuth, MatchesThePusherNodeSdk) {
  // pusher.authenticateUser("1234.1234", {id: "12345", name: "Mr. Channels"})
  constexpr std::string_view kUserData = R"({"id":"12345","name":"Mr. Channels"})";
  constexpr std::string_view kAuth =
      "278d425bdf160c739803:7c040e9d38c911511ef277608caf877ed7027525fe38a19a81b73f74e7caef49";
  EXPECT_EQ(SignUserAuth(kKey, kSecret, "1234.1234", kUserData), kAuth);
  EXPECT_TRUE(VerifyUserAuth(kKey, kSecret, "1234.1234", kUserData, kAuth));
}

TEST(SignUserAuth, MatchesThePusherNodeSdkForAMinimalUser) {
  // pusher.authenticateUser("1234.1234", {id: "42"})
  EXPECT_EQ(
      SignUserAuth(kKey, kSecret, "1234.1234", R"({"id":"42"})"),
      "278d425bdf160c739803:23467c4156bacf702560be3fdf30b8bf0b44ca003cfca6223784b7bb763bd209");
}

TEST(VerifyChannelAuth, RejectsAnAuthForAnotherSocket) {
  const std::string auth = SignChannelAuth(kKey, kSecret, "1.1", "private-a", "");
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.2", "private-a", "", auth));
}

TEST(VerifyChannelAuth, RejectsAnAuthForAnotherChannel) {
  const std::string auth = SignChannelAuth(kKey, kSecret, "1.1", "private-a", "");
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.1", "private-b", "", auth));
}

TEST(VerifyChannelAuth, RejectsChangedChannelData) {
  const std::string auth =
      SignChannelAuth(kKey, kSecret, "1.1", "presence-a", R"({"user_id":"1"})");
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.1", "presence-a", R"({"user_id":"2"})", auth));
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.1", "presence-a", "", auth));
}

TEST(VerifyChannelAuth, RejectsAnAuthSignedWithAnotherSecret) {
  const std::string auth = SignChannelAuth(kKey, "other-secret", "1.1", "private-a", "");
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.1", "private-a", "", auth));
}

TEST(VerifyChannelAuth, RejectsAnAuthCarryingAnotherAppKey) {
  const std::string signature = HmacSha256Hex(kSecret, "1.1:private-a");
  EXPECT_TRUE(VerifyChannelAuth(kKey, kSecret, "1.1", "private-a", "",
                                std::string(kKey) + ":" + signature));
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.1", "private-a", "", "other-key:" + signature));
}

TEST(VerifyChannelAuth, RejectsMalformedAuthValues) {
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.1", "private-a", "", ""));
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.1", "private-a", "", std::string(kKey) + ":"));
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.1", "private-a", "", "garbage"));
  const std::string auth = SignChannelAuth(kKey, kSecret, "1.1", "private-a", "");
  EXPECT_FALSE(VerifyChannelAuth(kKey, kSecret, "1.1", "private-a", "", auth + "0"));
  EXPECT_FALSE(
      VerifyChannelAuth(kKey, kSecret, "1.1", "private-a", "", auth.substr(0, auth.size() - 1)));
}

TEST(VerifyUserAuth, RejectsChangedUserData) {
  const std::string auth = SignUserAuth(kKey, kSecret, "1.1", R"({"id":"1"})");
  EXPECT_FALSE(VerifyUserAuth(kKey, kSecret, "1.1", R"({"id":"2"})", auth));
  EXPECT_FALSE(VerifyUserAuth(kKey, kSecret, "1.2", R"({"id":"1"})", auth));
}

}  // namespace
}  // namespace gw::pusher
