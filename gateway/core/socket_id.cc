#include "gateway/core/socket_id.h"

#include "absl/strings/str_cat.h"

namespace gw::core {

std::atomic<uint64_t> SocketIdGenerator::sequence_{1};

SocketIdGenerator::SocketIdGenerator(uint64_t seed) : random_(seed) {}

std::string SocketIdGenerator::Next() {
  std::uniform_int_distribution<uint32_t> part(1, 999'999'999);
  return absl::StrCat(part(random_), ".", sequence_.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace gw::core
