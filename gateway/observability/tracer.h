#ifndef GATEWAY_OBSERVABILITY_TRACER_H_
#define GATEWAY_OBSERVABILITY_TRACER_H_

#include <chrono>
#include <memory>
#include <string_view>

#include "gateway/observability/batch_exporter.h"
#include "gateway/observability/sampler.h"
#include "gateway/observability/span.h"
#include "gateway/observability/span_exporter.h"
#include "gateway/observability/trace_context.h"

namespace gw::tracing {

// Starts spans, samples them and sends the ended ones to a BatchExporter.
//
// Off (default-constructed, or built without an exporter): StartSpan returns an empty Span after
// one branch; no id is drawn, no clock is read, nothing is queued. On: every span gets ids and a
// context; sampled spans record and are exported.
//
// Thread-safety: StartSpan and counters() from any thread. Shutdown once, from the thread that
// owns the tracer, after which spans still ending are dropped (and counted).
class Tracer {
 public:
  Tracer() = default;
  Tracer(Sampler sampler, std::unique_ptr<SpanExporter> exporter, BatchOptions options);
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;
  ~Tracer();

  bool enabled() const { return batches_ != nullptr; }

  // A span named `name` (low-cardinality: a route or method template, never an id). Its parent
  // is `parent` when valid (e.g. parsed from a traceparent), else this thread's current span
  // (SpanScope), else none: a new trace.
  Span StartSpan(std::string_view name, SpanKind kind, const TraceContext& parent = {}) {
    if (!enabled()) return Span();
    return StartRecordedSpan(name, kind, parent);
  }

  // Flushes what is queued until `deadline`, then stops exporting.
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  ExportCounters counters() const;
  const Sampler& sampler() const { return sampler_; }

 private:
  friend class Span;
  Span StartRecordedSpan(std::string_view name, SpanKind kind, const TraceContext& parent);
  void Finish(SpanData&& span);

  const Sampler sampler_;
  const std::unique_ptr<BatchExporter> batches_;  // null = off
};

// The process's tracer: an off Tracer until main installs one. Instrumented code calls
// GlobalTracer().StartSpan(...) so that no constructor between main and a call site has to
// carry it. SetGlobalTracer (main only, before serving and after serving stopped; not owning;
// nullptr = back to off) must not race with StartSpan.
Tracer& GlobalTracer();
void SetGlobalTracer(Tracer* tracer);

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_TRACER_H_
