#ifndef GATEWAY_CORE_PUBLISH_RECEIPT_H_
#define GATEWAY_CORE_PUBLISH_RECEIPT_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "gateway/core/channel_registry.h"
#include "gateway/core/fanout_barrier.h"

namespace gw::core {

// What a backend's publish learns back: when it may be acknowledged (it is in the write queue of
// every subscriber on this node and, in a cluster, handed to the other nodes), and each
// channel's counts as they stood when it was published (the HTTP API's `info`).
//
// Use: make one per publish (or batch) with a slot per counted channel, pass it to every
// Cluster::Publish of that publish, then call Then once. Each part of the work calls Expect
// before it starts and Arrive when done, and writes its slot's counts before its Arrive.
// Thread-safe; shared (shared_ptr) by the publisher and the work in flight. Work that never
// finishes (a shard stopped for good) never arrives: `done` is then destroyed unrun.
class PublishReceipt {
 public:
  explicit PublishReceipt(size_t slots) : counts_(slots) {}
  PublishReceipt(const PublishReceipt&) = delete;
  PublishReceipt& operator=(const PublishReceipt&) = delete;

  void Expect(size_t parts) { barrier_.Expect(parts); }
  void Arrive() { barrier_.Arrive(); }
  void SetCounts(size_t slot, ChannelCounts counts) { counts_[slot] = counts; }
  size_t slots() const { return counts_.size(); }
  // The receipt's barrier, for Fanout::Publish (each shard task arrives); keeps the receipt alive.
  static std::shared_ptr<FanoutBarrier> BarrierOf(const std::shared_ptr<PublishReceipt>& receipt) {
    return std::shared_ptr<FanoutBarrier>(receipt, &receipt->barrier_);
  }
  // Runs `done` with the counts once every part arrived: at once if they all have, else on the
  // thread of the last to arrive. Call once, after the last Expect.
  void Then(absl::AnyInvocable<void(std::vector<ChannelCounts>) &&> done) {
    barrier_.Then(
        [this, done = std::move(done)]() mutable { std::move(done)(std::move(counts_)); });
  }

 private:
  FanoutBarrier barrier_;
  std::vector<ChannelCounts> counts_;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_PUBLISH_RECEIPT_H_
