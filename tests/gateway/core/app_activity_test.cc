#include "gateway/core/app_activity.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace gw::core {
namespace {

Activity Opened(std::string socket_id) {
  Activity activity;
  activity.kind = Activity::Kind::kConnectionOpened;
  activity.socket_id = std::move(socket_id);
  return activity;
}

TEST(AppActivity, RecordsNothingBeforeAConsoleWatches) {
  AppActivity activity;
  EXPECT_FALSE(activity.watched());
  activity.Record(Opened("1.1"));
  std::vector<Activity> out;
  EXPECT_EQ(activity.Drain(out, 100), 0u);
  EXPECT_EQ(activity.dropped(), 0u);
}

TEST(AppActivity, HandsRecordsToTheConsoleInOrderWithATime) {
  AppActivity activity;
  activity.Watch();
  EXPECT_TRUE(activity.watched());
  activity.Record(Opened("1.1"));
  activity.Record(Opened("2.2"));
  std::vector<Activity> out;
  ASSERT_EQ(activity.Drain(out, 100), 2u);
  EXPECT_EQ(out[0].socket_id, "1.1");
  EXPECT_EQ(out[1].socket_id, "2.2");
  EXPECT_GT(out[0].time_ms, 1'600'000'000'000);
}

TEST(AppActivity, DropsAndCountsWhatDoesNotFit) {
  AppActivity activity;
  activity.Watch();
  const size_t extra = 10;
  for (size_t i = 0; i < AppActivity::kQueueCapacity + extra; ++i) {
    activity.Record(Opened(std::to_string(i)));
  }
  EXPECT_EQ(activity.dropped(), extra);
  std::vector<Activity> out;
  EXPECT_EQ(activity.Drain(out, 5), 5u);
  EXPECT_EQ(out.front().socket_id, "0");
  EXPECT_EQ(activity.Drain(out, 100'000), AppActivity::kQueueCapacity - 5);
}

TEST(AppActivity, UnwatchedAgainItStopsTellingTapsToRecord) {
  AppActivity activity;
  activity.Watch();
  activity.Unwatch();
  EXPECT_FALSE(activity.watched());
}

TEST(AppActivity, PreviewCutsLongDataAtACharacterBoundary) {
  EXPECT_EQ(AppActivity::Preview("{\"a\":1}"), "{\"a\":1}");
  // 199 ASCII bytes then a 2-byte character across the limit: the character is left out.
  std::string data(AppActivity::kMaxPreviewBytes - 1, 'x');
  data += "\xC3\xA9tail";
  const std::string preview = AppActivity::Preview(data);
  EXPECT_EQ(preview, std::string(AppActivity::kMaxPreviewBytes - 1, 'x'));
}

TEST(AppActivity, CountsTotalsForTheCharts) {
  AppActivity activity;
  activity.CountPublished();
  activity.CountPublished();
  activity.CountWebhooks(3, 1);
  EXPECT_EQ(activity.published(), 2u);
  EXPECT_EQ(activity.webhooks_sent(), 3u);
  EXPECT_EQ(activity.webhooks_failed(), 1u);
}

}  // namespace
}  // namespace gw::core
