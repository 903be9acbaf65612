#ifndef GATEWAY_EDGE_HTTP_SERVER_SPAN_H_
#define GATEWAY_EDGE_HTTP_SERVER_SPAN_H_

#include <optional>
#include <string_view>

#include "gateway/edge/http_router.h"
#include "gateway/observability/span.h"

namespace gw::edge {

// The SERVER span of one Pusher HTTP API request (paths under /apps/; health and metrics probes
// are not traced): "<METHOD> <route template>", e.g. "POST /apps/{app_id}/events", continuing
// the caller's trace from its `traceparent` / `tracestate` headers, with http.request.method,
// http.route, url.path, realtime.app_id and, once answered, http.response.status_code. While it
// lives it is this thread's current span, so the publish spans of the request are its children.
// Costs one branch when tracing is off. The shard thread that handles the request only, until
// Detach hands the span to whoever answers later.
class HttpServerSpan {
 public:
  HttpServerSpan(const HttpRequest& request, std::string_view path);
  HttpServerSpan(const HttpServerSpan&) = delete;
  HttpServerSpan& operator=(const HttpServerSpan&) = delete;
  // Ends the span.
  ~HttpServerSpan() = default;

  void RecordResponse(unsigned status) { RecordResponse(span_, status); }
  // Ends the scope (this thread's current span is again what it was before) and returns the
  // span, for an answer given later, possibly on another thread (a publish is answered once it
  // has been fanned out). The span ends when the returned one does.
  tracing::Span Detach();
  static void RecordResponse(tracing::Span& span, unsigned status);

 private:
  tracing::Span span_;
  std::optional<tracing::SpanScope> scope_;  // after span_: ends before it
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_HTTP_SERVER_SPAN_H_
