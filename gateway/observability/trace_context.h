#ifndef GATEWAY_OBSERVABILITY_TRACE_CONTEXT_H_
#define GATEWAY_OBSERVABILITY_TRACE_CONTEXT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw::tracing {

// 16 bytes; all zeros is the invalid id.
using TraceId = std::array<uint8_t, 16>;
// 8 bytes; all zeros is the invalid id.
using SpanId = std::array<uint8_t, 8>;

inline constexpr uint8_t kSampledFlag = 0x01;

// What travels between processes (W3C Trace Context): the trace, the span that is the parent of
// whatever the receiver starts next, the trace flags and the vendors' tracestate. A plain value;
// default-constructed it is invalid ("no context").
struct TraceContext {
  TraceId trace_id{};
  SpanId span_id{};
  uint8_t flags = 0;
  std::string trace_state;  // validated list, "" = none
  bool remote = false;      // came from another process (a header or gRPC metadata)

  bool valid() const;
  bool sampled() const { return (flags & kSampledFlag) != 0; }
};

bool IsValid(const TraceId& id);
bool IsValid(const SpanId& id);

// Lowercase hex of an id.
std::string ToHex(const TraceId& id);
std::string ToHex(const SpanId& id);

// W3C `traceparent`: "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>", lowercase only.
// Rejects (nullopt) what the spec says to ignore: a version other than 2 lowercase hex digits or
// "ff", version 00 with anything after the 55 characters, a later version whose 56th character
// is not '-', uppercase hex, all-zero ids. Surrounding spaces and tabs are trimmed. The result
// has `remote` set and no trace_state.
std::optional<TraceContext> ParseTraceparent(std::string_view header);
// Version 00 of the context's ids and flags (only the sampled bit is propagated).
std::string FormatTraceparent(const TraceContext& context);

// W3C `tracestate`: a comma-separated list of up to 32 key=value members. Returns the list
// rewritten without empty members and optional whitespace, or "" when any member is malformed
// or there are more than 32 (the spec lets a receiver discard the whole header then). Keys:
// [a-z0-9] then up to 255 of [a-z0-9_-*/] with at most one '@' tenant separator; values: up to
// 256 printable ASCII characters except ',' and '=', not ending in a space.
std::string NormalizeTracestate(std::string_view header);

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_TRACE_CONTEXT_H_
