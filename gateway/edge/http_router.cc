#include "gateway/edge/http_router.h"

#include <boost/url/parse.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/edge/http_server_span.h"
#include "gateway/edge/pusher_http_api.h"
#include "gateway/pusher/http_api_codec.h"

namespace gw::edge {

namespace http = boost::beast::http;

HttpResponse JsonResponse(http::status status, std::string body, unsigned version) {
  HttpResponse response{status, version};
  response.set(http::field::server, "realtime-gateway");
  response.set(http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

HttpResponse ErrorResponse(http::status status, std::string_view message, unsigned version) {
  return JsonResponse(status, pusher::EncodeErrorResponse(message), version);
}

http::status HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return http::status::ok;
    case absl::StatusCode::kInvalidArgument:
      return http::status::bad_request;
    case absl::StatusCode::kUnauthenticated:
      return http::status::unauthorized;
    case absl::StatusCode::kPermissionDenied:
      return http::status::forbidden;
    case absl::StatusCode::kNotFound:
      return http::status::not_found;
    case absl::StatusCode::kResourceExhausted:
      return http::status::payload_too_large;
    case absl::StatusCode::kUnavailable:
      return http::status::service_unavailable;
    default:
      return http::status::internal_server_error;
  }
}

// A low-cardinality name for a request path, for metrics and traces.
std::string RouteTemplate(std::string_view path) {
  if (!path.starts_with("/apps/")) {
    for (std::string_view known : {"/up", "/livez", "/readyz"}) {
      if (path == known) return std::string(known);
    }
    return "other";
  }
  std::vector<std::string_view> parts;
  for (size_t start = 1; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() == 3 &&
      (parts[2] == "events" || parts[2] == "batch_events" || parts[2] == "channels")) {
    return absl::StrCat("/apps/{app_id}/", absl::string_view(parts[2].data(), parts[2].size()));
  }
  if (parts.size() == 4 && parts[2] == "channels") return "/apps/{app_id}/channels/{channel}";
  if (parts.size() == 5 && parts[2] == "channels" && parts[4] == "users") {
    return "/apps/{app_id}/channels/{channel}/users";
  }
  if (parts.size() == 5 && parts[2] == "users" && parts[4] == "terminate_connections") {
    return "/apps/{app_id}/users/{user_id}/terminate_connections";
  }
  return "other";
}

namespace {

bool ReadOnly(const HttpRequest& request) {
  return request.method() == http::verb::get || request.method() == http::verb::head;
}

}  // namespace

HttpResponse MetricsPage(EdgeContext& context, const HttpRequest& request) {
  const unsigned version = request.version();
  if (!ReadOnly(request))
    return ErrorResponse(http::status::method_not_allowed, "use GET", version);
  if (context.metrics_registry == nullptr) {
    return ErrorResponse(http::status::not_found, "metrics are disabled", version);
  }
  HttpResponse metrics{http::status::ok, version};
  metrics.set(http::field::server, "realtime-gateway");
  metrics.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  metrics.body() = context.metrics_registry->RenderPrometheus();
  return metrics;
}

HttpResponse LivenessPage(EdgeContext& context, const HttpRequest& request) {
  // The process answers. Never fails during a drain, so an orchestrator does not kill a gateway
  // that is busy handing its clients over.
  if (!ReadOnly(request)) {
    return ErrorResponse(http::status::method_not_allowed, "use GET", request.version());
  }
  return JsonResponse(http::status::ok, R"({"status":"ok"})", request.version());
}

HttpResponse ReadinessPage(EdgeContext& context, const HttpRequest& request) {
  const unsigned version = request.version();
  if (!ReadOnly(request))
    return ErrorResponse(http::status::method_not_allowed, "use GET", version);
  // Ready only while every listener accepts and no drain has begun: load balancers stop sending
  // new clients here as soon as a shutdown starts.
  if (!context.accepting.load() || context.draining.load()) {
    return JsonResponse(http::status::service_unavailable, R"({"status":"draining"})", version);
  }
  return JsonResponse(http::status::ok, R"({"status":"ok"})", version);
}

void RouteHttpRequest(EdgeContext& context, const HttpRequest& request, HttpResponder respond) {
  const unsigned version = request.version();
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) {
    HttpResponse response =
        ErrorResponse(http::status::bad_request, "malformed request target", version);
    response.keep_alive(request.keep_alive());
    if (context.metrics != nullptr) context.metrics->HttpRequest("other", 400);
    return std::move(respond)(std::move(response));
  }

  HttpServerSpan span(request, url->encoded_path());
  HttpAnswer answer = [&]() -> HttpAnswer {
    const std::string_view path = url->encoded_path();
    if (path == "/livez") return {LivenessPage(context, request)};
    if (path == "/up" || path == "/readyz") return {ReadinessPage(context, request)};
    if (path.starts_with("/apps/")) return HandlePusherApi(context, request, *url);
    return {ErrorResponse(http::status::not_found, "no such endpoint", version)};
  }();
  // From here the answer may be given after this function returned, on another thread: what it
  // needs is taken by value, and the span leaves this thread's scope first.
  HttpResponder finish = [span = span.Detach(), metrics = context.metrics,
                          route =
                              context.metrics != nullptr ? RouteTemplate(url->encoded_path()) : "",
                          keep_alive = request.keep_alive(),
                          respond = std::move(respond)](HttpResponse response) mutable {
    response.keep_alive(keep_alive);
    HttpServerSpan::RecordResponse(span, response.result_int());
    span.End();
    if (metrics != nullptr) metrics->HttpRequest(route, response.result_int());
    std::move(respond)(std::move(response));
  };
  if (answer.later == nullptr) return std::move(finish)(std::move(answer.response));
  std::move(answer.later)(std::move(finish));
}

}  // namespace gw::edge
