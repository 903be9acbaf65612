#ifndef GATEWAY_CLUSTER_REDIS_REPLY_H_
#define GATEWAY_CLUSTER_REDIS_REPLY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw::cluster {

// One RESP2 reply, owned: what hiredis's reader builds for us (redis_reply_reader.h), nested as
// deep as Redis nests it. A Redis error reply ("-ERR ...", "-NOSCRIPT ...") is a value of type
// kError, not a failed call: the transport worked and Redis answered.
//
// Plain data; any thread, no sharing.
struct RedisReply {
  enum class Type { kString, kStatus, kError, kInteger, kNil, kArray };

  Type type = Type::kNil;
  std::string str;                   // kString (binary safe), kStatus, kError
  int64_t integer = 0;               // kInteger
  std::vector<RedisReply> elements;  // kArray

  static RedisReply String(std::string_view text);
  static RedisReply Status(std::string_view text);
  static RedisReply Error(std::string_view text);
  static RedisReply Integer(int64_t value);
  static RedisReply Nil();
  static RedisReply Array(std::vector<RedisReply> elements);

  bool is_error() const { return type == Type::kError; }
  bool is_string() const { return type == Type::kString; }
  bool is_array() const { return type == Type::kArray; }
  // An error reply whose code (its first word) is `code`, e.g. IsError("NOSCRIPT").
  bool IsError(std::string_view code) const;

  // For logs and test failures: "\"abc\"", "(error) ERR x", "[1, \"a\", (nil)]". Strings are
  // escaped and cut at 200 bytes.
  std::string DebugString() const;

  friend bool operator==(const RedisReply&, const RedisReply&) = default;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_REPLY_H_
