#include "gateway/core/online_users.h"

namespace gw::core {

void OnlineUsers::Add(std::string_view user_id, absl::FunctionRef<void()> announce_online) {
  absl::MutexLock lock(&mu_);
  if (++connections_[user_id] == 1) announce_online();
}

void OnlineUsers::Remove(std::string_view user_id, absl::FunctionRef<void()> announce_offline) {
  absl::MutexLock lock(&mu_);
  auto it = connections_.find(user_id);
  if (it == connections_.end()) return;
  if (--it->second == 0) {
    connections_.erase(it);
    announce_offline();
  }
}

bool OnlineUsers::IsOnline(std::string_view user_id) const {
  absl::MutexLock lock(&mu_);
  return connections_.contains(user_id);
}

std::vector<std::string> OnlineUsers::OnlineAmong(const std::vector<std::string>& user_ids) const {
  std::vector<std::string> online;
  absl::MutexLock lock(&mu_);
  for (const std::string& id : user_ids) {
    if (connections_.contains(id)) online.push_back(id);
  }
  return online;
}

}  // namespace gw::core
