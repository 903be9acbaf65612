#include "gateway/observability/span.h"

#include <utility>

#include "absl/time/clock.h"
#include "gateway/observability/tracer.h"

namespace gw::tracing {
namespace {

thread_local const TraceContext* g_current = nullptr;

const TraceContext kNoContext;

}  // namespace

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    End();
    tracer_ = other.tracer_;
    context_ = std::move(other.context_);
    data_ = std::move(other.data_);
  }
  return *this;
}

void Span::Set(std::string_view key, AttributeValue value) {
  for (Attribute& attribute : data_->attributes) {
    if (attribute.key == key) {
      attribute.value = std::move(value);
      return;
    }
  }
  if (data_->attributes.size() >= kMaxAttributesPerSpan) {
    ++data_->dropped_attributes;
    return;
  }
  data_->attributes.push_back(Attribute{std::string(key), std::move(value)});
}

void Span::AddEvent(std::string_view name, std::vector<Attribute> attributes) {
  if (!data_) return;
  if (data_->events.size() >= kMaxEventsPerSpan) {
    ++data_->dropped_events;
    return;
  }
  data_->events.push_back(
      SpanEvent{std::string(name), absl::GetCurrentTimeNanos(), std::move(attributes)});
}

void Span::SetStatus(SpanStatus status, std::string_view message) {
  if (!data_) return;
  data_->status = status;
  data_->status_message = status == SpanStatus::kError ? std::string(message) : std::string();
}

void Span::End() {
  if (!data_) return;
  data_->end_unix_nano = absl::GetCurrentTimeNanos();
  data_->context = context_;
  tracer_->Finish(std::move(*data_));
  data_.reset();
}

SpanScope::SpanScope(const Span& span) : previous_(g_current) { g_current = &span.context(); }

SpanScope::~SpanScope() { g_current = previous_; }

const TraceContext& CurrentTraceContext() { return g_current != nullptr ? *g_current : kNoContext; }

}  // namespace gw::tracing
