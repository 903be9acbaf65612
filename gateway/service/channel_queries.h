#ifndef GATEWAY_SERVICE_CHANNEL_QUERIES_H_
#define GATEWAY_SERVICE_CHANNEL_QUERIES_H_

#include <string_view>

#include "gateway/core/app_state.h"
#include "gateway/core/cluster.h"

namespace gw::service {

// Read-only questions about an app's channels, for the whole cluster, with the HTTP API's rules:
// user counts and member lists exist only for presence channels, names must be valid. An invalid
// question is answered at once with InvalidArgument; a valid one when the cluster answers (on
// any thread). Thread-safe.
class ChannelQueries {
 public:
  explicit ChannelQueries(core::Cluster& cluster) : cluster_(cluster) {}

  // Occupied channels starting with `prefix`, sorted. `want_user_count` requires "presence-".
  void List(core::AppState& app, std::string_view prefix, bool want_user_count,
            core::Cluster::ChannelsDone done) const;
  // Counts of one channel: zero when unoccupied, and a user count (0 when unoccupied) for
  // presence channels. InvalidArgument for an invalid name or a user count asked of another kind.
  void Get(core::AppState& app, std::string_view channel, bool want_user_count,
           core::Cluster::CountsDone done) const;
  // Members of a presence channel, sorted by user id; InvalidArgument for other channels.
  void Members(core::AppState& app, std::string_view channel,
               core::Cluster::MembersDone done) const;

 private:
  core::Cluster& cluster_;
};

}  // namespace gw::service

#endif  // GATEWAY_SERVICE_CHANNEL_QUERIES_H_
