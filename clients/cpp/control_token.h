#ifndef CLIENTS_CPP_CONTROL_TOKEN_H_
#define CLIENTS_CPP_CONTROL_TOKEN_H_

#include <string>
#include <string_view>

namespace gw::client {

// The bearer token the gateway accepts for an app that configures no `grpc_token`: lowercase hex
// HMAC-SHA256 of "realtime.v1" keyed with the app secret (see proto/realtime/v1/control.proto).
// Pure function; any thread.
std::string DeriveControlToken(std::string_view app_secret);

}  // namespace gw::client

#endif  // CLIENTS_CPP_CONTROL_TOKEN_H_
