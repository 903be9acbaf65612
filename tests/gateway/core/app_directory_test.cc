#include "gateway/core/app_directory.h"

#include "gtest/gtest.h"

namespace gw::core {
namespace {

App MakeApp(std::string id, std::string key) { return App{std::move(id), std::move(key), "s"}; }

TEST(AppDirectory, FindsAppsByKeyAndById) {
  auto directory = AppDirectory::Create({MakeApp("1", "k1"), MakeApp("2", "k2")}, 2);
  ASSERT_TRUE(directory.ok());
  ASSERT_NE((*directory)->FindByKey("k2"), nullptr);
  EXPECT_EQ((*directory)->FindByKey("k2")->app().id, "2");
  EXPECT_EQ((*directory)->FindById("1")->app().key, "k1");
  EXPECT_EQ((*directory)->FindByKey("nope"), nullptr);
  EXPECT_EQ((*directory)->FindById("k1"), nullptr) << "keys and ids are separate namespaces";
}

TEST(AppDirectory, RejectsDuplicateIdsAndKeys) {
  EXPECT_FALSE(AppDirectory::Create({MakeApp("1", "a"), MakeApp("1", "b")}, 1).ok());
  EXPECT_FALSE(AppDirectory::Create({MakeApp("1", "a"), MakeApp("2", "a")}, 1).ok());
}

TEST(AppDirectory, RejectsEmptyCredentials) {
  EXPECT_FALSE(AppDirectory::Create({App{"1", "k", ""}}, 1).ok());
}

TEST(AppState, ConnectionQuotaIsEnforcedAndReleased) {
  App app = MakeApp("1", "k");
  app.limits.max_connections = 2;
  AppState state(app, 1);
  EXPECT_TRUE(state.TryAddConnection());
  EXPECT_TRUE(state.TryAddConnection());
  EXPECT_FALSE(state.TryAddConnection());
  state.RemoveConnection();
  EXPECT_TRUE(state.TryAddConnection());
  EXPECT_EQ(state.connection_count(), 2u);
}

}  // namespace
}  // namespace gw::core
