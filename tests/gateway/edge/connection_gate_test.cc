#include "gateway/edge/connection_gate.h"

#include "gtest/gtest.h"

namespace gw::edge {
namespace {

class ConnectionGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::App open{"1", "open-key", "s"};
    core::App closed{"2", "closed-key", "s"};
    closed.enabled = false;
    core::App picky{"3", "picky-key", "s"};
    picky.allowed_origins = {"https://good.example"};
    auto apps = core::AppDirectory::Create({open, closed, picky}, 1);
    ASSERT_TRUE(apps.ok());
    apps_ = std::move(*apps);
  }
  UpgradeDecision Check(std::string_view target, std::string_view origin = "") {
    return CheckUpgrade(*apps_, target, origin);
  }
  std::unique_ptr<core::AppDirectory> apps_;
};

TEST_F(ConnectionGateTest, AdmitsAKnownKeyWithProtocol7) {
  UpgradeDecision decision = Check("/app/open-key?protocol=7&client=js&version=8.6.0&flash=false");
  EXPECT_EQ(decision.refuse_code, 0);
  ASSERT_NE(decision.app, nullptr);
  EXPECT_EQ(decision.app->app().id, "1");
}

TEST_F(ConnectionGateTest, RefusesEachProblemWithItsPusherCode) {
  EXPECT_EQ(Check("/foo/bar?protocol=7").refuse_code, 4005);
  EXPECT_EQ(Check("/app/?protocol=7").refuse_code, 4005);
  EXPECT_EQ(Check("/app/open-key/extra?protocol=7").refuse_code, 4005);
  EXPECT_EQ(Check("/app/nope?protocol=7").refuse_code, 4001);
  EXPECT_EQ(Check("/app/closed-key?protocol=7").refuse_code, 4003);
  EXPECT_EQ(Check("/app/open-key").refuse_code, 4008);
  EXPECT_EQ(Check("/app/open-key?protocol").refuse_code, 4008);
  EXPECT_EQ(Check("/app/open-key?protocol=abc").refuse_code, 4006);
  EXPECT_EQ(Check("/app/open-key?protocol=3").refuse_code, 4007);
  EXPECT_EQ(Check("/app/open-key?protocol=8").refuse_code, 4007);
}

TEST_F(ConnectionGateTest, RefusesOriginsTheAppDoesNotAllow) {
  EXPECT_EQ(Check("/app/picky-key?protocol=7", "https://evil.example").refuse_code, 4009);
  EXPECT_EQ(Check("/app/picky-key?protocol=7", "https://good.example").refuse_code, 0);
  EXPECT_EQ(Check("/app/picky-key?protocol=7", "").refuse_code, 0);
}

TEST_F(ConnectionGateTest, RefusalCarriesNoAppAndAMessage) {
  UpgradeDecision decision = Check("/app/nope?protocol=7");
  EXPECT_EQ(decision.app, nullptr);
  EXPECT_FALSE(decision.message.empty());
}

}  // namespace
}  // namespace gw::edge
