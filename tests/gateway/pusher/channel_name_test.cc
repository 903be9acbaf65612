#include "gateway/pusher/channel_name.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::pusher {
namespace {

using ::testing::HasSubstr;

ChannelTraits Classify(std::string_view name) {
  absl::StatusOr<ChannelTraits> traits = ClassifyChannel(name);
  EXPECT_TRUE(traits.ok()) << name << ": " << traits.status();
  return traits.value_or(ChannelTraits{});
}

std::string ErrorOf(std::string_view name) {
  absl::StatusOr<ChannelTraits> traits = ClassifyChannel(name);
  EXPECT_FALSE(traits.ok()) << name;
  EXPECT_EQ(traits.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(traits.status().message());
}

TEST(ClassifyChannel, TreatsPlainNamesAsPublic) {
  const ChannelTraits traits = Classify("my-channel");
  EXPECT_EQ(traits.kind, ChannelKind::kPublic);
  EXPECT_FALSE(traits.cache);
  EXPECT_FALSE(traits.RequiresAuth());
  EXPECT_FALSE(traits.AllowsClientEvents());
}

TEST(ClassifyChannel, AcceptsEveryAllowedCharacter) {
  EXPECT_EQ(Classify("AZaz09_-=@,.;").kind, ChannelKind::kPublic);
}

TEST(ClassifyChannel, RecognisesPrivateChannels) {
  const ChannelTraits traits = Classify("private-orders");
  EXPECT_EQ(traits.kind, ChannelKind::kPrivate);
  EXPECT_FALSE(traits.cache);
  EXPECT_TRUE(traits.RequiresAuth());
  EXPECT_TRUE(traits.AllowsClientEvents());
}

TEST(ClassifyChannel, RecognisesPrivateCacheChannels) {
  const ChannelTraits traits = Classify("private-cache-orders");
  EXPECT_EQ(traits.kind, ChannelKind::kPrivate);
  EXPECT_TRUE(traits.cache);
}

TEST(ClassifyChannel, RecognisesEncryptedChannelsAndForbidsClientEventsOnThem) {
  const ChannelTraits traits = Classify("private-encrypted-orders");
  EXPECT_EQ(traits.kind, ChannelKind::kPrivateEncrypted);
  EXPECT_FALSE(traits.cache);
  EXPECT_TRUE(traits.RequiresAuth());
  EXPECT_FALSE(traits.AllowsClientEvents());
}

TEST(ClassifyChannel, RecognisesEncryptedCacheChannels) {
  const ChannelTraits traits = Classify("private-encrypted-cache-orders");
  EXPECT_EQ(traits.kind, ChannelKind::kPrivateEncrypted);
  EXPECT_TRUE(traits.cache);
}

TEST(ClassifyChannel, RecognisesPresenceChannels) {
  const ChannelTraits traits = Classify("presence-room");
  EXPECT_EQ(traits.kind, ChannelKind::kPresence);
  EXPECT_FALSE(traits.cache);
  EXPECT_TRUE(traits.RequiresAuth());
  EXPECT_TRUE(traits.AllowsClientEvents());
}

TEST(ClassifyChannel, RecognisesPresenceCacheChannels) {
  const ChannelTraits traits = Classify("presence-cache-room");
  EXPECT_EQ(traits.kind, ChannelKind::kPresence);
  EXPECT_TRUE(traits.cache);
}

TEST(ClassifyChannel, RecognisesPublicCacheChannels) {
  const ChannelTraits traits = Classify("cache-prices");
  EXPECT_EQ(traits.kind, ChannelKind::kPublic);
  EXPECT_TRUE(traits.cache);
  EXPECT_FALSE(traits.RequiresAuth());
}

TEST(ClassifyChannel, MatchesPrefixesOnlyAtTheStartAndCaseSensitively) {
  EXPECT_EQ(Classify("my-private-channel").kind, ChannelKind::kPublic);
  EXPECT_EQ(Classify("Private-channel").kind, ChannelKind::kPublic);
  EXPECT_EQ(Classify("privatechannel").kind, ChannelKind::kPublic);
  EXPECT_FALSE(Classify("my-cache-channel").cache);
  EXPECT_EQ(Classify("presence-encrypted-x").kind, ChannelKind::kPresence);
}

TEST(ClassifyChannel, RecognisesServerToUserChannels) {
  const ChannelTraits traits = Classify("#server-to-user-42");
  EXPECT_EQ(traits.kind, ChannelKind::kServerToUser);
  EXPECT_FALSE(traits.cache);
  EXPECT_FALSE(traits.RequiresAuth());
  EXPECT_FALSE(traits.AllowsClientEvents());
}

TEST(ClassifyChannel, RejectsServerToUserWithoutAUserId) {
  EXPECT_THAT(ErrorOf("#server-to-user-"), HasSubstr("no user id"));
}

TEST(ClassifyChannel, RejectsInvalidCharactersInTheServerToUserId) {
  EXPECT_THAT(ErrorOf("#server-to-user-a b"), HasSubstr("byte 0x20 at position 17"));
  EXPECT_THAT(ErrorOf("#server-to-user-#1"), HasSubstr("'#' at position 16"));
}

TEST(ClassifyChannel, RejectsHashOutsideTheServerToUserForm) {
  EXPECT_THAT(ErrorOf("#other-channel"), HasSubstr("'#' at position 0"));
  EXPECT_THAT(ErrorOf("a#b"), HasSubstr("'#'"));
  EXPECT_THAT(ErrorOf("#Server-to-user-1"), HasSubstr("'#'"));
  EXPECT_THAT(ErrorOf("#server-to-user"), HasSubstr("'#'"));
}

TEST(ClassifyChannel, RejectsAnEmptyName) { EXPECT_THAT(ErrorOf(""), HasSubstr("empty")); }

TEST(ClassifyChannel, AcceptsExactly164Characters) {
  EXPECT_EQ(Classify(std::string(164, 'a')).kind, ChannelKind::kPublic);
  EXPECT_THAT(ErrorOf(std::string(165, 'a')), HasSubstr("longer than 164"));
}

TEST(ClassifyChannel, AppliesTheLengthLimitToServerToUserNames) {
  const std::string prefix = "#server-to-user-";
  EXPECT_EQ(Classify(prefix + std::string(164 - prefix.size(), '1')).kind,
            ChannelKind::kServerToUser);
  EXPECT_THAT(ErrorOf(prefix + std::string(165 - prefix.size(), '1')), HasSubstr("longer"));
}

TEST(ClassifyChannel, RejectsCharactersOutsideTheAllowedSet) {
  for (std::string_view name :
       {"a b", "a/b", "a:b", "a*b", "a\"b", "a\\b", "a+b", "a%b", "a!b", "a{b", "a'b", "a~b"}) {
    ErrorOf(name);
  }
}

TEST(ClassifyChannel, DescribesNonPrintableBytesByValue) {
  EXPECT_THAT(ErrorOf(std::string("ab\0c", 4)), HasSubstr("byte 0x00 at position 2"));
  EXPECT_THAT(ErrorOf("caf\xc3\xa9"), HasSubstr("byte 0xc3 at position 3"));
  EXPECT_THAT(ErrorOf("a\nb"), HasSubstr("byte 0x0a"));
}

TEST(ValidateEventName, AcceptsOneTo200Characters) {
  EXPECT_TRUE(ValidateEventName("a").ok());
  EXPECT_TRUE(ValidateEventName("my-event").ok());
  EXPECT_TRUE(ValidateEventName(std::string(200, 'e')).ok());
}

TEST(ValidateEventName, RejectsEmptyAndOverlongNames) {
  EXPECT_EQ(ValidateEventName("").code(), absl::StatusCode::kInvalidArgument);
  const absl::Status too_long = ValidateEventName(std::string(201, 'e'));
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_long.message()), HasSubstr("200"));
}

TEST(IsClientEventName, RequiresTheClientPrefix) {
  EXPECT_TRUE(IsClientEventName("client-typing"));
  EXPECT_FALSE(IsClientEventName("client"));
  EXPECT_FALSE(IsClientEventName("pusher:ping"));
  EXPECT_FALSE(IsClientEventName("Client-typing"));
}

}  // namespace
}  // namespace gw::pusher
