#ifndef GATEWAY_CORE_SOCKET_ID_H_
#define GATEWAY_CORE_SOCKET_ID_H_

#include <atomic>
#include <cstdint>
#include <random>
#include <string>

namespace gw::core {

// Makes Pusher socket ids, "<digits>.<digits>": a random part, so ids differ across nodes and
// restarts, and a process-wide sequence, so no two live connections of this process ever share
// one. One generator per shard (the random engine is not thread-safe).
class SocketIdGenerator {
 public:
  explicit SocketIdGenerator(uint64_t seed);
  std::string Next();

 private:
  std::mt19937_64 random_;
  static std::atomic<uint64_t> sequence_;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_SOCKET_ID_H_
