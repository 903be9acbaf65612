#ifndef GATEWAY_CLUSTER_REDIS_URL_H_
#define GATEWAY_CLUSTER_REDIS_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace gw::cluster {

// Where the Redis is and how to log in: redis://[[user]:password@]host[:port][/db], or
// rediss:// for TLS. Its own small library (gw::redis_url), so that config can check a URL
// without linking sockets or hiredis.
struct RedisUrl {
  bool tls = false;      // rediss://
  std::string host;      // name or IP address; IPv6 without brackets
  uint16_t port = 6379;  // for rediss:// too, as redis-cli and the Redis clients assume
  std::string username;  // percent-decoded; empty: AUTH with the password only
  std::string password;  // percent-decoded; empty: no AUTH
  uint32_t db = 0;       // SELECT

  // "host:port" ("[::1]:6379"), for logs and errors: never the password.
  std::string Address() const;

  friend bool operator==(const RedisUrl&, const RedisUrl&) = default;
};

// InvalidArgument saying what is wrong (without repeating the URL, which may hold a password):
// another scheme, no host, port 0 or out of range, a path that is not a database number, a
// query or fragment, a user without a password.
absl::StatusOr<RedisUrl> ParseRedisUrl(std::string_view text);

// The URL that ParseRedisUrl reads back as `url`: user and password percent-encoded, the port
// and the database always written. Builds a URL from REDIS_HOST, REDIS_PORT, ... variables.
std::string FormatRedisUrl(const RedisUrl& url);

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_URL_H_
