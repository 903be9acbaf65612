#ifndef CLIENTS_CTL_CTL_OUTPUT_H_
#define CLIENTS_CTL_CTL_OUTPUT_H_

#include <string>
#include <string_view>

#include "realtime/v1/control.pb.h"

namespace gw::ctl {

// What realtime-ctl prints for a successful command: a few human-readable lines, or with `json`
// one JSON object (protobuf JSON mapping, proto field names). Authorize/authenticate JSON omits
// empty fields, so it is exactly the body a Pusher auth endpoint returns; the other responses
// print every field, zeros included. Every result ends with a newline. Pure functions.
std::string RenderPublish(const realtime::v1::PublishRequest& request,
                          const realtime::v1::PublishResponse& response, bool json);
std::string RenderChannels(const realtime::v1::ListChannelsResponse& response, bool json);
std::string RenderChannel(const realtime::v1::GetChannelRequest& request,
                          const realtime::v1::GetChannelResponse& response, bool json);
std::string RenderMembers(const realtime::v1::ListPresenceMembersRequest& request,
                          const realtime::v1::ListPresenceMembersResponse& response, bool json);
std::string RenderAuthorize(const realtime::v1::AuthorizeChannelResponse& response, bool json);
std::string RenderAuthenticate(const realtime::v1::AuthenticateUserResponse& response, bool json);
std::string RenderTerminate(const realtime::v1::TerminateUserConnectionsRequest& request,
                            bool json);
std::string RenderSendToUser(const realtime::v1::SendToUserRequest& request, bool json);

// One `watch` line (no newline): {"kind":"member_added","channel":..,"time_ms":<number>, then
// whichever of user_id, event, data, socket_id are non-empty, and subscription_count when it is
// non-zero or the kind is about counts (subscription_count, channel_occupied, channel_vacated).
std::string EventJsonLine(const realtime::v1::ChannelEvent& event);

// `text` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view text);

}  // namespace gw::ctl

#endif  // CLIENTS_CTL_CTL_OUTPUT_H_
