#ifndef GATEWAY_DASHBOARD_DASHBOARD_H_
#define GATEWAY_DASHBOARD_DASHBOARD_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gateway/core/app_directory.h"
#include "gateway/core/cluster.h"
#include "gateway/core/string_map.h"
#include "gateway/dashboard/console_log.h"
#include "gateway/dashboard/dashboard_credentials.h"
#include "gateway/dashboard/traffic_history.h"
#include "gateway/edge/edge_metrics.h"
#include "gateway/edge/http_router.h"
#include "gateway/observability/metrics.h"
#include "gateway/service/channel_queries.h"
#include "gateway/service/event_publisher.h"

namespace gw::dashboard {

struct DashboardOptions {
  std::string user = "admin";
  std::string password;  // required: with none every request is refused
  // Shown in the page's header: what this node is part of ("single node", "Redis cluster").
  std::string node_description = "single node";
  // Part of a cluster: the page also shows every node and the cluster's figures, summed.
  bool cluster = false;
};

// Reads an app's figures for the charts. Called on the dashboard's thread, about once a second
// per app.
using TotalsReader = std::function<TrafficTotals(core::AppState& app)>;
// The gateway's own: connections and subscriptions from the app, messages from the edge's
// metrics (may be null), publishes and webhooks from its AppActivity.
TotalsReader EdgeTotalsReader(const edge::EdgeMetrics* metrics);

// The operator's dashboard, served under /dashboard/ on the operator listener (never on the
// public port): one page per app with charts of the last hour, the occupied channels and a
// presence channel's members, a live debug console and an event creator. Its assets are
// compiled into the binary (dashboard_assets.cc is generated from assets/).
//
// Every request must carry the configured user and password (HTTP basic); anything else gets
// 401. The event creator's POST must also be JSON from the page's own origin (Content-Type
// application/json, and Origin / Sec-Fetch-Site when the browser sends them), so another site
// cannot make a logged-in browser publish.
//
// Every second the dashboard shares each app's figures with the cluster (Cluster::ShareTraffic);
// in a cluster it also reads every live node's (ReadTraffic, one reading in flight per app) and
// keeps the cluster's last hour beside this node's, summed as ClusterTotals says.
//
// The debug console watches an app only while a page polls it: the first poll calls
// AppActivity::Watch and adds a watcher to the app's EventHub (client events, channels occupied
// and vacated, members, cache misses, from the whole cluster); 10 s without a poll undo both,
// and the gateway's taps go back to costing one relaxed load. What the feed could not queue,
// and what a page fell too far behind to read, is dropped and counted
// (realtime_dashboard_console_dropped_total).
//
// Threads: Handle may be called from any thread, one request or many at a time; it never blocks
// on the gateway (queries and publishes answer through `respond`, perhaps later, from another
// thread). Start runs a thread of the dashboard's own that samples the charts every second and
// drains watched feeds every 250 ms. `apps`, `cluster` and `publisher` must outlive it.
class Dashboard {
 public:
  Dashboard(DashboardOptions options, core::AppDirectory& apps, core::Cluster& cluster,
            service::EventPublisher& publisher, TotalsReader totals);
  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  // Every path served is this or starts with it and '/' (edge::OperatorListener::MountTree).
  static constexpr std::string_view kPrefix = "/dashboard";

  // Answers one request whose path starts with kPrefix; calls `respond` exactly once.
  void Handle(const edge::HttpRequest& request, edge::HttpResponder respond);

  // realtime_dashboard_console_dropped_total{app, where="queue"|"page"}.
  void AddMetrics(observability::MetricsRegistry& registry);

  // Starts (and Stop joins) the thread that calls Tick with the wall clock.
  void Start();
  void Stop();
  // One turn: samples the charts (at most once a second), drains watched feeds, and stops
  // watching apps no page asked about for 10 s. Public for tests, which pass their own time.
  void Tick(int64_t now_ms);

 private:
  class ConsoleWatcher;
  struct AppView;

  AppView* FindView(std::string_view app_id);
  edge::HttpResponse Live(AppView& view, const edge::HttpRequest& request, uint64_t after,
                          int64_t points_after, int64_t cluster_points_after, int64_t now_ms);
  // Asks the cluster for every node's figures; the answer is charted when it comes.
  void ReadCluster(AppView& view, int64_t now_ms);
  void Channels(AppView& view, std::string prefix, unsigned version, edge::HttpResponder respond);
  void Members(AppView& view, std::string channel, unsigned version, edge::HttpResponder respond);
  void Publish(AppView& view, const edge::HttpRequest& request, edge::HttpResponder respond);
  edge::HttpResponse Apps(unsigned version) const;
  void WatchLocked(AppView& view, int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UnwatchLocked(AppView& view) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DrainLocked(AppView& view) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const DashboardOptions options_;
  const DashboardCredentials credentials_;
  core::AppDirectory& apps_;
  core::Cluster& cluster_;
  service::EventPublisher& publisher_;
  const service::ChannelQueries queries_;
  const TotalsReader totals_;

  absl::Mutex mu_;
  // One per app, made at construction; the map itself never changes after.
  core::StringMap<std::unique_ptr<AppView>> views_;
  int64_t last_sample_ms_ ABSL_GUARDED_BY(mu_) = 0;

  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace gw::dashboard

#endif  // GATEWAY_DASHBOARD_DASHBOARD_H_
