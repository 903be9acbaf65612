#ifndef GATEWAY_CLUSTER_REDIS_COUNTERS_H_
#define GATEWAY_CLUSTER_REDIS_COUNTERS_H_

#include <atomic>
#include <cstdint>

namespace gw::cluster {

// What one Redis connection did, for /metrics. Written on the connection's thread, read from
// any thread (relaxed atomics: totals, not a consistent snapshot). Only ever grow.
struct RedisCounters {
  using Counter = std::atomic<uint64_t>;

  Counter connects{0};           // links that became ready (the first one included)
  Counter connect_failures{0};   // attempts that did not (refused, timed out, AUTH, TLS, ...)
  Counter disconnects{0};        // ready links that went down, for whatever reason
  Counter ping_timeouts{0};      // ... because the peer stopped answering (dead peer)
  Counter replies_too_large{0};  // ... because a reply passed max_reply_bytes
  Counter protocol_errors{0};    // ... because the bytes were not RESP2
  Counter commands_sent{0};
  Counter commands_refused{0};  // ResourceExhausted: over max_pending_bytes
  Counter commands_failed{0};   // Unavailable: not connected, or the link dropped before the answer
  Counter script_reloads{0};    // EVALSHA answered NOSCRIPT and the script was sent again
  Counter messages{0};          // pub/sub messages handed to on_message
  Counter messages_ignored{0};  // pub/sub frames for channels no longer wanted, or not understood

  static uint64_t Get(const Counter& counter) { return counter.load(std::memory_order_relaxed); }
  static void Add(Counter& counter, uint64_t n = 1) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_COUNTERS_H_
