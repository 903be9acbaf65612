#ifndef GATEWAY_EDGE_HTTP_ROUTER_H_
#define GATEWAY_EDGE_HTTP_ROUTER_H_

#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/status/status.h"
#include "gateway/edge/edge_context.h"

namespace gw::edge {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Answers one plain HTTP request: GET /up and the Pusher HTTP API under /apps/{id}/. Runs on the
// shard that read it; never blocks.
HttpResponse RouteHttpRequest(EdgeContext& context, const HttpRequest& request);

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
