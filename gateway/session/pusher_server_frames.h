#ifndef GATEWAY_SESSION_PUSHER_SERVER_FRAMES_H_
#define GATEWAY_SESSION_PUSHER_SERVER_FRAMES_H_

#include "gateway/core/server_frames.h"

namespace gw::session {

// The core's own announcements as Pusher protocol 7 frames (pusher_internal:member_added, ...).
class PusherServerFrames final : public core::ServerFrames {
 public:
  core::Frame MemberAdded(std::string_view channel, std::string_view user_id,
                          std::string_view user_info) const override;
  core::Frame MemberRemoved(std::string_view channel, std::string_view user_id) const override;
  core::Frame Watchlist(bool online, const std::vector<std::string>& user_ids) const override;
  core::Frame SubscriptionCount(std::string_view channel, uint32_t count) const override;
};

}  // namespace gw::session

#endif  // GATEWAY_SESSION_PUSHER_SERVER_FRAMES_H_
