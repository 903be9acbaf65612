#include "gateway/core/shard_backlog.h"

namespace gw::core {

ShardBacklog::ShardBacklog(size_t shard_count)
    : shard_count_(shard_count), depths_(std::make_unique<Slot[]>(shard_count)) {}

ShardBacklog::Deepest ShardBacklog::FindDeepest() const {
  Deepest deepest;
  for (size_t shard = 0; shard < shard_count_; ++shard) {
    const size_t depth = Depth(shard);
    if (depth > deepest.depth) deepest = {shard, depth};
  }
  return deepest;
}

}  // namespace gw::core
