#ifndef GATEWAY_EDGE_PUSHER_HTTP_API_H_
#define GATEWAY_EDGE_PUSHER_HTTP_API_H_

#include <boost/url/url_view.hpp>

#include "gateway/edge/edge_context.h"
#include "gateway/edge/http_router.h"

namespace gw::edge {

// The Pusher HTTP API (/apps/{app_id}/events, batch_events, channels, channels/{name},
// channels/{name}/users, users/{user_id}/terminate_connections): finds the app, verifies the
// request signature against it, then translates to the service layer. Errors are {"error": ..}
// with 400/401/403/404/405/413, and 503 with Retry-After when a publish is refused because the
// shards are behind. A publish is answered once it has been fanned out (HttpAnswer::after).
HttpAnswer HandlePusherApi(EdgeContext& context, const HttpRequest& request,
                           const boost::urls::url_view& url);

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_PUSHER_HTTP_API_H_
