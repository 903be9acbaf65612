#ifndef GATEWAY_DASHBOARD_CONSOLE_LOG_H_
#define GATEWAY_DASHBOARD_CONSOLE_LOG_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "gateway/core/app_activity.h"

namespace gw::dashboard {

// The debug console's recent history of one app: the last kKept activities, numbered from 1 in
// the order they were drained from the app's feed. Every open console page reads it from its own
// cursor (the last number it has), so pages do not take events from each other; a page that falls
// more than kKept behind is told how many it missed.
//
// Not thread-safe: the dashboard calls it under its lock.
class ConsoleLog {
 public:
  static constexpr size_t kKept = 1000;

  void Append(core::Activity activity);

  struct Entry {
    uint64_t seq;
    core::Activity activity;
  };
  struct Page {
    std::vector<const Entry*> entries;  // valid until the next Append
    uint64_t next = 0;                  // the cursor to ask from next time
    uint64_t missed = 0;                // entries after `after` that are no longer kept
  };
  // Entries numbered above `after`, oldest first, at most `max`. A cursor from the future (the
  // process restarted) starts over from what is kept.
  Page After(uint64_t after, size_t max) const;
  uint64_t last_seq() const { return next_seq_ - 1; }

 private:
  std::deque<Entry> entries_;
  uint64_t next_seq_ = 1;
};

}  // namespace gw::dashboard

#endif  // GATEWAY_DASHBOARD_CONSOLE_LOG_H_
