#ifndef TESTS_GATEWAY_CORE_TEST_SERVER_FRAMES_H_
#define TESTS_GATEWAY_CORE_TEST_SERVER_FRAMES_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/core/server_frames.h"

namespace gw::core::testing {

// The core's announcements in a form tests read at a glance: "added <channel> <user> <info>",
// "removed <channel> <user>", "online a,b", "offline a", "count <channel> <n>".
class TextServerFrames final : public ServerFrames {
 public:
  Frame MemberAdded(std::string_view channel, std::string_view user_id,
                    std::string_view user_info) const override {
    return MakeFrame(absl::StrCat("added ", Sv(channel), " ", Sv(user_id), " ", Sv(user_info)));
  }
  Frame MemberRemoved(std::string_view channel, std::string_view user_id) const override {
    return MakeFrame(absl::StrCat("removed ", Sv(channel), " ", Sv(user_id)));
  }
  Frame Watchlist(bool online, const std::vector<std::string>& user_ids) const override {
    return MakeFrame(absl::StrCat(online ? "online " : "offline ", absl::StrJoin(user_ids, ",")));
  }
  Frame SubscriptionCount(std::string_view channel, uint32_t count) const override {
    return MakeFrame(absl::StrCat("count ", Sv(channel), " ", count));
  }

 private:
  static absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }
};

}  // namespace gw::core::testing

#endif  // TESTS_GATEWAY_CORE_TEST_SERVER_FRAMES_H_
