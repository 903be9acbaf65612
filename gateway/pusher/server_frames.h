#ifndef GATEWAY_PUSHER_SERVER_FRAMES_H_
#define GATEWAY_PUSHER_SERVER_FRAMES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::pusher {

// Encoders for every frame the server sends, as compact JSON text. Pusher's rule: `data` of
// server events is a JSON-*encoded string*; pusher:error carries an object. All strings passed in
// are escaped here; parameters named *_json are inserted verbatim and must be valid JSON text.

// {"event":"pusher:connection_established","data":"{\"socket_id\":\"..\",\"activity_timeout\":N}"}
std::string ConnectionEstablishedFrame(std::string_view socket_id, uint32_t activity_timeout);
// {"event":"pusher:error","data":{"code":N,"message":".."}} (code null when absent)
std::string ErrorFrame(std::optional<uint16_t> code, std::string_view message);
std::string PingFrame();  // {"event":"pusher:ping","data":"{}"}
std::string PongFrame();  // {"event":"pusher:pong","data":"{}"}

// {"event":"pusher_internal:subscription_succeeded","channel":"..","data":"{}"}
std::string SubscriptionSucceededFrame(std::string_view channel);
// Presence: data = {"presence":{"ids":[..],"hash":{id:user_info},"count":n}} as a string.
// Members are (user_id, user_info_json).
std::string PresenceSubscriptionSucceededFrame(
    std::string_view channel, const std::vector<std::pair<std::string, std::string>>& members);
// {"event":"pusher:subscription_error","channel":"..","data":{"type":..,"error":..,"status":N}}
std::string SubscriptionErrorFrame(std::string_view channel, std::string_view type,
                                   std::string_view error, uint16_t status);
// pusher_internal:member_added data {"user_id":..,"user_info":..}; member_removed {"user_id":..}
std::string MemberAddedFrame(std::string_view channel, std::string_view user_id,
                             std::string_view user_info_json);
std::string MemberRemovedFrame(std::string_view channel, std::string_view user_id);

// {"event":"pusher:signin_success","data":"{\"user_data\":\"<user_data>\"}"}: the exact
// user_data string the client signed, string-encoded inside the data string.
std::string SigninSuccessFrame(std::string_view user_data);

// {"event":"pusher:cache_miss","channel":".."}: a cache channel had nothing to replay.
std::string CacheMissFrame(std::string_view channel);
// {"event":"pusher_internal:watchlist_events","data":"{\"events\":[{\"name\":N,\"user_ids\":[..]}]}"}
// with `name` "online" or "offline", as pusher-js's watchlist consumes it.
std::string WatchlistEventsFrame(std::string_view name, const std::vector<std::string>& user_ids);

// {"event":"pusher_internal:subscription_count","channel":..,"data":"{\"subscription_count\":N}"}
std::string SubscriptionCountFrame(std::string_view channel, uint32_t count);

// An event published through the HTTP API or gRPC: `data` is the publisher's string, sent as a
// JSON string. {"event":..,"channel":..,"data":".."}
std::string EventFrame(std::string_view channel, std::string_view event, std::string_view data);
// A client event forwarded to the other subscribers: `data` keeps the JSON type the sender used;
// presence channels add top-level "user_id".
std::string ClientEventFrame(std::string_view channel, std::string_view event,
                             std::string_view data_json, std::optional<std::string_view> user_id);

}  // namespace gw::pusher

#endif  // GATEWAY_PUSHER_SERVER_FRAMES_H_
