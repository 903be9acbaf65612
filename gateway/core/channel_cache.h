#ifndef GATEWAY_CORE_CHANNEL_CACHE_H_
#define GATEWAY_CORE_CHANNEL_CACHE_H_

#include <chrono>
#include <cstddef>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/frame.h"
#include "gateway/core/string_map.h"

namespace gw::core {

// The last event of each cache channel (cache-, private-cache-, presence-cache-,
// private-encrypted-cache-), kept until it expires so a new subscriber is sent it right after
// subscription_succeeded. Stores the encoded frame itself: replay costs no encoding. Thread-safe;
// time is passed in.
class ChannelCache {
 public:
  using Clock = std::chrono::steady_clock;

  void Put(std::string_view channel, Frame frame, Clock::time_point expires_at);
  // The cached frame, or null when there is none or it has expired (then it is dropped).
  Frame Get(std::string_view channel, Clock::time_point now);
  // Drops every expired entry; returns how many. Bounds memory for channels nobody reads.
  size_t PurgeExpired(Clock::time_point now);
  size_t size() const;

 private:
  struct Entry {
    Frame frame;
    Clock::time_point expires_at;
  };
  mutable absl::Mutex mu_;
  StringMap<Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_CHANNEL_CACHE_H_
