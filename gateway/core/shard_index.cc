#include "gateway/core/shard_index.h"

namespace gw::core {

namespace {

template <typename Index>
bool RemoveFrom(Index& index, std::string_view key, Subscriber* subscriber) {
  auto it = index.find(key);
  if (it == index.end()) return false;
  if (it->second.erase(subscriber) == 0) return false;
  if (it->second.empty()) {
    index.erase(it);
    ShrinkIfSparse(index);
  }
  return true;
}

}  // namespace

bool ShardIndex::Add(std::string_view channel, Subscriber* subscriber, uint64_t since) {
  auto [it, added] = channels_[channel].try_emplace(subscriber, since);
  // Shown the roster anew (a repeated subscribe): what it covers is not delivered again.
  if (!added) it->second = since;
  return added;
}

bool ShardIndex::Remove(std::string_view channel, Subscriber* subscriber) {
  return RemoveFrom(channels_, channel, subscriber);
}

void ShardIndex::AddUser(std::string_view user_id, Subscriber* subscriber) {
  users_[user_id].insert(subscriber);
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
                           std::string_view except_socket_id, uint64_t seq) const {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return 0;
  size_t delivered = 0;
  for (const auto& [subscriber, since] : it->second) {
    if (seq != 0 && since >= seq) continue;
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
