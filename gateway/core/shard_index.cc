#include "gateway/core/shard_index.h"

#include <algorithm>

namespace gw::core {

namespace {

bool AddTo(StringMap<std::vector<Subscriber*>>& index, std::string_view key,
           Subscriber* subscriber) {
  auto& subscribers = index[key];
  if (std::find(subscribers.begin(), subscribers.end(), subscriber) != subscribers.end()) {
    return false;
  }
  subscribers.push_back(subscriber);
  return true;
}

bool RemoveFrom(StringMap<std::vector<Subscriber*>>& index, std::string_view key,
                Subscriber* subscriber) {
  auto it = index.find(key);
  if (it == index.end()) return false;
  auto& subscribers = it->second;
  auto pos = std::find(subscribers.begin(), subscribers.end(), subscriber);
  if (pos == subscribers.end()) return false;
  *pos = subscribers.back();
  subscribers.pop_back();
  if (subscribers.empty()) index.erase(it);
  return true;
}

}  // namespace

bool ShardIndex::Add(std::string_view channel, Subscriber* subscriber) {
  return AddTo(channels_, channel, subscriber);
}

bool ShardIndex::Remove(std::string_view channel, Subscriber* subscriber) {
  return RemoveFrom(channels_, channel, subscriber);
}

void ShardIndex::AddUser(std::string_view user_id, Subscriber* subscriber) {
  AddTo(users_, user_id, subscriber);
}

void ShardIndex::RemoveUser(std::string_view user_id, Subscriber* subscriber) {
  RemoveFrom(users_, user_id, subscriber);
}

size_t ShardIndex::DisconnectUser(std::string_view user_id, uint16_t code,
                                  std::string_view reason) const {
  auto it = users_.find(user_id);
  if (it == users_.end()) return 0;
  for (Subscriber* subscriber : it->second) subscriber->Disconnect(code, reason);
  return it->second.size();
}

size_t ShardIndex::UserConnectionCount(std::string_view user_id) const {
  auto it = users_.find(user_id);
  return it == users_.end() ? 0 : it->second.size();
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
