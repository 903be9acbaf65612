#include "gateway/dashboard/console_log.h"

#include <utility>

namespace gw::dashboard {

void ConsoleLog::Append(core::Activity activity) {
  if (entries_.size() == kKept) entries_.pop_front();
  entries_.push_back(Entry{next_seq_++, std::move(activity)});
}

ConsoleLog::Page ConsoleLog::After(uint64_t after, size_t max) const {
  Page page;
  if (after > last_seq()) after = 0;
  const uint64_t oldest = entries_.empty() ? next_seq_ : entries_.front().seq;
  if (after + 1 < oldest) {
    page.missed = after == 0 ? 0 : oldest - after - 1;
    after = oldest - 1;
  }
  // Entries are numbered consecutively: the first wanted sits at a known offset.
  for (size_t i = static_cast<size_t>(after + 1 - oldest);
       i < entries_.size() && page.entries.size() < max; ++i) {
    page.entries.push_back(&entries_[i]);
  }
  page.next = page.entries.empty() ? after : page.entries.back()->seq;
  return page;
}

}  // namespace gw::dashboard
