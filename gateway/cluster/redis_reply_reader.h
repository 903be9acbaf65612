#ifndef GATEWAY_CLUSTER_REDIS_REPLY_READER_H_
#define GATEWAY_CLUSTER_REDIS_REPLY_READER_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gateway/cluster/redis_reply.h"

struct redisReader;

namespace gw::cluster {

// Turns the bytes a Redis connection receives into RedisReply values with hiredis's RESP2 reader
// (redisReaderCreateWithFunctions / Feed / GetReply): hiredis parses, and its object callbacks
// build our RedisReply tree directly (no redisReply in between, so no second copy).
//
// Bounded: the reply being assembled (bytes received and not yet consumed, plus what is already
// built of it: strings and one RedisReply per array slot) may not exceed `max_reply_bytes`.
// hiredis 0.14.1 puts no cap on array lengths or bulk lengths of its own, so a hostile or broken
// peer announcing "*2000000000" or "$500000000" would otherwise make us allocate whatever it
// says. Beyond the bound the reader fails for good with ResourceExhausted.
//
// One connection's; one thread.
class RedisReplyReader {
 public:
  explicit RedisReplyReader(size_t max_reply_bytes);
  ~RedisReplyReader();
  RedisReplyReader(const RedisReplyReader&) = delete;
  RedisReplyReader& operator=(const RedisReplyReader&) = delete;

  // Appends received bytes. Fails (and stays failed) when the bound is passed.
  absl::Status Feed(std::string_view bytes);
  // The next complete reply, nullopt when more bytes are needed, or an error: InvalidArgument
  // for a protocol error (e.g. a RESP3 type byte, nesting deeper than 7), ResourceExhausted when
  // the reply passed the bound. After an error the reader is useless (drop the connection).
  absl::StatusOr<std::optional<RedisReply>> Next();

  // Bytes received and not yet turned into a reply.
  size_t buffered_bytes() const;

 private:
  struct Budget;
  absl::Status Failure() const;

  redisReader* reader_;
  const size_t max_reply_bytes_;
  // What the reply being assembled already holds, counted by the object callbacks.
  size_t built_bytes_ = 0;
  bool over_budget_ = false;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_REPLY_READER_H_
