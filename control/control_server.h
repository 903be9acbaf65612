#ifndef CONTROL_CONTROL_SERVER_H_
#define CONTROL_CONTROL_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "absl/status/status.h"
#include "gateway/observability/metrics.h"

namespace gw::control {

// The gRPC port: the standard grpc.health.v1 service (NOT_SERVING once a drain starts), server
// reflection, and a keepalive policy that tolerates clients pinging every few seconds (AnyCable
// style clients ping every 10 s even when idle; gRPC's default policy would answer GOAWAY).
// gRPC runs its own threads; nothing here touches an I/O shard.
class ControlServer {
 public:
  ControlServer() = default;
  ~ControlServer();

  struct Tls {
    std::string cert_file;       // empty = plaintext
    std::string key_file;
    std::string client_ca_file;  // set = mutual TLS (client certificates required and verified)
  };
  // Binds host:port (0 = any free port) and serves `services` (not owned; they outlive this).
  // `metrics` (may be null) receives realtime_grpc_requests_total.
  absl::Status Start(const std::string& host, uint16_t port,
                     const std::vector<grpc::Service*>& services, int max_message_bytes,
                     const Tls& tls, observability::MetricsRegistry* metrics);
  uint16_t port() const { return port_; }
  // Health turns NOT_SERVING, so meshes and clients move elsewhere before the drain ends.
  void BeginDrain();
  void Stop(std::chrono::milliseconds grace);

 private:
  std::unique_ptr<grpc::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace gw::control

#endif  // CONTROL_CONTROL_SERVER_H_
