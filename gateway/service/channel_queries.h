#ifndef GATEWAY_SERVICE_CHANNEL_QUERIES_H_
#define GATEWAY_SERVICE_CHANNEL_QUERIES_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/core/app_state.h"
#include "gateway/core/channel_registry.h"

namespace gw::service {

// Read-only questions about an app's channels, with the HTTP API's rules: user counts and member
// lists exist only for presence channels (InvalidArgument otherwise), names must be valid.
// Thread-safe.
struct ChannelQueries {
  // Occupied channels starting with `prefix`. `want_user_count` requires a "presence-" prefix.
  static absl::StatusOr<std::vector<std::pair<std::string, core::ChannelCounts>>> List(
      const core::AppState& app, std::string_view prefix, bool want_user_count);
  // Counts of one channel (zero and no user count when unoccupied); InvalidArgument if the name
  // is invalid or a user count is asked of a non-presence channel.
  static absl::StatusOr<core::ChannelCounts> Get(const core::AppState& app,
                                                 std::string_view channel, bool want_user_count);
  // Sorted user ids of a presence channel; InvalidArgument for other channels.
  static absl::StatusOr<std::vector<std::string>> Users(const core::AppState& app,
                                                        std::string_view channel);
};

}  // namespace gw::service

#endif  // GATEWAY_SERVICE_CHANNEL_QUERIES_H_
