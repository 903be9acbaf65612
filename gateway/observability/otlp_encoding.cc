#include "gateway/observability/otlp_encoding.h"

#include <type_traits>
#include <variant>

namespace gw::tracing {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;

constexpr uint32_t kHasIsRemote = 0x100;
constexpr uint32_t kIsRemote = 0x200;

void Encode(const Attribute& attribute, common::KeyValue* out) {
  out->set_key(attribute.key);
  common::AnyValue* value = out->mutable_value();
  std::visit(
      [value](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          value->set_string_value(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          value->set_int_value(v);
        } else if constexpr (std::is_same_v<T, double>) {
          value->set_double_value(v);
        } else {
          value->set_bool_value(v);
        }
      },
      attribute.value);
}

template <typename Message>
void EncodeAttributes(const std::vector<Attribute>& attributes, Message* out) {
  out->mutable_attributes()->Reserve(static_cast<int>(attributes.size()));
  for (const Attribute& attribute : attributes) Encode(attribute, out->add_attributes());
}

template <size_t N>
std::string Bytes(const std::array<uint8_t, N>& id) {
  return std::string(reinterpret_cast<const char*>(id.data()), N);
}

void Encode(const SpanData& span, trace::Span* out) {
  out->set_trace_id(Bytes(span.context.trace_id));
  out->set_span_id(Bytes(span.context.span_id));
  if (!span.context.trace_state.empty()) out->set_trace_state(span.context.trace_state);
  if (IsValid(span.parent_span_id)) out->set_parent_span_id(Bytes(span.parent_span_id));
  out->set_flags(span.context.flags | kHasIsRemote | (span.parent_remote ? kIsRemote : 0));
  out->set_name(span.name);
  out->set_kind(static_cast<trace::Span::SpanKind>(span.kind));
  out->set_start_time_unix_nano(static_cast<uint64_t>(span.start_unix_nano));
  out->set_end_time_unix_nano(static_cast<uint64_t>(span.end_unix_nano));
  EncodeAttributes(span.attributes, out);
  out->set_dropped_attributes_count(span.dropped_attributes);
  for (const SpanEvent& event : span.events) {
    trace::Span::Event* encoded = out->add_events();
    encoded->set_time_unix_nano(static_cast<uint64_t>(event.time_unix_nano));
    encoded->set_name(event.name);
    EncodeAttributes(event.attributes, encoded);
  }
  out->set_dropped_events_count(span.dropped_events);
  if (span.status != SpanStatus::kUnset) {
    trace::Status* status = out->mutable_status();
    status->set_code(static_cast<trace::Status::StatusCode>(span.status));
    if (span.status == SpanStatus::kError) status->set_message(span.status_message);
  }
}

}  // namespace

void EncodeExportRequest(
    const OtlpResource& resource, const std::vector<SpanData>& spans,
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest* request) {
  trace::ResourceSpans* resource_spans = request->add_resource_spans();
  EncodeAttributes(resource.attributes, resource_spans->mutable_resource());
  trace::ScopeSpans* scope_spans = resource_spans->add_scope_spans();
  scope_spans->mutable_scope()->set_name(resource.scope_name);
  scope_spans->mutable_scope()->set_version(resource.scope_version);
  scope_spans->mutable_spans()->Reserve(static_cast<int>(spans.size()));
  for (const SpanData& span : spans) Encode(span, scope_spans->add_spans());
}

}  // namespace gw::tracing
