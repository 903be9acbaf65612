#include "gateway/core/shard_index.h"

#include <algorithm>

namespace gw::core {

bool ShardIndex::Add(std::string_view channel, Subscriber* subscriber) {
  auto& subscribers = channels_[channel];
  if (std::find(subscribers.begin(), subscribers.end(), subscriber) != subscribers.end()) {
    return false;
  }
  subscribers.push_back(subscriber);
  return true;
}

bool ShardIndex::Remove(std::string_view channel, Subscriber* subscriber) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return false;
  auto& subscribers = it->second;
  auto pos = std::find(subscribers.begin(), subscribers.end(), subscriber);
  if (pos == subscribers.end()) return false;
  *pos = subscribers.back();
  subscribers.pop_back();
  if (subscribers.empty()) channels_.erase(it);
  return true;
}

size_t ShardIndex::Deliver(std::string_view channel, const Frame& frame,
                           std::string_view except_socket_id) const {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return 0;
  size_t delivered = 0;
  for (Subscriber* subscriber : it->second) {
    if (!except_socket_id.empty() && subscriber->socket_id() == except_socket_id) continue;
    subscriber->Deliver(frame);
    ++delivered;
  }
  return delivered;
}

size_t ShardIndex::SubscriberCount(std::string_view channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.size();
}

}  // namespace gw::core
