#ifndef GATEWAY_OBSERVABILITY_SPAN_DATA_H_
#define GATEWAY_OBSERVABILITY_SPAN_DATA_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "gateway/observability/trace_context.h"

namespace gw::tracing {

// OTLP's SpanKind values.
enum class SpanKind { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5 };
// OTLP's Status.code values.
enum class SpanStatus { kUnset = 0, kOk = 1, kError = 2 };

using AttributeValue = std::variant<std::string, int64_t, double, bool>;

struct Attribute {
  std::string key;
  AttributeValue value;
};

struct SpanEvent {
  std::string name;
  int64_t time_unix_nano = 0;
  std::vector<Attribute> attributes;
};

// What a finished span recorded, as the exporter sends it. Plain data.
struct SpanData {
  // The span's own context: its trace, its id, the trace flags and tracestate.
  TraceContext context;
  SpanId parent_span_id{};  // all zeros = a root span
  bool parent_remote = false;
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  int64_t start_unix_nano = 0;
  int64_t end_unix_nano = 0;
  std::vector<Attribute> attributes;
  uint32_t dropped_attributes = 0;
  std::vector<SpanEvent> events;
  uint32_t dropped_events = 0;
  SpanStatus status = SpanStatus::kUnset;
  std::string status_message;  // only with kError
};

// Per-span caps (OpenTelemetry's defaults); what is beyond them is counted as dropped.
inline constexpr size_t kMaxAttributesPerSpan = 128;
inline constexpr size_t kMaxEventsPerSpan = 128;

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_SPAN_DATA_H_
