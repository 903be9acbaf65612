#ifndef GATEWAY_PUSHER_AUTH_PAYLOADS_H_
#define GATEWAY_PUSHER_AUTH_PAYLOADS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace gw::pusher {

// What a Pusher auth endpoint signs and hands to the client, built server-side for backends that
// authorize through the gateway (gRPC AuthorizeChannel / AuthenticateUser).

// {"user_id":"..","user_info":<user_info_json>}; empty user_info_json = null. InvalidArgument if
// user_id is empty or over 128 characters, or user_info_json is not JSON.
absl::StatusOr<std::string> EncodePresenceChannelData(std::string_view user_id,
                                                      std::string_view user_info_json);
// {"id":"..","user_info":..,"watchlist":[..]}: user_info and watchlist only when given.
absl::StatusOr<std::string> EncodeUserData(std::string_view user_id,
                                           std::string_view user_info_json,
                                           const std::vector<std::string>& watchlist);
// base64(SHA-256(channel || master_key)): the per-channel NaCl secretbox key of a
// private-encrypted- channel, as Pusher server SDKs derive it.
std::string EncryptedChannelSharedSecret(std::string_view channel, std::string_view master_key);

}  // namespace gw::pusher

#endif  // GATEWAY_PUSHER_AUTH_PAYLOADS_H_
