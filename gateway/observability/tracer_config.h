#ifndef GATEWAY_OBSERVABILITY_TRACER_CONFIG_H_
#define GATEWAY_OBSERVABILITY_TRACER_CONFIG_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gateway/observability/batch_exporter.h"
#include "gateway/observability/sampler.h"

namespace gw::tracing {

// How the tracer runs, read from the standard OpenTelemetry environment variables:
//
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT
//       http://host:port (plain) or https://host:port (TLS) -> gRPC target host:port (port 4317
//       when absent). Without a scheme, host:port uses TLS unless OTEL_EXPORTER_OTLP_INSECURE
//       (or _TRACES_INSECURE) is true. No endpoint = tracing off.
//   OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL
//       grpc (default). Anything else turns tracing off with a warning (only OTLP/gRPC is built).
//   OTEL_EXPORTER_OTLP_TRACES_HEADERS, else OTEL_EXPORTER_OTLP_HEADERS
//       k1=v1,k2=v2 (values percent-decoded) -> metadata of every Export call.
//   OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE, else OTEL_EXPORTER_OTLP_CERTIFICATE
//       PEM file of the roots to trust for TLS (default: the system's).
//   OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT
//       milliseconds per Export call (default 10000).
//   OTEL_SERVICE_NAME (default "realtime-gateway"), OTEL_RESOURCE_ATTRIBUTES (k1=v1,k2=v2).
//   OTEL_TRACES_SAMPLER (default parentbased_always_on) and OTEL_TRACES_SAMPLER_ARG.
//   OTEL_BSP_MAX_QUEUE_SIZE (2048), OTEL_BSP_MAX_EXPORT_BATCH_SIZE (512),
//   OTEL_BSP_SCHEDULE_DELAY (1000 ms).
//   OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER=none: tracing off.
//
// Invalid values never stop the gateway: each is reported in `warnings` and its default used
// (an unknown protocol or exporter turns tracing off instead).
struct TracerConfig {
  bool enabled = false;
  std::string endpoint;  // as configured, for the start-up log line
  std::string target;    // gRPC target: host:port
  bool use_tls = false;
  std::string certificate_file;                              // "" = the system's roots
  std::vector<std::pair<std::string, std::string>> headers;  // keys lowercase
  std::string service_name = "realtime-gateway";
  // From OTEL_RESOURCE_ATTRIBUTES, in order; service.name there yields to OTEL_SERVICE_NAME.
  std::vector<std::pair<std::string, std::string>> resource_attributes;
  Sampler sampler;
  BatchOptions batch;
  std::vector<std::string> warnings;
};

TracerConfig TracerConfigFromEnvironment(const std::map<std::string, std::string>& env);

// "k1=v1,k2=v2" with percent-decoded values and trimmed keys and values, as
// OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES spell lists; a malformed member is
// skipped and named in `warnings`.
std::vector<std::pair<std::string, std::string>> ParseKeyValueList(
    std::string_view variable, std::string_view text, std::vector<std::string>& warnings);

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_TRACER_CONFIG_H_
