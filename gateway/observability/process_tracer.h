#ifndef GATEWAY_OBSERVABILITY_PROCESS_TRACER_H_
#define GATEWAY_OBSERVABILITY_PROCESS_TRACER_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/observability/otlp_encoding.h"
#include "gateway/observability/tracer.h"
#include "gateway/observability/tracer_config.h"

namespace gw::tracing {

// The gateway process's tracer: built from the OpenTelemetry environment (TracerConfig) with an
// OTLP/gRPC exporter, and installed as GlobalTracer() for as long as it lives. Logs at start
// whether tracing is on and where it exports (and every configuration problem), and at
// Shutdown what it exported and dropped. main owns one, created before anything that traces
// and destroyed after it.
class ProcessTracer {
 public:
  // `service_version` is service.version (the build's version by default).
  explicit ProcessTracer(const std::map<std::string, std::string>& env,
                         std::string_view service_version = "");
  ProcessTracer(const ProcessTracer&) = delete;
  ProcessTracer& operator=(const ProcessTracer&) = delete;
  // Uninstalls the tracer; Shutdown with no time to flush if it was not called.
  ~ProcessTracer();

  // Flushes what is queued until `deadline`, then stops exporting.
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  Tracer& tracer() { return *tracer_; }
  const TracerConfig& config() const { return config_; }

 private:
  TracerConfig config_;
  std::unique_ptr<Tracer> tracer_;
  bool shut_down_ = false;
};

// service.name (OTEL_SERVICE_NAME), service.version, service.instance.id (a random UUID per
// process unless OTEL_RESOURCE_ATTRIBUTES sets one), telemetry.sdk.*, then the rest of
// OTEL_RESOURCE_ATTRIBUTES; the scope is "realtime-gateway" at `service_version`.
OtlpResource BuildResource(const TracerConfig& config, std::string_view service_version);

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_PROCESS_TRACER_H_
