#include "gateway/core/fanout_barrier.h"

#include <utility>

namespace gw::core {

void FanoutBarrier::Arrive() {
  // acq_rel: the last one down sees `done_` (written before Then's release) and everything the
  // other tasks did before they arrived.
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) std::move(done_)();
}

void FanoutBarrier::Then(Done done) {
  done_ = std::move(done);
  Arrive();  // Then's own count
}

}  // namespace gw::core
