#include "gateway/dashboard/dashboard.h"

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gateway/core/single_node.h"
#include "gtest/gtest.h"
#include "tests/gateway/core/test_server_frames.h"
#include "tests/gateway/core/test_shards.h"

namespace gw::dashboard {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using core::testing::QueuedShards;
using core::testing::RecordingSubscriber;

core::App TestApp() {
  core::App app;
  app.id = "app-1";
  app.key = "key-1";
  app.secret = "secret";
  return app;
}

class DashboardTest : public ::testing::Test {
 protected:
  edge::HttpRequest Get(std::string target, bool authorized = true) {
    edge::HttpRequest request{http::verb::get, target, 11};
    if (authorized)
      request.set(http::field::authorization, "Basic " + absl::Base64Escape("admin:pw"));
    return request;
  }
  edge::HttpRequest Post(std::string target, std::string body) {
    edge::HttpRequest request = Get(std::move(target));
    request.method(http::verb::post);
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
  }
  // The answer, if one was given by the time the shards ran.
  std::optional<edge::HttpResponse> Ask(const edge::HttpRequest& request) {
    return Ask(dashboard_, request);
  }
  std::optional<edge::HttpResponse> Ask(Dashboard& dashboard, const edge::HttpRequest& request) {
    std::optional<edge::HttpResponse> answer;
    dashboard.Handle(request,
                     [&answer](edge::HttpResponse response) { answer = std::move(response); });
    shards_.RunAll();
    return answer;
  }
  json::value AskJson(const edge::HttpRequest& request) { return AskJson(dashboard_, request); }
  json::value AskJson(Dashboard& dashboard, const edge::HttpRequest& request) {
    auto answer = Ask(dashboard, request);
    EXPECT_TRUE(answer.has_value());
    if (!answer) return nullptr;
    EXPECT_EQ(answer->result(), http::status::ok) << answer->body();
    return json::parse(answer->body());
  }
  core::AppState& app() { return *apps_->apps().front(); }

  QueuedShards shards_{1};
  std::unique_ptr<core::AppDirectory> apps_ = *core::AppDirectory::Create({TestApp()}, 1);
  core::Fanout fanout_{shards_, {}};
  core::testing::TextServerFrames frames_;
  core::SingleNode cluster_{*apps_, fanout_, frames_};
  service::EventPublisher publisher_{fanout_, cluster_};
  TrafficTotals totals_;
  Dashboard dashboard_{
      {.user = "admin", .password = "pw"}, *apps_, cluster_, publisher_, [this](core::AppState&) {
        return totals_;
      }};
};

TEST_F(DashboardTest, RefusesARequestWithoutTheCredentials) {
  for (const std::string target :
       {"/dashboard/", "/dashboard/api/apps", "/dashboard/dashboard.js"}) {
    auto answer = Ask(Get(target, false));
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->result(), http::status::unauthorized) << target;
    EXPECT_TRUE(answer->at(http::field::www_authenticate).starts_with("Basic realm="));
    EXPECT_EQ(answer->body().find("<html"), std::string::npos);
  }
  edge::HttpRequest wrong = Get("/dashboard/");
  wrong.set(http::field::authorization, "Basic " + absl::Base64Escape("admin:nope"));
  EXPECT_EQ(Ask(wrong)->result(), http::status::unauthorized);
}

TEST_F(DashboardTest, ServesItsPageFromTheBinaryWithAStrictPolicy) {
  auto page = Ask(Get("/dashboard/"));
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->result(), http::status::ok);
  EXPECT_TRUE(page->at(http::field::content_type).starts_with("text/html"));
  EXPECT_NE(page->body().find("/dashboard/dashboard.js"), std::string::npos);
  EXPECT_NE(page->at("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page->at("X-Frame-Options"), "DENY");
  auto script = Ask(Get("/dashboard/dashboard.js"));
  EXPECT_TRUE(script->at(http::field::content_type).starts_with("text/javascript"));
  EXPECT_FALSE(script->body().empty());
  EXPECT_EQ(Ask(Get("/dashboard/nothing.js"))->result(), http::status::not_found);
}

TEST_F(DashboardTest, ListsTheApps) {
  json::value apps = AskJson(Get("/dashboard/api/apps"));
  ASSERT_EQ(apps.at("apps").as_array().size(), 1u);
  EXPECT_EQ(apps.at("apps").at(0).at("id"), "app-1");
  EXPECT_EQ(Ask(Get("/dashboard/api/live?app=nope"))->result(), http::status::not_found);
}

TEST_F(DashboardTest, TheConsoleWatchesAnAppOnlyWhileAPagePolls) {
  EXPECT_FALSE(app().activity().watched());
  json::value first = AskJson(Get("/dashboard/api/live?app=app-1&after=0"));
  EXPECT_TRUE(app().activity().watched());
  const uint64_t cursor = first.at("console").at("next").to_number<uint64_t>();

  app().activity().Record(core::Activity(core::Activity::Kind::kConnectionOpened, "1.2"));
  json::value next = AskJson(Get("/dashboard/api/live?app=app-1&after=" + std::to_string(cursor)));
  const json::array& entries = next.at("console").at("entries").as_array();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].at("kind"), "connection_opened");
  EXPECT_EQ(entries[0].at("socket_id"), "1.2");

  // Nobody polls for 10 s: the taps go quiet again.
  const int64_t later = absl::ToUnixMillis(absl::Now()) + 11'000;
  dashboard_.Tick(later);
  EXPECT_FALSE(app().activity().watched());
}

TEST_F(DashboardTest, TheConsoleHearsTheAppsChannelEvents) {
  AskJson(Get("/dashboard/api/live?app=app-1"));
  core::ChannelEvent event;
  event.kind = core::ChannelEvent::Kind::kClientEvent;
  event.channel = "private-chat";
  event.event = "client-typing";
  event.data = R"({"who":"bob"})";
  event.socket_id = "3.4";
  app().events().Emit(event);
  json::value live = AskJson(Get("/dashboard/api/live?app=app-1"));
  const json::array& entries = live.at("console").at("entries").as_array();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].at("kind"), "client_event");
  EXPECT_EQ(entries[0].at("event"), "client-typing");
  EXPECT_EQ(entries[0].at("data"), R"({"who":"bob"})");
}

TEST_F(DashboardTest, ChartsCarryTheSampledTraffic) {
  const int64_t start = 1'700'000'000'000;
  totals_.connections = 2;
  dashboard_.Tick(start);
  totals_.messages_out = 40;
  dashboard_.Tick(start + TrafficHistory::kResolutionMs);
  json::value live = AskJson(Get("/dashboard/api/live?app=app-1&points_after=-1"));
  const json::array& points = live.at("traffic").at("points").as_array();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].at("messages_out"), 40);
  EXPECT_EQ(points[0].at("connections"), 2);
  EXPECT_TRUE(live.at("traffic").as_object().contains("current"));
}

TEST_F(DashboardTest, TheEventCreatorPublishesAsTheHttpApiWould) {
  RecordingSubscriber subscriber("1.1");
  app().channels().Subscribe("news");
  app().shard_index(0).Add("news", &subscriber);
  AskJson(Get("/dashboard/api/live?app=app-1"));  // a console is open

  json::value answer =
      AskJson(Post("/dashboard/api/publish?app=app-1",
                   R"({"name":"greeting","channels":["news"],"data":"{\"hi\":1}"})"));
  EXPECT_EQ(answer.at("subscriptions").at("news"), 1);
  ASSERT_EQ(subscriber.received.size(), 1u);
  EXPECT_NE(subscriber.received[0].find("greeting"), std::string::npos);

  json::value live = AskJson(Get("/dashboard/api/live?app=app-1"));
  const json::array& entries = live.at("console").at("entries").as_array();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].at("kind"), "api_message");
  EXPECT_EQ(entries[0].at("detail"), "dashboard");
  EXPECT_EQ(entries[0].at("channel"), "news");
}

TEST_F(DashboardTest, TheEventCreatorRefusesWhatTheHttpApiRefuses) {
  auto answer = Ask(Post("/dashboard/api/publish?app=app-1",
                         R"({"name":"x","channels":["bad channel!"],"data":"{}"})"));
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->result(), http::status::bad_request);
}

TEST_F(DashboardTest, TheEventCreatorTakesOnlyJsonFromItsOwnPage) {
  const std::string body = R"({"name":"x","channels":["news"],"data":"{}"})";
  edge::HttpRequest form = Post("/dashboard/api/publish?app=app-1", body);
  form.set(http::field::content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(Ask(form)->result(), http::status::forbidden);
  edge::HttpRequest elsewhere = Post("/dashboard/api/publish?app=app-1", body);
  elsewhere.set(http::field::host, "127.0.0.1:9601");
  elsewhere.set(http::field::origin, "https://evil.example");
  EXPECT_EQ(Ask(elsewhere)->result(), http::status::forbidden);
  edge::HttpRequest cross_site = Post("/dashboard/api/publish?app=app-1", body);
  cross_site.set("Sec-Fetch-Site", "cross-site");
  EXPECT_EQ(Ask(cross_site)->result(), http::status::forbidden);
  edge::HttpRequest same = Post("/dashboard/api/publish?app=app-1", body);
  same.set(http::field::host, "127.0.0.1:9601");
  same.set(http::field::origin, "http://127.0.0.1:9601");
  same.set("Sec-Fetch-Site", "same-origin");
  EXPECT_EQ(Ask(same)->result(), http::status::ok);
  EXPECT_EQ(Ask(Get("/dashboard/api/publish?app=app-1"))->result(),
            http::status::method_not_allowed);
}

TEST_F(DashboardTest, ChannelsAreListedBusiestFirstAndMembersOfPresenceChannels) {
  app().channels().Subscribe("quiet");
  for (int i = 0; i < 3; ++i) app().channels().Subscribe("busy");
  json::value listed = AskJson(Get("/dashboard/api/channels?app=app-1"));
  EXPECT_EQ(listed.at("total"), 2);
  EXPECT_EQ(listed.at("channels").at(0).at("name"), "busy");
  EXPECT_EQ(listed.at("channels").at(0).at("subscriptions"), 3);
  auto not_presence = Ask(Get("/dashboard/api/members?app=app-1&channel=busy"));
  EXPECT_EQ(not_presence->result(), http::status::bad_request);
  json::value members = AskJson(Get("/dashboard/api/members?app=app-1&channel=presence-room"));
  EXPECT_EQ(members.at("total"), 0);
}

TEST_F(DashboardTest, OnASingleNodeThePageIsToldSoAndGetsNoClusterView) {
  EXPECT_EQ(AskJson(Get("/dashboard/api/apps")).at("cluster"), false);
  dashboard_.Tick(1'700'000'000'000);
  json::value live = AskJson(Get("/dashboard/api/live?app=app-1"));
  EXPECT_FALSE(live.as_object().contains("cluster"));
}

TEST_F(DashboardTest, EverySampleIsSharedWithTheCluster) {
  totals_.messages_out = 12;
  dashboard_.Tick(1'700'000'000'000);
  std::vector<core::NodeTraffic> read;
  cluster_.ReadTraffic(app(), [&](auto nodes) { read = *nodes; });
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].totals.messages_out, 12u);
}

// In a cluster the page gets every node the cluster read and the cluster's own chart. Here the
// cluster is SingleNode, which answers with this node alone; tests/browser has two real nodes.
TEST_F(DashboardTest, InAClusterThePageGetsTheNodesAndTheClustersChart) {
  Dashboard clustered({.user = "admin", .password = "pw", .cluster = true}, *apps_, cluster_,
                      publisher_, [this](core::AppState&) { return totals_; });
  EXPECT_EQ(AskJson(clustered, Get("/dashboard/api/apps")).at("cluster"), true);
  const int64_t start = 1'700'000'000'000;
  totals_.connections = 2;
  totals_.messages_out = 100;  // before the cluster view began: not the cluster's growth
  clustered.Tick(start);
  totals_.messages_out = 140;
  clustered.Tick(start + TrafficHistory::kResolutionMs);
  json::value live = AskJson(
      clustered, Get("/dashboard/api/live?app=app-1&points_after=-1&cluster_points_after=-1"));
  const json::object& cluster = live.at("cluster").as_object();
  ASSERT_EQ(cluster.at("nodes").as_array().size(), 1u);
  const json::value& node = cluster.at("nodes").at(0);
  EXPECT_EQ(node.at("self"), true);
  EXPECT_EQ(node.at("connections"), 2);
  EXPECT_EQ(node.at("messages_out"), 140);
  EXPECT_GE(node.at("age_ms").to_number<int64_t>(), 0);
  EXPECT_EQ(cluster.at("now").at("connections"), 2);
  EXPECT_FALSE(cluster.contains("error"));
  const json::array& points = cluster.at("traffic").at("points").as_array();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].at("messages_out"), 40);
  EXPECT_EQ(points[0].at("connections"), 2);
  // The cursor works as this node's does.
  const int64_t last = points[0].at("index").to_number<int64_t>();
  json::value again = AskJson(
      clustered, Get("/dashboard/api/live?app=app-1&cluster_points_after=" + std::to_string(last)));
  EXPECT_TRUE(again.at("cluster").at("traffic").at("points").as_array().empty());
}

}  // namespace
}  // namespace gw::dashboard
