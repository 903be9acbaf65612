#ifndef GATEWAY_CORE_SHARD_BACKLOG_H_
#define GATEWAY_CORE_SHARD_BACKLOG_H_

#include <atomic>
#include <cstddef>
#include <memory>

namespace gw::core {

// How many tasks each shard has been handed and not yet run: how far a shard's thread is behind
// the threads that post to it. Thread-safe: Posted from any thread, Ran from the shard's own
// thread, reads from anywhere.
//
// One relaxed atomic per shard, each on its own cache line, and no lock: a publish pays one
// uncontended add per shard. A reading is a moment's approximation (another thread may post or
// run meanwhile), which is all an admission decision needs.
class ShardBacklog {
 public:
  explicit ShardBacklog(size_t shard_count);

  size_t shard_count() const { return shard_count_; }
  void Posted(size_t shard) { depths_[shard].value.fetch_add(1, std::memory_order_relaxed); }
  void Ran(size_t shard) { depths_[shard].value.fetch_sub(1, std::memory_order_relaxed); }
  size_t Depth(size_t shard) const { return depths_[shard].value.load(std::memory_order_relaxed); }

  struct Deepest {
    size_t shard = 0;
    size_t depth = 0;
  };
  // The shard furthest behind (the lowest index among equals).
  Deepest FindDeepest() const;

 private:
  struct alignas(64) Slot {
    std::atomic<size_t> value{0};
  };
  const size_t shard_count_;
  std::unique_ptr<Slot[]> depths_;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_SHARD_BACKLOG_H_
