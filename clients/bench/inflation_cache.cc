#include "clients/bench/inflation_cache.h"

namespace gw::bench {

const std::string* InflationCache::Find(std::string_view compressed) const {
  // Newest first: the frame just inflated is the likeliest to come again.
  for (size_t i = 1; i <= kEntries; ++i) {
    const Entry& entry = entries_[(next_ + kEntries - i) % kEntries];
    if (!entry.compressed.empty() && entry.compressed == compressed) return &entry.inflated;
  }
  return nullptr;
}

const std::string& InflationCache::Insert(std::string_view compressed, std::string_view inflated) {
  Entry& entry = entries_[next_];
  next_ = (next_ + 1) % kEntries;
  entry.compressed.assign(compressed);  // reuses the entry's buffers: no allocation once warm
  entry.inflated.assign(inflated);
  return entry.inflated;
}

}  // namespace gw::bench
