#ifndef GATEWAY_OBSERVABILITY_OTLP_GRPC_EXPORTER_H_
#define GATEWAY_OBSERVABILITY_OTLP_GRPC_EXPORTER_H_

#include <grpcpp/client_context.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gateway/observability/otlp_encoding.h"
#include "gateway/observability/span_exporter.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace gw::tracing {

// Where and how to reach an OTLP/gRPC collector.
struct OtlpGrpcSettings {
  std::string target;  // host:port
  bool use_tls = false;
  std::string root_certificates_pem;                         // TLS: "" = the system's roots
  std::vector<std::pair<std::string, std::string>> headers;  // metadata of every call
};

// Sends batches to opentelemetry.proto.collector.trace.v1.TraceService/Export over one gRPC
// channel (connected lazily, reconnected by gRPC). One unary call per batch with the caller's
// deadline; fails fast (UNAVAILABLE) while the collector cannot be reached, without waiting for
// it. Export from one thread at a time (BatchExporter's); CancelExport from any thread.
class OtlpGrpcExporter final : public SpanExporter {
 public:
  OtlpGrpcExporter(OtlpGrpcSettings settings, OtlpResource resource);

  absl::StatusOr<uint64_t> Export(const std::vector<SpanData>& spans,
                                  std::chrono::system_clock::time_point deadline) override;
  void CancelExport() override;

 private:
  const OtlpGrpcSettings settings_;
  const OtlpResource resource_;
  std::unique_ptr<opentelemetry::proto::collector::trace::v1::TraceService::Stub> stub_;

  absl::Mutex mu_;
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_OTLP_GRPC_EXPORTER_H_
