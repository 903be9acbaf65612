#include "gateway/core/fanout.h"

#include <memory>

namespace gw::core {
namespace {

// One allocation per publish, shared by every shard's task.
struct Delivery {
  AppState* app;
  std::string channel;
  Frame frame;
  std::string except_socket_id;
};

}  // namespace

void Fanout::Publish(AppState& app, std::string_view channel, Frame frame,
                     std::string_view except_socket_id) {
  auto delivery = std::make_shared<const Delivery>(
      Delivery{&app, std::string(channel), std::move(frame), std::string(except_socket_id)});
  const size_t shard_count = shards_.shard_count();
  for (size_t shard = 0; shard < shard_count; ++shard) {
    shards_.Post(shard, [delivery, shard]() {
      delivery->app->shard_index(shard).Deliver(delivery->channel, delivery->frame,
                                                delivery->except_socket_id);
    });
  }
}

void Fanout::DisconnectUser(AppState& app, std::string_view user_id, uint16_t code,
                            std::string_view reason) {
  auto target = std::make_shared<const std::pair<std::string, std::string>>(user_id, reason);
  for (size_t shard = 0; shard < shards_.shard_count(); ++shard) {
    shards_.Post(shard, [&app, target, shard, code]() {
      app.shard_index(shard).DisconnectUser(target->first, code, target->second);
    });
  }
}

}  // namespace gw::core
