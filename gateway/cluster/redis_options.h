#ifndef GATEWAY_CLUSTER_REDIS_OPTIONS_H_
#define GATEWAY_CLUSTER_REDIS_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gateway/cluster/reconnect_backoff.h"
#include "gateway/cluster/redis_url.h"

namespace boost::asio::ssl {
class context;
}

namespace gw::cluster {

// Bounds and timings of one Redis connection (RedisConnection or RedisSubscriber). The defaults
// and their reasons are in gateway/cluster/README.md ("The client layer").
struct RedisLimits {
  // Resolve + TCP connect + TLS handshake + AUTH / SELECT / CLIENT SETNAME answered.
  std::chrono::milliseconds connect_timeout{5000};
  // A PING is sent this often. The peer is declared dead, and the connection dropped, when not
  // one byte arrived within ping_timeout of a PING: a dead peer is noticed within
  // ping_interval + ping_timeout (4 s by default, well inside the default 10 s node lease).
  std::chrono::milliseconds ping_interval{1000};
  std::chrono::milliseconds ping_timeout{3000};
  // Largest reply (or pub/sub message) being received; more drops the connection
  // (RedisCounters::replies_too_large).
  size_t max_reply_bytes = 64 << 20;
  // Commands sent or waiting to be sent and not yet answered, in bytes of RESP; beyond it a
  // command is refused with ResourceExhausted (RedisCounters::commands_refused). A subscriber
  // paces its own SUBSCRIBE batches and never reaches it.
  size_t max_pending_bytes = 32 << 20;
  ReconnectBackoff::Policy backoff;
};

// Defaults for a subscriber: a pub/sub message is one publish's frame, so 8 MiB leaves room for
// apps that raise max_event_payload_kb far beyond Pusher's 10 KB, while a peer that goes wrong
// costs 8 MiB, not the 512 MiB Redis itself would send (proto-max-bulk-len).
RedisLimits SubscriberLimits();

struct RedisOptions {
  RedisUrl url;
  // Required when url.tls: the trust store the server certificate is verified against
  // (MakeRedisTlsContext). Shared by every connection to that Redis.
  std::shared_ptr<boost::asio::ssl::context> tls;
  // CLIENT SETNAME, so `CLIENT LIST` shows who is who; empty sends PING instead (either makes a
  // server that requires a password say so while connecting, not at the first command).
  // Letters, digits and -_.: only (Redis refuses spaces).
  std::string client_name = "realtime-gateway";
  // What the logs call this connection ("redis command", "redis subscriber").
  std::string role = "redis";
  RedisLimits limits;
};

// A TLS client context that verifies the server's certificate chain against the system's CA
// store (/etc/ssl/certs), plus `ca_file` (PEM) when given, for a private CA. InvalidArgument
// naming the file when it cannot be read. Any thread; once at start.
absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> MakeRedisTlsContext(
    const std::string& ca_file);

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_OPTIONS_H_
