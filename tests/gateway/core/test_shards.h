#ifndef TESTS_GATEWAY_CORE_TEST_SHARDS_H_
#define TESTS_GATEWAY_CORE_TEST_SHARDS_H_

#include <cstddef>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/frame.h"
#include "gateway/core/shard_executor.h"
#include "gateway/core/subscriber.h"

namespace gw::core::testing {

// A ShardExecutor whose tasks wait in per-shard queues until the test runs them, so tests see
// exactly what was posted where, single-threaded.
class QueuedShards : public ShardExecutor {
 public:
  explicit QueuedShards(size_t shards) : queues_(shards) {}
  size_t shard_count() const override { return queues_.size(); }
  void Post(size_t shard, absl::AnyInvocable<void() &&> task) override {
    queues_[shard].push_back(std::move(task));
  }
  size_t pending(size_t shard) const { return queues_[shard].size(); }
  // Runs what `shard` has waiting, in order.
  void Run(size_t shard) {
    auto& queue = queues_[shard];
    while (!queue.empty()) {
      auto task = std::move(queue.front());
      queue.pop_front();
      std::move(task)();
    }
  }
  void RunAll() {
    for (size_t shard = 0; shard < queues_.size(); ++shard) Run(shard);
  }

 private:
  std::vector<std::deque<absl::AnyInvocable<void() &&>>> queues_;
};

// A subscriber that records the text of every frame it is given.
class RecordingSubscriber : public Subscriber {
 public:
  explicit RecordingSubscriber(std::string socket_id) : socket_id_(std::move(socket_id)) {}
  void Deliver(const Frame& frame) override {
    received.push_back(frame->text());
    frames.push_back(frame);
  }
  std::string_view socket_id() const override { return socket_id_; }
  void Disconnect(uint16_t code, std::string_view reason) override {
    disconnects.emplace_back(code, std::string(reason));
  }
  std::vector<std::string> received;
  std::vector<std::pair<uint16_t, std::string>> disconnects;
  std::vector<Frame> frames;

 private:
  std::string socket_id_;
};

}  // namespace gw::core::testing

#endif  // TESTS_GATEWAY_CORE_TEST_SHARDS_H_
