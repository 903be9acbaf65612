#include "gateway/dashboard/dashboard.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/core/event_hub.h"
#include "gateway/dashboard/cluster_totals.h"
#include "gateway/dashboard/dashboard_assets.h"
#include "gateway/pusher/http_api_codec.h"

namespace gw::dashboard {

namespace http = boost::beast::http;
namespace json = boost::json;
using edge::HttpRequest;
using edge::HttpResponder;
using edge::HttpResponse;

namespace {

constexpr int64_t kConsoleIdleMs = 10'000;
constexpr int64_t kSampleEveryMs = 1000;
constexpr auto kTickEvery = std::chrono::milliseconds(250);
// At most this many console entries per answer, and drained from a feed per turn: a page
// polling twice a second keeps up with 1,000 events a second, and each answer stays small.
constexpr size_t kEntriesPerAnswer = 500;
constexpr size_t kDrainPerTurn = 2 * core::AppActivity::kQueueCapacity;
// The channels panel lists the busiest ones; the total says how many there are.
constexpr size_t kChannelsListed = 100;
constexpr size_t kMembersListed = 1000;

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

// Headers every answer carries: nothing is cached, nothing may frame the page, scripts and
// styles come only from the binary.
void Harden(HttpResponse& response) {
  response.set(http::field::server, "realtime-gateway");
  response.set(http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Content-Security-Policy",
               "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
}

HttpResponse Json(http::status status, const json::value& body, unsigned version) {
  HttpResponse response = edge::JsonResponse(status, json::serialize(body), version);
  Harden(response);
  return response;
}

HttpResponse Error(http::status status, std::string_view message, unsigned version) {
  HttpResponse response = edge::ErrorResponse(status, message, version);
  Harden(response);
  return response;
}

HttpResponse StatusError(const absl::Status& status, unsigned version) {
  const absl::string_view message = status.message();
  return Error(edge::HttpStatusFor(status), std::string_view(message.data(), message.size()),
               version);
}

std::string_view KindName(core::Activity::Kind kind) {
  using Kind = core::Activity::Kind;
  switch (kind) {
    case Kind::kConnectionOpened:
      return "connection_opened";
    case Kind::kConnectionClosed:
      return "connection_closed";
    case Kind::kSubscribed:
      return "subscribed";
    case Kind::kSubscriptionFailed:
      return "subscription_failed";
    case Kind::kPublished:
      return "api_message";
    case Kind::kClientEvent:
      return "client_event";
    case Kind::kWebhookSent:
      return "webhook_sent";
    case Kind::kWebhookFailed:
      return "webhook_failed";
    case Kind::kChannelOccupied:
      return "occupied";
    case Kind::kChannelVacated:
      return "vacated";
    case Kind::kMemberAdded:
      return "member_added";
    case Kind::kMemberRemoved:
      return "member_removed";
    case Kind::kCacheMiss:
      return "cache_miss";
  }
  return "other";
}

json::object EntryJson(const ConsoleLog::Entry& entry) {
  const core::Activity& a = entry.activity;
  json::object object;
  object["seq"] = entry.seq;
  object["time_ms"] = a.time_ms;
  object["kind"] = KindName(a.kind);
  if (!a.socket_id.empty()) object["socket_id"] = a.socket_id;
  if (!a.channel.empty()) object["channel"] = a.channel;
  if (!a.event.empty()) object["event"] = a.event;
  if (!a.user_id.empty()) object["user_id"] = a.user_id;
  if (!a.detail.empty()) object["detail"] = a.detail;
  if (!a.data.empty()) object["data"] = a.data;
  if (a.size != 0) object["size"] = a.size;
  return object;
}

void AddFigures(json::object& object, const TrafficTotals& f) {
  object["connections"] = f.connections;
  object["subscriptions"] = f.subscriptions;
  object["messages_in"] = f.messages_in;
  object["messages_out"] = f.messages_out;
  object["published"] = f.published;
  object["client_events"] = f.client_events;
  object["webhooks_sent"] = f.webhooks_sent;
  object["webhooks_failed"] = f.webhooks_failed;
}

json::object PointJson(const TrafficPoint& point) {
  json::object object;
  object["index"] = point.index;
  object["covered_ms"] = point.covered_ms;
  AddFigures(object, point.figures);
  return object;
}

// Closed buckets after `points_after`, and the one in progress.
json::object TrafficJson(const TrafficHistory& history, int64_t points_after) {
  json::array points;
  for (const TrafficPoint& point : history.Since(points_after)) points.push_back(PointJson(point));
  json::object traffic;
  traffic["points"] = std::move(points);
  if (auto current = history.Current()) traffic["current"] = PointJson(*current);
  return traffic;
}

// An app's cluster view: what the last reading of every node's figures said, and the cluster's
// hour. Shared with the reading in flight, whose answer may come after the dashboard is gone.
struct ClusterView {
  absl::Mutex mu;
  ClusterTotals totals ABSL_GUARDED_BY(mu);
  TrafficHistory traffic ABSL_GUARDED_BY(mu);
  std::vector<core::NodeTraffic> nodes ABSL_GUARDED_BY(mu);
  int64_t read_ms ABSL_GUARDED_BY(mu) = 0;  // when `nodes` was asked for
  std::string error ABSL_GUARDED_BY(mu);    // why the last reading failed; "" when it did not
  bool reading ABSL_GUARDED_BY(mu) = false;
};

// The nodes as last read and the cluster's chart, for the page.
json::object ClusterJson(ClusterView& cluster, int64_t points_after, int64_t now_ms) {
  absl::MutexLock lock(&cluster.mu);
  json::array nodes;
  TrafficTotals sum;
  for (const core::NodeTraffic& node : cluster.nodes) {
    json::object entry;
    entry["id"] = node.node;
    entry["self"] = node.self;
    // How old the figures are now, not when they were read.
    entry["age_ms"] = node.age_ms + std::max<int64_t>(0, now_ms - cluster.read_ms);
    AddFigures(entry, node.totals);
    nodes.push_back(std::move(entry));
    sum.connections += node.totals.connections;
    sum.subscriptions += node.totals.subscriptions;
  }
  json::object out;
  out["nodes"] = std::move(nodes);
  if (!cluster.error.empty()) out["error"] = cluster.error;
  json::object now;
  now["connections"] = sum.connections;
  now["subscriptions"] = sum.subscriptions;
  out["now"] = std::move(now);
  out["traffic"] = TrafficJson(cluster.traffic, points_after);
  return out;
}

// What the console shows of the channel events an app's EventHub carries.
std::optional<core::Activity> ActivityOf(const core::ChannelEvent& event) {
  using EventKind = core::ChannelEvent::Kind;
  using Kind = core::Activity::Kind;
  core::Activity activity;
  switch (event.kind) {
    case EventKind::kChannelOccupied:
      activity.kind = Kind::kChannelOccupied;
      break;
    case EventKind::kChannelVacated:
      activity.kind = Kind::kChannelVacated;
      break;
    case EventKind::kMemberAdded:
      activity.kind = Kind::kMemberAdded;
      break;
    case EventKind::kMemberRemoved:
      activity.kind = Kind::kMemberRemoved;
      break;
    case EventKind::kCacheMiss:
      activity.kind = Kind::kCacheMiss;
      break;
    case EventKind::kClientEvent:
      activity.kind = Kind::kClientEvent;
      activity.event = event.event;
      activity.data = core::AppActivity::Preview(event.data);
      activity.size = event.data.size();
      break;
    case EventKind::kSubscriptionCount:
      return std::nullopt;  // one per change of a count: noise beside the subscriptions
  }
  activity.time_ms = event.time_ms;
  activity.channel = event.channel;
  activity.user_id = event.user_id;
  activity.socket_id = event.socket_id;
  return activity;
}

// The query parameter `name` of `url`, or "".
std::string Param(const boost::urls::url_view& url, std::string_view name) {
  auto it = url.params().find(name);
  if (it == url.params().end() || !(*it).has_value) return "";
  return (*it).value;
}

bool SameOrigin(const HttpRequest& request) {
  const std::string_view site = request["Sec-Fetch-Site"];
  if (!site.empty() && site != "same-origin" && site != "none") return false;
  const std::string_view origin = request[http::field::origin];
  if (origin.empty()) return true;
  const std::string_view host = request[http::field::host];
  return !host.empty() &&
         (origin == absl::StrCat("http://", absl::string_view(host.data(), host.size())) ||
          origin == absl::StrCat("https://", absl::string_view(host.data(), host.size())));
}

}  // namespace

// Copies an app's channel events into its activity feed while a console watches; runs on
// whatever thread emits, maybe under the channel registry's lock, and never blocks.
class Dashboard::ConsoleWatcher final : public core::EventWatcher {
 public:
  explicit ConsoleWatcher(core::AppActivity& activity) : activity_(activity) {}
  void OnEvent(const core::ChannelEvent& event) override {
    if (!activity_.watched()) return;
    if (auto activity = ActivityOf(event)) activity_.Record(*std::move(activity));
  }

 private:
  core::AppActivity& activity_;
};

struct Dashboard::AppView {
  explicit AppView(core::AppState& app) : app(app) {}
  core::AppState& app;
  std::shared_ptr<ClusterView> cluster;  // null on a single node; set at construction
  // All under the dashboard's lock.
  TrafficHistory traffic;
  ConsoleLog console;
  bool watching = false;
  int64_t polled_ms = 0;  // the last console poll
  std::shared_ptr<ConsoleWatcher> watcher;
  uint64_t page_missed = 0;
};

Dashboard::Dashboard(DashboardOptions options, core::AppDirectory& apps, core::Cluster& cluster,
                     service::EventPublisher& publisher, TotalsReader totals)
    : options_(std::move(options)),
      credentials_(options_.user, options_.password),
      apps_(apps),
      cluster_(cluster),
      publisher_(publisher),
      queries_(cluster),
      totals_(std::move(totals)) {
  for (const auto& app : apps.apps()) {
    auto view = std::make_unique<AppView>(*app);
    if (options_.cluster) view->cluster = std::make_shared<ClusterView>();
    views_.emplace(app->app().id, std::move(view));
  }
}

Dashboard::~Dashboard() {
  Stop();
  absl::MutexLock lock(&mu_);
  for (auto& [id, view] : views_) {
    if (view->watching) UnwatchLocked(*view);
  }
}

void Dashboard::Start() {
  thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(absl::FromChrono(kTickEvery))) Tick(NowMs());
  });
}

void Dashboard::Stop() {
  if (!thread_.joinable()) return;
  stop_.Notify();
  thread_.join();
}

void Dashboard::Tick(int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  const bool sample = now_ms - last_sample_ms_ >= kSampleEveryMs || now_ms < last_sample_ms_;
  if (sample) last_sample_ms_ = now_ms;
  for (auto& [id, view] : views_) {
    if (view->watching) {
      DrainLocked(*view);
      if (now_ms - view->polled_ms > kConsoleIdleMs) UnwatchLocked(*view);
    }
    if (!sample) continue;
    const TrafficTotals totals = totals_(view->app);
    view->traffic.Sample(now_ms, totals);
    cluster_.ShareTraffic(view->app, totals);
    if (view->cluster != nullptr) ReadCluster(*view, now_ms);
  }
}

void Dashboard::ReadCluster(AppView& view, int64_t now_ms) {
  {
    absl::MutexLock lock(&view.cluster->mu);
    if (view.cluster->reading) return;  // a slow Redis gets one reading per app at a time
    view.cluster->reading = true;
  }
  cluster_.ReadTraffic(view.app, [cluster = view.cluster, now_ms](
                                     absl::StatusOr<std::vector<core::NodeTraffic>> nodes) mutable {
    absl::MutexLock lock(&cluster->mu);
    cluster->reading = false;
    if (!nodes.ok()) {
      cluster->error = std::string(nodes.status().message());
      return;
    }
    cluster->error.clear();
    cluster->traffic.Sample(now_ms, cluster->totals.Add(*nodes));
    cluster->nodes = *std::move(nodes);
    cluster->read_ms = now_ms;
  });
}

void Dashboard::WatchLocked(AppView& view, int64_t now_ms) {
  view.polled_ms = now_ms;
  if (view.watching) return;
  view.watching = true;
  view.app.activity().Watch();
  if (view.watcher == nullptr) view.watcher = std::make_shared<ConsoleWatcher>(view.app.activity());
  view.app.events().Add(view.watcher, core::WatchScope::kEveryNode);
}

void Dashboard::UnwatchLocked(AppView& view) {
  view.watching = false;
  view.app.activity().Unwatch();
  view.app.events().Remove(view.watcher.get());
}

void Dashboard::DrainLocked(AppView& view) {
  std::vector<core::Activity> drained;
  view.app.activity().Drain(drained, kDrainPerTurn);
  for (core::Activity& activity : drained) view.console.Append(std::move(activity));
}

Dashboard::AppView* Dashboard::FindView(std::string_view app_id) {
  auto it = views_.find(app_id);
  return it == views_.end() ? nullptr : it->second.get();
}

void Dashboard::AddMetrics(observability::MetricsRegistry& registry) {
  registry.AddCounterFunction(
      "realtime_dashboard_console_dropped_total",
      "Debug console events dropped: the app's feed was full (queue), or a page fell too far "
      "behind to read them (page).",
      [this](const auto& emit) {
        absl::MutexLock lock(&mu_);
        for (const auto& [id, view] : views_) {
          emit({{"app", id}, {"where", "queue"}},
               static_cast<double>(view->app.activity().dropped()));
          emit({{"app", id}, {"where", "page"}}, static_cast<double>(view->page_missed));
        }
      });
}

TotalsReader EdgeTotalsReader(const edge::EdgeMetrics* metrics) {
  return [metrics](core::AppState& app) {
    TrafficTotals totals;
    totals.connections = app.connection_count();
    totals.subscriptions = app.channels().TotalSubscriptions();
    if (const edge::AppEdgeMetrics* edge = metrics != nullptr ? metrics->For(&app) : nullptr) {
      totals.messages_in = edge->messages_in->Value();
      totals.messages_out = edge->messages_out->Value();
      totals.client_events = edge->client_events->Value();
    }
    totals.published = app.activity().published();
    totals.webhooks_sent = app.activity().webhooks_sent();
    totals.webhooks_failed = app.activity().webhooks_failed();
    return totals;
  };
}

void Dashboard::Handle(const HttpRequest& request, HttpResponder respond) {
  const unsigned version = request.version();
  if (!credentials_.Accepts(request[http::field::authorization])) {
    HttpResponse response = Error(http::status::unauthorized, "credentials required", version);
    response.set(http::field::www_authenticate, std::string(DashboardCredentials::kChallenge));
    return std::move(respond)(std::move(response));
  }
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) {
    return std::move(respond)(
        Error(http::status::bad_request, "malformed request target", version));
  }
  const std::string_view path = url->encoded_path();
  const bool get = request.method() == http::verb::get;
  if (path == "/dashboard/api/publish") {
    if (request.method() != http::verb::post) {
      return std::move(respond)(Error(http::status::method_not_allowed, "use POST", version));
    }
    AppView* view = FindView(Param(*url, "app"));
    if (view == nullptr)
      return std::move(respond)(Error(http::status::not_found, "no such app", version));
    return Publish(*view, request, std::move(respond));
  }
  if (!get) return std::move(respond)(Error(http::status::method_not_allowed, "use GET", version));
  if (path == "/dashboard/api/apps") return std::move(respond)(Apps(version));
  if (path.starts_with("/dashboard/api/")) {
    AppView* view = FindView(Param(*url, "app"));
    if (view == nullptr)
      return std::move(respond)(Error(http::status::not_found, "no such app", version));
    if (path == "/dashboard/api/live") {
      uint64_t after = 0;
      int64_t points_after = -1, cluster_points_after = -1;
      (void)absl::SimpleAtoi(Param(*url, "after"), &after);
      (void)absl::SimpleAtoi(Param(*url, "points_after"), &points_after);
      (void)absl::SimpleAtoi(Param(*url, "cluster_points_after"), &cluster_points_after);
      return std::move(respond)(
          Live(*view, request, after, points_after, cluster_points_after, NowMs()));
    }
    if (path == "/dashboard/api/channels") {
      return Channels(*view, Param(*url, "prefix"), version, std::move(respond));
    }
    if (path == "/dashboard/api/members") {
      return Members(*view, Param(*url, "channel"), version, std::move(respond));
    }
    return std::move(respond)(Error(http::status::not_found, "no such endpoint", version));
  }
  std::string_view name = path.substr(std::min(path.size(), kPrefix.size()));
  if (name.starts_with('/')) name.remove_prefix(1);
  if (name.empty()) name = "index.html";
  const DashboardAsset* asset = FindDashboardAsset(name);
  if (asset == nullptr)
    return std::move(respond)(Error(http::status::not_found, "no such page", version));
  HttpResponse response{http::status::ok, version};
  Harden(response);
  response.set(http::field::content_type, asset->content_type);
  response.body() = std::string(asset->body);
  std::move(respond)(std::move(response));
}

HttpResponse Dashboard::Apps(unsigned version) const {
  json::array apps;
  for (const auto& app : apps_.apps()) {
    json::object entry;
    entry["id"] = app->app().id;
    entry["key"] = app->app().key;
    entry["enabled"] = app->app().enabled;
    entry["client_events"] = app->app().enable_client_messages;
    entry["connections"] = app->connection_count();
    apps.push_back(std::move(entry));
  }
  json::object body;
  body["apps"] = std::move(apps);
  body["node"] = options_.node_description;
  body["cluster"] = options_.cluster;
  body["resolution_ms"] = TrafficHistory::kResolutionMs;
  body["buckets"] = TrafficHistory::kBuckets;
  return Json(http::status::ok, body, version);
}

HttpResponse Dashboard::Live(AppView& view, const HttpRequest& request, uint64_t after,
                             int64_t points_after, int64_t cluster_points_after, int64_t now_ms) {
  json::object body;
  json::array entries;
  {
    absl::MutexLock lock(&mu_);
    WatchLocked(view, now_ms);
    DrainLocked(view);
    ConsoleLog::Page page = view.console.After(after, kEntriesPerAnswer);
    view.page_missed += page.missed;
    for (const ConsoleLog::Entry* entry : page.entries) entries.push_back(EntryJson(*entry));
    json::object console;
    console["next"] = page.next;
    console["missed"] = page.missed;
    console["dropped"] = view.app.activity().dropped();
    console["entries"] = std::move(entries);
    body["console"] = std::move(console);
    body["traffic"] = TrafficJson(view.traffic, points_after);
  }
  if (view.cluster != nullptr)
    body["cluster"] = ClusterJson(*view.cluster, cluster_points_after, now_ms);
  // Read outside the dashboard's lock: these take the app's own.
  json::object now;
  now["connections"] = view.app.connection_count();
  now["subscriptions"] = view.app.channels().TotalSubscriptions();
  now["channels"] = view.app.channels().OccupiedChannelCount();
  body["now"] = std::move(now);
  body["time_ms"] = now_ms;
  return Json(http::status::ok, body, request.version());
}

void Dashboard::Channels(AppView& view, std::string prefix, unsigned version,
                         HttpResponder respond) {
  queries_.List(
      view.app, prefix, false,
      [version, respond = std::move(respond)](
          absl::StatusOr<std::vector<std::pair<std::string, core::ChannelCounts>>> listed) mutable {
        if (!listed.ok()) return std::move(respond)(StatusError(listed.status(), version));
        auto& channels = *listed;
        const size_t shown = std::min(channels.size(), kChannelsListed);
        // The busiest first; names break ties so the order stays put between refreshes.
        std::partial_sort(channels.begin(), channels.begin() + shown, channels.end(),
                          [](const auto& a, const auto& b) {
                            if (a.second.subscription_count != b.second.subscription_count) {
                              return a.second.subscription_count > b.second.subscription_count;
                            }
                            return a.first < b.first;
                          });
        json::array list;
        for (size_t i = 0; i < shown; ++i) {
          json::object entry;
          entry["name"] = channels[i].first;
          entry["subscriptions"] = channels[i].second.subscription_count;
          if (channels[i].second.user_count) entry["users"] = *channels[i].second.user_count;
          list.push_back(std::move(entry));
        }
        json::object body;
        body["total"] = channels.size();
        body["channels"] = std::move(list);
        std::move(respond)(Json(http::status::ok, body, version));
      });
}

void Dashboard::Members(AppView& view, std::string channel, unsigned version,
                        HttpResponder respond) {
  queries_.Members(view.app, channel,
                   [version, respond = std::move(respond)](
                       absl::StatusOr<std::vector<core::PresenceRoster::Member>> members) mutable {
                     if (!members.ok())
                       return std::move(respond)(StatusError(members.status(), version));
                     json::array list;
                     for (size_t i = 0; i < members->size() && i < kMembersListed; ++i) {
                       json::object entry;
                       entry["id"] = (*members)[i].user_id;
                       // The info is the JSON the app signed; shown as it is, parsed when it
                       // parses.
                       boost::system::error_code ec;
                       json::value info = json::parse((*members)[i].user_info, ec);
                       entry["info"] = ec ? json::value((*members)[i].user_info) : std::move(info);
                       list.push_back(std::move(entry));
                     }
                     json::object body;
                     body["total"] = members->size();
                     body["members"] = std::move(list);
                     std::move(respond)(Json(http::status::ok, body, version));
                   });
}

void Dashboard::Publish(AppView& view, const HttpRequest& request, HttpResponder respond) {
  const unsigned version = request.version();
  const std::string_view type = request[http::field::content_type];
  if (!type.starts_with("application/json") || !SameOrigin(request)) {
    return std::move(respond)(Error(http::status::forbidden,
                                    "the event creator only takes JSON from the dashboard's page",
                                    version));
  }
  // The body is the Pusher HTTP API's, checked by the same rules.
  auto trigger = pusher::ParseTriggerBody(request.body());
  if (!trigger.ok()) return std::move(respond)(StatusError(trigger.status(), version));
  service::PublishCommand command{std::move(trigger->name), std::move(trigger->data),
                                  std::move(trigger->channels), trigger->socket_id.value_or(""),
                                  true};
  command.door = "dashboard";
  auto receipt = publisher_.Publish(view.app, command);
  if (!receipt.ok()) return std::move(respond)(StatusError(receipt.status(), version));
  (*receipt)->Then([version, channels = std::move(command.channels),
                    respond = std::move(respond)](std::vector<core::ChannelCounts> counts) mutable {
    json::object reached;
    for (size_t i = 0; i < channels.size() && i < counts.size(); ++i) {
      reached[channels[i]] = counts[i].subscription_count;
    }
    json::object body;
    body["published"] = true;
    body["subscriptions"] = std::move(reached);
    std::move(respond)(Json(http::status::ok, body, version));
  });
}

}  // namespace gw::dashboard
