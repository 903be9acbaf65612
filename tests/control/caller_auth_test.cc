#include "control/caller_auth.h"

#include "gtest/gtest.h"

namespace gw::control {
namespace {

class CallerAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::App derived{"app-id", "app-key", "app-secret"};
    core::App custom{"other", "other-key", "other-secret"};
    custom.grpc_token = "custom-token";
    auto apps = core::AppDirectory::Create({derived, custom}, 1);
    ASSERT_TRUE(apps.ok());
    apps_ = std::move(*apps);
    auth_ = std::make_unique<CallerAuthenticator>(*apps_);
  }
  std::unique_ptr<core::AppDirectory> apps_;
  std::unique_ptr<CallerAuthenticator> auth_;
};

TEST(DerivedToken, IsHexHmacOfRealtimeV1KeyedWithTheSecret) {
  // printf %s realtime.v1 | openssl dgst -sha256 -hmac app-secret
  EXPECT_EQ(DerivedToken("app-secret"),
            "fddccba78a29932978594bacc307e66bfb9fcbde6b8cf211a74498c13e69ac03");
}

TEST_F(CallerAuthenticatorTest, AcceptsTheDerivedAndTheConfiguredToken) {
  auto derived = auth_->Authenticate("Bearer " + DerivedToken("app-secret"), "app-id");
  ASSERT_TRUE(derived.ok());
  EXPECT_EQ((*derived)->app().id, "app-id");
  EXPECT_TRUE(auth_->Authenticate("Bearer custom-token", "other").ok());
  EXPECT_TRUE(auth_->Authenticate("bearer custom-token", "other").ok())
      << "the scheme is case-insensitive";
}

TEST_F(CallerAuthenticatorTest, ConfiguredTokenReplacesTheDerivedOne) {
  EXPECT_EQ(auth_->Authenticate("Bearer " + DerivedToken("other-secret"), "other").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(CallerAuthenticatorTest, MissingOrWrongCredentialsAreUnauthenticated) {
  EXPECT_EQ(auth_->Authenticate("", "app-id").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate("Basic abc", "app-id").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate("Bearer ", "app-id").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate("Bearer wrong", "app-id").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(CallerAuthenticatorTest, AnotherAppsTokenIsPermissionDeniedAndUnknownAppNotFound) {
  EXPECT_EQ(auth_->Authenticate("Bearer custom-token", "app-id").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(auth_->Authenticate("Bearer custom-token", "nope").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(auth_->Authenticate("Bearer wrong", "nope").status().code(),
            absl::StatusCode::kUnauthenticated)
      << "an unauthenticated caller learns nothing about which apps exist";
}

}  // namespace
}  // namespace gw::control
