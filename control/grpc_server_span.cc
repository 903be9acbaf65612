#include "control/grpc_server_span.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/observability/trace_context.h"
#include "gateway/observability/tracer.h"

namespace gw::control {
namespace {

thread_local GrpcServerSpan* g_current_call = nullptr;

std::string_view Metadata(const grpc::ServerContextBase& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return {};
  return std::string_view(it->second.data(), it->second.size());
}

absl::string_view Absl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// The codes for which a server marks its own span as failed (OpenTelemetry's gRPC conventions):
// the others are the caller's mistakes, not the server's.
bool IsServerError(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

}  // namespace

GrpcServerSpan::GrpcServerSpan(const grpc::ServerContextBase& context, std::string_view service,
                               std::string_view method, std::string_view app_id) {
  tracing::Tracer& tracer = tracing::GlobalTracer();
  if (!tracer.enabled()) return;
  tracing::TraceContext parent;
  if (auto remote = tracing::ParseTraceparent(Metadata(context, "traceparent"))) {
    parent = std::move(*remote);
    parent.trace_state = tracing::NormalizeTracestate(Metadata(context, "tracestate"));
  }
  span_ = tracer.StartSpan(absl::StrCat(Absl(service), "/", Absl(method)),
                           tracing::SpanKind::kServer, parent);
  span_.SetAttribute("rpc.system", "grpc");
  span_.SetAttribute("rpc.service", service);
  span_.SetAttribute("rpc.method", method);
  span_.SetAttribute("realtime.app_id", app_id);
  scope_.emplace(span_);
  previous_ = g_current_call;
  g_current_call = this;
}

GrpcServerSpan::~GrpcServerSpan() {
  if (!scope_) return;
  g_current_call = previous_;
  span_.End();
}

tracing::Span GrpcServerSpan::Detach() {
  if (scope_) {
    scope_.reset();
    g_current_call = previous_;
  }
  return std::move(span_);
}

void GrpcServerSpan::RecordStatus(const grpc::Status& status) {
  GrpcServerSpan* call = g_current_call;
  if (call != nullptr) RecordStatus(call->span_, status);
}

void GrpcServerSpan::RecordStatus(tracing::Span& span, const grpc::Status& status) {
  span.SetAttribute("rpc.grpc.status_code", static_cast<int>(status.error_code()));
  if (IsServerError(status.error_code())) {
    span.SetStatus(tracing::SpanStatus::kError, status.error_message());
  }
}

}  // namespace gw::control
