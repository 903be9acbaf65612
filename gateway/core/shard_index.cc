#include "gateway/core/shard_index.h"

namespace gw::core {

namespace {

template <typename Index>
bool AddTo(Index& index, std::string_view key, Subscriber* subscriber) {
  return index[key].insert(subscriber).second;
}

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
