#ifndef GATEWAY_CORE_FANOUT_H_
#define GATEWAY_CORE_FANOUT_H_

#include <string>
#include <string_view>

#include "gateway/core/app_state.h"
#include "gateway/core/frame.h"
#include "gateway/core/shard_executor.h"

namespace gw::core {

// Delivers one encoded frame to a channel's subscribers on every shard. Thread-safe.
//
// Each shard gets one posted task that walks its own ShardIndex. Posting to every shard, rather
// than only to those that hold the channel, keeps the publish path free of any lock: the shard
// count is the core count, and a shard without subscribers answers with one hash miss.
class Fanout {
 public:
  explicit Fanout(ShardExecutor& shards) : shards_(shards) {}

  // `except_socket_id` (may be empty) does not receive the frame.
  void Publish(AppState& app, std::string_view channel, Frame frame,
               std::string_view except_socket_id);
  // Disconnects every connection signed in as `user_id`, on every shard.
  void DisconnectUser(AppState& app, std::string_view user_id, uint16_t code,
                      std::string_view reason);

 private:
  ShardExecutor& shards_;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_FANOUT_H_
