#include "gateway/dashboard/dashboard_credentials.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace gw::dashboard {
namespace {

std::string Basic(std::string_view user_password) {
  return "Basic " +
         absl::Base64Escape(absl::string_view(user_password.data(), user_password.size()));
}

TEST(DashboardCredentials, AcceptsTheRightUserAndPassword) {
  DashboardCredentials credentials("admin", "s3cret:with colon");
  EXPECT_TRUE(credentials.Accepts(Basic("admin:s3cret:with colon")));
  EXPECT_TRUE(credentials.Accepts("basic  " + absl::Base64Escape("admin:s3cret:with colon")));
}

TEST(DashboardCredentials, RefusesEverythingElse) {
  DashboardCredentials credentials("admin", "s3cret");
  EXPECT_FALSE(credentials.Accepts(""));
  EXPECT_FALSE(credentials.Accepts(Basic("admin:wrong")));
  EXPECT_FALSE(credentials.Accepts(Basic("root:s3cret")));
  EXPECT_FALSE(credentials.Accepts(Basic("admin:s3cre")));
  EXPECT_FALSE(credentials.Accepts(Basic("admins3cret")));
  EXPECT_FALSE(credentials.Accepts("Bearer s3cret"));
  EXPECT_FALSE(credentials.Accepts("Basic !!!not-base64"));
  EXPECT_FALSE(credentials.Accepts("Basic"));
}

TEST(DashboardCredentials, AnEmptyPasswordOpensNothing) {
  DashboardCredentials credentials("admin", "");
  EXPECT_FALSE(credentials.Accepts(Basic("admin:")));
}

}  // namespace
}  // namespace gw::dashboard
