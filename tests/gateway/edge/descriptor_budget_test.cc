#include "gateway/edge/descriptor_budget.h"

#include <sys/resource.h>

#include "gtest/gtest.h"

namespace gw::edge {
namespace {

TEST(PlanDescriptors, KeepsTheReserveAndGivesWebSockets90PercentOfTheRest) {
  const DescriptorBudget budget = PlanDescriptors(20000, 256, 0);
  EXPECT_EQ(budget.descriptor_limit, 20000u);
  EXPECT_EQ(budget.max_sockets, 19744u);
  EXPECT_EQ(budget.max_connections, 17769u);
}

TEST(PlanDescriptors, DockersDefault1024StillLeavesRoomFor4100BeforeEmfile) {
  const DescriptorBudget budget = PlanDescriptors(1024, 256, 0);
  EXPECT_EQ(budget.max_sockets, 768u);
  EXPECT_EQ(budget.max_connections, 691u);
  EXPECT_LT(budget.max_connections, budget.max_sockets);
}

TEST(PlanDescriptors, ReserveIsAtMostHalfOfATinyLimit) {
  const DescriptorBudget budget = PlanDescriptors(100, 256, 0);
  EXPECT_EQ(budget.max_sockets, 50u);
  EXPECT_EQ(budget.max_connections, 45u);
}

TEST(PlanDescriptors, AConfiguredMaxConnectionsIsKept) {
  EXPECT_EQ(PlanDescriptors(20000, 256, 500).max_connections, 500u);
  EXPECT_EQ(PlanDescriptors(1024, 256, 5000).max_connections, 5000u);
}

TEST(PlanDescriptors, AHugeLimitFitsThe32BitCounters) {
  const DescriptorBudget budget = PlanDescriptors(uint64_t{1} << 40, 256, 0);
  EXPECT_EQ(budget.max_sockets, 0xffffffffu);
  EXPECT_GT(budget.max_connections, 0u);
}

TEST(RaiseDescriptorLimit, RaisesTheSoftLimitToTheHardLimit) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  if (before.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "no finite hard limit";
  // Lower the soft limit the way systemd starts services, then raise it back.
  rlimit lowered = before;
  lowered.rlim_cur = std::min<rlim_t>(before.rlim_max, 512);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  EXPECT_EQ(RaiseDescriptorLimit(), before.rlim_max);
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
}

}  // namespace
}  // namespace gw::edge
