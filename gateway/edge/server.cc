#include "gateway/edge/server.h"

#include <thread>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"

namespace gw::edge {

Server::Server(size_t threads)
    : thread_count_(threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads) {}

Server::~Server() { Stop(); }

void Server::SetContext(EdgeContext* context) {
  context_ = context;
  shards_.clear();
  for (size_t i = 0; i < thread_count_; ++i) {
    shards_.push_back(std::make_unique<IoShard>(i, *context_));
  }
}

absl::Status Server::Listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("host: '", host, "' is not an IP address"));
  // The first shard picks the port when 0 was asked for; the others share it via SO_REUSEPORT.
  for (auto& shard : shards_) {
    if (absl::Status status = shard->Listen(address, port); !status.ok()) return status;
    port = shard->bound_port();
  }
  port_ = port;
  return absl::OkStatus();
}

void Server::Start() {
  for (auto& shard : shards_) shard->Start();
  context_->accepting.store(true);
}

void Server::BeginDrain() {
  context_->draining.store(true);
  for (auto& shard : shards_) shard->BeginDrain();
}

bool Server::WaitForDrain(std::chrono::steady_clock::time_point deadline) {
  while (context_->connections.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& shard : shards_) shard->Stop();
  for (auto& shard : shards_) shard->Join();
}

void Server::Post(size_t shard, absl::AnyInvocable<void() &&> task) {
  boost::asio::post(shards_[shard]->io_context(),
                    [task = std::move(task)]() mutable { std::move(task)(); });
}

}  // namespace gw::edge
