#include "gateway/observability/tracer.h"

#include <atomic>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "gateway/observability/span_ids.h"

namespace gw::tracing {
namespace {

Tracer& OffTracer() {
  static Tracer* const off = new Tracer();
  return *off;
}

std::atomic<Tracer*> g_tracer{nullptr};

}  // namespace

Tracer::Tracer(Sampler sampler, std::unique_ptr<SpanExporter> exporter, BatchOptions options)
    : sampler_(sampler),
      batches_(exporter ? std::make_unique<BatchExporter>(std::move(exporter), options) : nullptr) {
}

Tracer::~Tracer() = default;

Span Tracer::StartRecordedSpan(std::string_view name, SpanKind kind, const TraceContext& parent) {
  const TraceContext& effective = parent.valid() ? parent : CurrentTraceContext();
  TraceContext context;
  if (effective.valid()) {
    context.trace_id = effective.trace_id;
    context.trace_state = effective.trace_state;
  } else {
    context.trace_id = NewTraceId();
  }
  context.span_id = NewSpanId();
  const bool sampled = sampler_.ShouldSample(effective, context.trace_id);
  context.flags = sampled ? kSampledFlag : 0;
  if (!sampled) return Span(this, std::move(context), nullptr);

  auto data = std::make_unique<SpanData>();
  if (effective.valid()) {
    data->parent_span_id = effective.span_id;
    data->parent_remote = effective.remote;
  }
  data->name = std::string(name);
  data->kind = kind;
  data->start_unix_nano = absl::GetCurrentTimeNanos();
  return Span(this, std::move(context), std::move(data));
}

void Tracer::Finish(SpanData&& span) { batches_->Add(std::move(span)); }

void Tracer::Shutdown(std::chrono::steady_clock::time_point deadline) {
  if (batches_) batches_->Shutdown(deadline);
}

ExportCounters Tracer::counters() const {
  return batches_ ? batches_->counters() : ExportCounters{};
}

Tracer& GlobalTracer() {
  Tracer* tracer = g_tracer.load(std::memory_order_acquire);
  return tracer != nullptr ? *tracer : OffTracer();
}

void SetGlobalTracer(Tracer* tracer) { g_tracer.store(tracer, std::memory_order_release); }

}  // namespace gw::tracing
