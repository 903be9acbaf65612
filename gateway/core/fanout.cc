#include "gateway/core/fanout.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gw::core {
namespace {

// One allocation per publish, shared by every shard's task.
struct Delivery {
  AppState* app;
  std::string channel;
  Frame frame;
  std::string except_socket_id;
  std::shared_ptr<FanoutBarrier> barrier;  // may be null
  uint64_t seq;
};

}  // namespace

Fanout::Fanout(ShardExecutor& shards, FanoutLimits limits)
    : shards_(shards), limits_(limits), backlog_(shards.shard_count()) {}

absl::Status Fanout::AdmitPublish() {
  if (limits_.max_backlog == 0) return absl::OkStatus();
  const ShardBacklog::Deepest deepest = backlog_.FindDeepest();
  const size_t remote = remote_backlog_.load(std::memory_order_relaxed);
  if (deepest.depth <= limits_.max_backlog && remote <= limits_.max_backlog) {
    return absl::OkStatus();
  }
  refused_.fetch_add(1, std::memory_order_relaxed);
  if (deepest.depth <= limits_.max_backlog) {
    return absl::UnavailableError(absl::StrCat(
        "over capacity: another node of the cluster has ", remote,
        " deliveries waiting, over the limit of ", limits_.max_backlog, "; retry shortly"));
  }
  return absl::UnavailableError(absl::StrCat(
      "over capacity: I/O thread ", deepest.shard, " has ", deepest.depth,
      " deliveries waiting, over the limit of ", limits_.max_backlog, "; retry shortly"));
}

void Fanout::Publish(AppState& app, std::string_view channel, Frame frame,
                     std::string_view except_socket_id,
                     const std::shared_ptr<FanoutBarrier>& barrier, uint64_t seq) {
  auto delivery = std::make_shared<const Delivery>(Delivery{
      &app, std::string(channel), std::move(frame), std::string(except_socket_id), barrier, seq});
  const size_t shard_count = shards_.shard_count();
  if (barrier != nullptr) barrier->Expect(shard_count);
  for (size_t shard = 0; shard < shard_count; ++shard) {
    backlog_.Posted(shard);
    // A task that never runs (its shard stopped for good) does nothing when destroyed: neither
    // this Fanout nor whoever waits on the barrier may still exist by then.
    shards_.Post(shard, [delivery, shard, backlog = &backlog_]() {
      delivery->app->shard_index(shard).Deliver(delivery->channel, delivery->frame,
                                                delivery->except_socket_id, delivery->seq);
      // Out of the backlog before the barrier may acknowledge: a publisher that sends its next
      // publish on the acknowledgement must not find this one still counted.
      backlog->Ran(shard);
      if (delivery->barrier != nullptr) delivery->barrier->Arrive();
    });
  }
}

void Fanout::DisconnectUser(AppState& app, std::string_view user_id, uint16_t code,
                            std::string_view reason) {
  auto target = std::make_shared<const std::pair<std::string, std::string>>(user_id, reason);
  for (size_t shard = 0; shard < shards_.shard_count(); ++shard) {
    backlog_.Posted(shard);
    shards_.Post(shard, [&app, target, shard, code, backlog = &backlog_]() {
      app.shard_index(shard).DisconnectUser(target->first, code, target->second);
      backlog->Ran(shard);
    });
  }
}

}  // namespace gw::core
