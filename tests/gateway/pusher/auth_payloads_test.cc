#include "gateway/pusher/auth_payloads.h"

#include "gtest/gtest.h"
#include "gateway/pusher/signature.h"

namespace gw::pusher {
namespace {

// Golden values from the `pusher` npm SDK 5.3.4 (authorizeChannel / authenticateUser) for app key
// "k", secret "s", socket "1.1" and an encryption master key of 32 bytes of 0x01.

TEST(AuthPayloads, PresenceChannelDataMatchesThePusherSdkByteForByte) {
  auto data = EncodePresenceChannelData("7", R"({"name":"Ann"})");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, R"({"user_id":"7","user_info":{"name":"Ann"}})");
  EXPECT_EQ(SignChannelAuth("k", "s", "1.1", "presence-x", *data),
            "k:931463813aaca5c7dc3844ee0255ce67c8cb25038ac86adb2fea7534e2074e13");
}

TEST(AuthPayloads, UserDataMatchesThePusherSdkByteForByte) {
  auto data = EncodeUserData("7", R"({"name":"Ann"})", {"8"});
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, R"({"id":"7","user_info":{"name":"Ann"},"watchlist":["8"]})");
  EXPECT_EQ(SignUserAuth("k", "s", "1.1", *data),
            "k:ef4ddf304a80f94a431211a161382c54f2f40c37d2bf0bcc136079c5bfee0f34");
}

TEST(AuthPayloads, SharedSecretMatchesThePusherSdk) {
  EXPECT_EQ(EncryptedChannelSharedSecret("private-encrypted-x", std::string(32, '\x01')),
            "6abci0oiMG7l85toH7EPXtofqxjvpR+GS1gC4DE/fh8=");
}

TEST(AuthPayloads, MissingUserInfoBecomesNullAndBadJsonIsRefused) {
  EXPECT_EQ(*EncodePresenceChannelData("7", ""), R"({"user_id":"7","user_info":null})");
  EXPECT_EQ(*EncodeUserData("7", "", {}), R"({"id":"7"})");
  EXPECT_EQ(EncodePresenceChannelData("7", "{nope").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodePresenceChannelData("", "null").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeUserData(std::string(129, 'x'), "", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gw::pusher
