#ifndef GATEWAY_CLUSTER_REDIS_SCRIPT_H_
#define GATEWAY_CLUSTER_REDIS_SCRIPT_H_

#include <string>
#include <string_view>

namespace gw::cluster {

// A Lua script and its SHA1 (lowercase hex, computed here with OpenSSL, as Redis computes it),
// which is how EVALSHA names it. RedisConnection::Eval runs it. Immutable; any thread.
class RedisScript {
 public:
  explicit RedisScript(std::string source);

  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

// Lowercase hex SHA1 of `bytes`.
std::string Sha1Hex(std::string_view bytes);

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_SCRIPT_H_
