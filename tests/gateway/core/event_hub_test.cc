#include "gateway/core/event_hub.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class RecordingWatcher : public EventWatcher {
 public:
  void OnEvent(const ChannelEvent& event) override { channels.push_back(event.channel); }
  std::vector<std::string> channels;
};

ChannelEvent Occupied(std::string channel) {
  ChannelEvent event;
  event.channel = std::move(channel);
  return event;
}

TEST(EventHub, DeliverToReachesOnlyTheWatchersOfThatScope) {
  EventHub hub;
  auto every = std::make_shared<RecordingWatcher>();
  auto once = std::make_shared<RecordingWatcher>();
  hub.Add(every, WatchScope::kEveryNode);
  hub.Add(once, WatchScope::kOncePerCluster);
  hub.SetOncePerClusterHere(true);
  hub.DeliverTo(WatchScope::kEveryNode, Occupied("a"));
  hub.DeliverTo(WatchScope::kOncePerCluster, Occupied("b"));
  hub.Deliver(Occupied("c"));
  EXPECT_THAT(every->channels, ElementsAre("a", "c"));
  EXPECT_THAT(once->channels, ElementsAre("b", "c"));
}

TEST(EventHub, OncePerClusterWatchersHearNothingWhereTheyAreNotSent) {
  EventHub hub;
  auto once = std::make_shared<RecordingWatcher>();
  hub.Add(once, WatchScope::kOncePerCluster);
  hub.DeliverTo(WatchScope::kOncePerCluster, Occupied("a"));
  hub.Deliver(Occupied("b"));
  EXPECT_THAT(once->channels, IsEmpty());
}

}  // namespace
}  // namespace gw::core
