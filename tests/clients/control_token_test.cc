#include "clients/cpp/control_token.h"

#include "gtest/gtest.h"

namespace gw::client {
namespace {

// Golden values from `printf %s realtime.v1 | openssl dgst -sha256 -hmac SECRET`.
TEST(DeriveControlToken, MatchesOpensslForTheDemoAppSecret) {
  EXPECT_EQ(DeriveControlToken("app-secret"),
            "fddccba78a29932978594bacc307e66bfb9fcbde6b8cf211a74498c13e69ac03");
}

TEST(DeriveControlToken, MatchesOpensslForAnotherSecret) {
  EXPECT_EQ(DeriveControlToken("test-secret"),
            "400fbcd075eb79da5cf17dd6d8104af8b354f5c615836f608f7284fe83044019");
}

TEST(DeriveControlToken, IsLowercaseHexOfThirtyTwoBytes) {
  const std::string token = DeriveControlToken("anything");
  ASSERT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << token;
}

}  // namespace
}  // namespace gw::client
