#ifndef GATEWAY_EDGE_SERVER_H_
#define GATEWAY_EDGE_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gateway/core/shard_executor.h"
#include "gateway/edge/edge_context.h"
#include "gateway/edge/io_shard.h"

namespace gw::edge {

// The WebSocket + HTTP API server: N shards, one per I/O thread. It is also the ShardExecutor
// the core's fan-out posts to. Construct, bind the context, Listen, Start; Drain and Stop from
// the main thread at shutdown.
class Server : public core::ShardExecutor {
 public:
  explicit Server(size_t threads);
  ~Server() override;

  // The context must be set before Listen; it references the fan-out, which references this
  // server, hence the two steps.
  void SetContext(EdgeContext* context);
  absl::Status Listen(const std::string& host, uint16_t port);
  uint16_t port() const { return port_; }
  void Start();
  // Refuses new connections and sends every WebSocket 4200; returns at once.
  void BeginDrain();
  // Waits until no WebSocket is left or `deadline` passes; true if all left.
  bool WaitForDrain(std::chrono::steady_clock::time_point deadline);
  void Stop();

  size_t shard_count() const override { return thread_count_; }
  void Post(size_t shard, absl::AnyInvocable<void() &&> task) override;

 private:
  const size_t thread_count_;
  EdgeContext* context_ = nullptr;
  std::vector<std::unique_ptr<IoShard>> shards_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_SERVER_H_
