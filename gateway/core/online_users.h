#ifndef GATEWAY_CORE_ONLINE_USERS_H_
#define GATEWAY_CORE_ONLINE_USERS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/string_map.h"

namespace gw::core {

// The app's signed-in users (pusher:signin), counted by connection, for watchlists: a user is
// online from their first signed-in connection until their last one ends. The announcement runs
// under the lock, so online / offline for one user reach every shard in the order they happened.
// Thread-safe.
class OnlineUsers {
 public:
  void Add(std::string_view user_id, absl::FunctionRef<void()> announce_online);
  void Remove(std::string_view user_id, absl::FunctionRef<void()> announce_offline);
  bool IsOnline(std::string_view user_id) const;
  // The ids of `user_ids` that are online, in the given order.
  std::vector<std::string> OnlineAmong(const std::vector<std::string>& user_ids) const;

 private:
  mutable absl::Mutex mu_;
  StringMap<uint32_t> connections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_ONLINE_USERS_H_
