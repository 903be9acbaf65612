#ifndef GATEWAY_CORE_SERVER_FRAMES_H_
#define GATEWAY_CORE_SERVER_FRAMES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/frame.h"

namespace gw::core {

// The frames the core sends on its own (presence and watchlist announcements, subscription
// counts), encoded by the protocol layer, since the core knows no wire format. An interface
// because tests give the core a readable encoding of their own.
class ServerFrames {
 public:
  virtual ~ServerFrames() = default;
  virtual Frame MemberAdded(std::string_view channel, std::string_view user_id,
                            std::string_view user_info) const = 0;
  virtual Frame MemberRemoved(std::string_view channel, std::string_view user_id) const = 0;
  // A watchlist announcement: `user_ids` came online (or went offline).
  virtual Frame Watchlist(bool online, const std::vector<std::string>& user_ids) const = 0;
  virtual Frame SubscriptionCount(std::string_view channel, uint32_t count) const = 0;
};

// The internal channel on which a user's online / offline changes reach the connections
// watching them. Clients cannot subscribe to '#' names (only to #server-to-user-{id}, which is
// checked against their sign-in), so this never collides with a client's channel.
std::string WatchlistChannelOf(std::string_view user_id);

}  // namespace gw::core

#endif  // GATEWAY_CORE_SERVER_FRAMES_H_
