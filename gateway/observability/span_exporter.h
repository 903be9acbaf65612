#ifndef GATEWAY_OBSERVABILITY_SPAN_EXPORTER_H_
#define GATEWAY_OBSERVABILITY_SPAN_EXPORTER_H_

#include <chrono>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/observability/span_data.h"

namespace gw::tracing {

// Sends finished spans somewhere (OTLP/gRPC in production, a recorder in tests). An interface
// because it is a real seam: BatchExporter drives any implementation from its own thread.
class SpanExporter {
 public:
  virtual ~SpanExporter() = default;
  // Called from one thread at a time; may block until `deadline`, never longer. Returns how many
  // of `spans` the receiver rejected (0 = all accepted), or why the whole batch failed.
  virtual absl::StatusOr<uint64_t> Export(const std::vector<SpanData>& spans,
                                          std::chrono::system_clock::time_point deadline) = 0;
  // Any thread: makes an Export in progress return soon (shutdown is out of time).
  virtual void CancelExport() {}
};

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_SPAN_EXPORTER_H_
