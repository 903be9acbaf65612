// RedisCluster's share of the dashboard's cluster view: each node's latest traffic figures per
// app, written by the heartbeat (redis_cluster_lease.cc) and read here.
#include <utility>

#include "gateway/cluster/cluster_scripts.h"
#include "gateway/cluster/redis_cluster.h"
#include "gateway/cluster/traffic_figures.h"

namespace gw::cluster {

void RedisCluster::ShareTraffic(core::AppState& app, const core::TrafficTotals& totals) {
  Post([this, &app, totals] { shared_traffic_[&app] = totals; });
}

void RedisCluster::ReadTraffic(core::AppState& app, TrafficDone done) {
  Post([this, &app, done = std::move(done)]() mutable {
    if (!ready()) {
      return std::move(done)(
          absl::UnavailableError("cluster state unavailable: Redis is unreachable"));
    }
    const std::string figures = names_.Figures(app.app().id);
    const std::string_view keys[] = {figures};
    redis_->Eval(ClusterScripts::Get().figures, keys, {},
                 [self = node_, lease_ms = static_cast<int64_t>(options_.lease.count()),
                  done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
                   if (!reply.ok()) return std::move(done)(reply.status());
                   if (reply->is_error()) {
                     return std::move(done)(absl::InternalError(reply->str));
                   }
                   std::move(done)(LiveNodeTraffic(*reply, self, lease_ms));
                 });
  });
}

}  // namespace gw::cluster
