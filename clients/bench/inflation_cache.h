#ifndef CLIENTS_BENCH_INFLATION_CACHE_H_
#define CLIENTS_BENCH_INFLATION_CACHE_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace gw::bench {

// The messages a worker inflated last, by their compressed bytes. A publish reaches each of a
// worker's subscribers as the same compressed frame, so most deliveries are found here and the
// meter inflates about once per publish, not once per delivery. Several entries, not one: at full
// speed a connection's read holds frames of several publishes in flight, interleaved with those
// of the next connection, and a single entry missed on most deliveries (the bench then spent a
// third more CPU with --compress than without and starved the server it measured).
class InflationCache {
 public:
  static constexpr size_t kEntries = 32;

  // The inflated message for these compressed bytes, or nullptr. Valid until the next Insert.
  const std::string* Find(std::string_view compressed) const;
  // Keeps the pair, in place of the oldest; returns the kept message.
  const std::string& Insert(std::string_view compressed, std::string_view inflated);

 private:
  struct Entry {
    std::string compressed;
    std::string inflated;
  };
  std::array<Entry, kEntries> entries_;
  size_t next_ = 0;  // the oldest entry, replaced next
};

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_INFLATION_CACHE_H_
