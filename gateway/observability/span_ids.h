#ifndef GATEWAY_OBSERVABILITY_SPAN_IDS_H_
#define GATEWAY_OBSERVABILITY_SPAN_IDS_H_

#include <string>

#include "gateway/observability/trace_context.h"

namespace gw::tracing {

// Random ids from a per-thread absl::BitGen (seeded from the OS entropy pool), never all zeros.
// Thread-safe and lock-free. Trace ids are random in all 16 bytes, so the lowest 7 bytes can
// drive ratio sampling (W3C Trace Context level 2 "random" trace ids).
TraceId NewTraceId();
SpanId NewSpanId();
// A random (version 4) UUID in its 36-character text form, for service.instance.id.
std::string NewUuid();

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_SPAN_IDS_H_
