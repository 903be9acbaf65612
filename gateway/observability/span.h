#ifndef GATEWAY_OBSERVABILITY_SPAN_H_
#define GATEWAY_OBSERVABILITY_SPAN_H_

#include <concepts>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/observability/span_data.h"
#include "gateway/observability/trace_context.h"

namespace gw::tracing {

class Tracer;

// One operation being traced, from Tracer::StartSpan until End (or destruction). Move-only.
//
// A span always has a context when the tracer is on (so it can be propagated, sampled or not)
// and records only when sampled: every setter is then an inline null check and nothing else,
// and with the tracer off a Span is empty. Callers that build attribute values should check
// recording() first.
//
// Not thread-safe: one thread at a time (a span may move to another thread with its call).
class Span {
 public:
  Span() = default;
  Span(Span&& other) noexcept = default;
  // Ends this span first.
  Span& operator=(Span&& other) noexcept;
  ~Span() { End(); }

  bool recording() const { return data_ != nullptr; }
  // Valid whenever the tracer is on; what a child or an outgoing call propagates.
  const TraceContext& context() const { return context_; }

  void SetAttribute(std::string_view key, std::string_view value) {
    if (data_) Set(key, AttributeValue(std::string(value)));
  }
  void SetAttribute(std::string_view key, const char* value) {
    SetAttribute(key, std::string_view(value));
  }
  template <std::integral T>
  requires(!std::same_as<T, bool>) void SetAttribute(std::string_view key, T value) {
    if (data_) Set(key, AttributeValue(static_cast<int64_t>(value)));
  }
  void SetAttribute(std::string_view key, double value) {
    if (data_) Set(key, AttributeValue(value));
  }
  void SetAttribute(std::string_view key, bool value) {
    if (data_) Set(key, AttributeValue(value));
  }
  // A timestamped event now (e.g. "exception").
  void AddEvent(std::string_view name, std::vector<Attribute> attributes = {});
  // kError keeps `message`; kOk and kUnset drop it, as OTLP wants.
  void SetStatus(SpanStatus status, std::string_view message = "");
  // Records the end time and hands the span to the exporter. Later calls do nothing.
  void End();

 private:
  friend class Tracer;
  Span(Tracer* tracer, TraceContext context, std::unique_ptr<SpanData> data)
      : tracer_(tracer), context_(std::move(context)), data_(std::move(data)) {}
  // Replaces an attribute of the same key, else appends (up to kMaxAttributesPerSpan).
  void Set(std::string_view key, AttributeValue value);

  Tracer* tracer_ = nullptr;
  TraceContext context_;
  std::unique_ptr<SpanData> data_;  // null = not recording
};

// Makes `span` the current span of this thread until the scope ends, so that spans started on
// this thread meanwhile without an explicit parent become its children (the server span of a
// request is the parent of the publish spans of that request this way, without passing it
// through the service layer). Scopes nest and must end in reverse order; `span` must neither
// move nor end while its scope lives.
class SpanScope {
 public:
  explicit SpanScope(const Span& span);
  SpanScope(const SpanScope&) = delete;
  SpanScope& operator=(const SpanScope&) = delete;
  ~SpanScope();

 private:
  const TraceContext* previous_;
};

// The context of this thread's current span; invalid when no scope is active.
const TraceContext& CurrentTraceContext();

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_SPAN_H_
