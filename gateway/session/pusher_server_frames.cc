#include "gateway/session/pusher_server_frames.h"

#include "gateway/pusher/server_frames.h"

namespace gw::session {

core::Frame PusherServerFrames::MemberAdded(std::string_view channel, std::string_view user_id,
                                            std::string_view user_info) const {
  return core::MakeFrame(pusher::MemberAddedFrame(channel, user_id, user_info));
}

core::Frame PusherServerFrames::MemberRemoved(std::string_view channel,
                                              std::string_view user_id) const {
  return core::MakeFrame(pusher::MemberRemovedFrame(channel, user_id));
}

core::Frame PusherServerFrames::Watchlist(bool online,
                                          const std::vector<std::string>& user_ids) const {
  return core::MakeFrame(pusher::WatchlistEventsFrame(online ? "online" : "offline", user_ids));
}

core::Frame PusherServerFrames::SubscriptionCount(std::string_view channel, uint32_t count) const {
  return core::MakeFrame(pusher::SubscriptionCountFrame(channel, count));
}

}  // namespace gw::session
