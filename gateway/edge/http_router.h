#ifndef GATEWAY_EDGE_HTTP_ROUTER_H_
#define GATEWAY_EDGE_HTTP_ROUTER_H_

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "gateway/edge/edge_context.h"

namespace gw::edge {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Takes the response of one request to its connection. Called from any thread.
using HttpResponder = absl::AnyInvocable<void(HttpResponse) &&>;

// What a route answers: `response` at once or, when `later` is set, whatever `later` hands the
// responder it is given, once it can: a publish is acknowledged only when it has been fanned
// out, and a query when the cluster has answered.
struct HttpAnswer {
  HttpResponse response;
  absl::AnyInvocable<void(HttpResponder)&&> later = nullptr;
};

// Answers one plain HTTP request on the public port (health and the Pusher HTTP API under
// /apps/{id}/; /metrics is on the operator listener) by calling `respond` once: before
// returning, or later on another thread (a publish once it is fanned out, on the thread of the
// shard that fans it out last, or never if the shards stop for good first; a query once the
// cluster answered). Runs on the shard that read the request, never blocks, and keeps nothing of
// `request` once it returns.
void RouteHttpRequest(EdgeContext& context, const HttpRequest& request, HttpResponder respond);

// Operator pages, answered at once on the caller's thread: GET /metrics (Prometheus text),
// GET /livez (200 while the process runs), GET /readyz and /up (200 while accepting, 503 once a
// drain began). Health is served on the public port too, for load balancers and probes.
HttpResponse MetricsPage(EdgeContext& context, const HttpRequest& request);
HttpResponse LivenessPage(EdgeContext& context, const HttpRequest& request);
HttpResponse ReadinessPage(EdgeContext& context, const HttpRequest& request);

// "/apps/{app_id}/events" and the like: a request path as a low-cardinality route name.
std::string RouteTemplate(std::string_view path);

// A JSON response {"error": message}.
HttpResponse ErrorResponse(boost::beast::http::status status, std::string_view message,
                           unsigned version);
HttpResponse JsonResponse(boost::beast::http::status status, std::string body, unsigned version);
// absl status code -> HTTP status, as the Pusher HTTP API documents them.
boost::beast::http::status HttpStatusFor(const absl::Status& status);

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_HTTP_ROUTER_H_
