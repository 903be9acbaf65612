#ifndef GATEWAY_OBSERVABILITY_OTLP_ENCODING_H_
#define GATEWAY_OBSERVABILITY_OTLP_ENCODING_H_

#include <string>
#include <vector>

#include "gateway/observability/span_data.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace gw::tracing {

// Who produced the spans: the OTLP Resource and InstrumentationScope of every export.
struct OtlpResource {
  std::vector<Attribute> attributes;  // service.name, service.instance.id, ...
  std::string scope_name;
  std::string scope_version;
};

// One ResourceSpans with one ScopeSpans holding `spans`, as OTLP/gRPC Export takes them. Ids go
// as raw bytes (16 and 8), times as Unix nanoseconds, flags as the W3C trace flags plus the
// "parent is remote" bits (0x100 known, 0x200 remote).
void EncodeExportRequest(
    const OtlpResource& resource, const std::vector<SpanData>& spans,
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest* request);

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_OTLP_ENCODING_H_
