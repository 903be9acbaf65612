#include "gateway/edge/http_server_span.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/observability/trace_context.h"
#include "gateway/observability/tracer.h"

namespace gw::edge {
namespace {

constexpr std::string_view kApiPrefix = "/apps/";

absl::string_view Absl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// Every `tracestate` header, joined as one list (HTTP allows the list to be split).
std::string Tracestate(const HttpRequest& request) {
  std::string joined;
  auto [begin, end] = request.equal_range("tracestate");
  for (auto it = begin; it != end; ++it) {
    if (!joined.empty()) joined.push_back(',');
    joined.append(it->value().data(), it->value().size());
  }
  return joined;
}

}  // namespace

HttpServerSpan::HttpServerSpan(const HttpRequest& request, std::string_view path) {
  tracing::Tracer& tracer = tracing::GlobalTracer();
  if (!tracer.enabled() || !path.starts_with(kApiPrefix)) return;
  tracing::TraceContext parent;
  auto traceparent = request.find("traceparent");
  if (traceparent != request.end()) {
    if (auto remote = tracing::ParseTraceparent(
            std::string_view(traceparent->value().data(), traceparent->value().size()))) {
      parent = std::move(*remote);
      parent.trace_state = tracing::NormalizeTracestate(Tracestate(request));
    }
  }
  const std::string_view method(request.method_string().data(), request.method_string().size());
  const std::string route = RouteTemplate(path);
  const bool known = route != "other";
  span_ = tracer.StartSpan(known ? absl::StrCat(Absl(method), " ", route) : std::string(method),
                           tracing::SpanKind::kServer, parent);
  scope_.emplace(span_);
  if (!span_.recording()) return;
  span_.SetAttribute("http.request.method", method);
  if (known) span_.SetAttribute("http.route", route);
  span_.SetAttribute("url.path", path);
  span_.SetAttribute("url.scheme", "http");
  const std::string_view rest = path.substr(kApiPrefix.size());
  span_.SetAttribute("realtime.app_id", rest.substr(0, rest.find('/')));
}

tracing::Span HttpServerSpan::Detach() {
  scope_.reset();
  return std::move(span_);
}

void HttpServerSpan::RecordResponse(tracing::Span& span, unsigned status) {
  span.SetAttribute("http.response.status_code", status);
  // A server span fails on 5xx only; 4xx are the client's errors (OpenTelemetry HTTP conventions).
  if (status >= 500) span.SetStatus(tracing::SpanStatus::kError);
}

}  // namespace gw::edge
