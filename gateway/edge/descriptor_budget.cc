#include "gateway/edge/descriptor_budget.h"

#include <sys/resource.h>

#include <algorithm>
#include <limits>

namespace gw::edge {

uint64_t RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<uint32_t>::max() : limit.rlim_cur;
}

DescriptorBudget PlanDescriptors(uint64_t descriptor_limit, uint32_t reserved,
                                 uint32_t max_connections) {
  DescriptorBudget budget;
  budget.descriptor_limit = descriptor_limit;
  const uint64_t kept = std::min<uint64_t>(reserved, descriptor_limit / 2);
  budget.max_sockets = static_cast<uint32_t>(
      std::clamp<uint64_t>(descriptor_limit - kept, 1, std::numeric_limits<uint32_t>::max()));
  budget.max_connections =
      max_connections != 0
          ? max_connections
          : std::max<uint32_t>(1, static_cast<uint32_t>(uint64_t{budget.max_sockets} * 9 / 10));
  return budget;
}

}  // namespace gw::edge
