#ifndef GATEWAY_EDGE_DESCRIPTOR_BUDGET_H_
#define GATEWAY_EDGE_DESCRIPTOR_BUDGET_H_

#include <cstdint>

namespace gw::edge {

// How the process's file descriptors are shared out, so that clients are refused politely
// (4100, or a socket closed at once) before accept() ever fails with EMFILE.
struct DescriptorBudget {
  uint64_t descriptor_limit = 0;  // RLIMIT_NOFILE in force
  // Client sockets (HTTP and WebSocket) that may be open at once; beyond it a newly accepted
  // socket is closed at once.
  uint32_t max_sockets = 0;
  // WebSocket connections; beyond it: close 4100.
  uint32_t max_connections = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (systemd and Docker start services at 1024;
// this process uses epoll, not select, so the low soft limit protects nothing) and returns the
// soft limit now in force. Call once at start, before any thread exists.
uint64_t RaiseDescriptorLimit();

// The budget for `descriptor_limit`: `reserved` descriptors stay for listeners, gRPC, webhooks
// and files (at most half the limit), the rest bounds client sockets; `max_connections` 0 takes
// 90 % of those, leaving room for HTTP API requests and for the sockets that carry the 4100.
// A configured `max_connections` is kept as given.
DescriptorBudget PlanDescriptors(uint64_t descriptor_limit, uint32_t reserved,
                                 uint32_t max_connections);

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_DESCRIPTOR_BUDGET_H_
