#ifndef GATEWAY_PUSHER_SIGNATURE_H_
#define GATEWAY_PUSHER_SIGNATURE_H_

#include <string>
#include <string_view>

namespace gw::pusher {

// Lowercase hex HMAC-SHA256(key, message), the primitive behind every Pusher signature.
std::string HmacSha256Hex(std::string_view key, std::string_view message);
// Lowercase hex MD5, for the HTTP API's body_md5.
std::string Md5Hex(std::string_view data);
// Equality that takes the same time wherever the first difference is (no timing oracle).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The string a channel auth signs: "socket_id:channel" or, for presence,
// "socket_id:channel:channel_data" (channel_data exactly as the client sends it).
std::string ChannelAuthPayload(std::string_view socket_id, std::string_view channel,
                               std::string_view channel_data);
// The `auth` value a Pusher auth endpoint returns: "app_key:hex_signature".
std::string SignChannelAuth(std::string_view app_key, std::string_view app_secret,
                            std::string_view socket_id, std::string_view channel,
                            std::string_view channel_data);
// True if `auth` is exactly SignChannelAuth(...) for this app, compared in constant time.
bool VerifyChannelAuth(std::string_view app_key, std::string_view app_secret,
                       std::string_view socket_id, std::string_view channel,
                       std::string_view channel_data, std::string_view auth);

// User sign-in: the signed string is "socket_id::user::user_data".
std::string SignUserAuth(std::string_view app_key, std::string_view app_secret,
                         std::string_view socket_id, std::string_view user_data);
bool VerifyUserAuth(std::string_view app_key, std::string_view app_secret,
                    std::string_view socket_id, std::string_view user_data,
                    std::string_view auth);

}  // namespace gw::pusher

#endif  // GATEWAY_PUSHER_SIGNATURE_H_
