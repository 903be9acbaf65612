#ifndef GATEWAY_CORE_SHARD_EXECUTOR_H_
#define GATEWAY_CORE_SHARD_EXECUTOR_H_

#include <cstddef>

#include "absl/functional/any_invocable.h"

namespace gw::core {

// Runs work on a shard's thread. The edge implements it over one io_context per I/O thread;
// tests implement it inline. Tasks posted to one shard run in the order they were posted.
class ShardExecutor {
 public:
  virtual ~ShardExecutor() = default;
  virtual size_t shard_count() const = 0;
  // Thread-safe; never runs `task` inline.
  virtual void Post(size_t shard, absl::AnyInvocable<void() &&> task) = 0;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_SHARD_EXECUTOR_H_
