#include "gateway/core/app_state.h"

namespace gw::core {

bool AppState::TryAddConnection() {
  const uint32_t limit = app_.limits.max_connections;
  const uint32_t remote = remote_connections_.load(std::memory_order_relaxed);
  uint32_t current = connections_.load(std::memory_order_relaxed);
  do {
    if (limit != 0 && current + remote >= limit) return false;
  } while (!connections_.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  return true;
}

}  // namespace gw::core
