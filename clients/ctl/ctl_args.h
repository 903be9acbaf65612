#ifndef CLIENTS_CTL_CTL_ARGS_H_
#define CLIENTS_CTL_CTL_ARGS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/cpp/realtime_client.h"
#include "realtime/v1/control.pb.h"

namespace gw::ctl {

// The request a command line asks for; its type says which RPC runs.
using CtlRequest =
    std::variant<realtime::v1::PublishRequest, realtime::v1::ListChannelsRequest,
                 realtime::v1::GetChannelRequest, realtime::v1::ListPresenceMembersRequest,
                 realtime::v1::AuthorizeChannelRequest, realtime::v1::AuthenticateUserRequest,
                 realtime::v1::TerminateUserConnectionsRequest, realtime::v1::SendToUserRequest,
                 realtime::v1::WatchEventsRequest>;

// One parsed realtime-ctl command line.
struct CtlInvocation {
  // Set when help was asked for (-h, --help, `help [command]`): print it and exit 0; nothing else
  // is filled in then.
  std::optional<std::string> help;
  // Target, app, credentials, deadline, retries, TLS: flags first, then the environment.
  client::RealtimeClientOptions client;
  bool json = false;
  CtlRequest request;
};

// Looks up an environment variable (getenv in main, a map in tests).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Parses the arguments after argv[0]. A usage error is INVALID_ARGUMENT whose message says what is
// wrong and which --help to read. Pure: no I/O besides `env`.
absl::StatusOr<CtlInvocation> ParseCtlArgs(const std::vector<std::string>& args,
                                           const EnvLookup& env);

// `realtime-ctl --help` and `realtime-ctl <command> --help`; empty for an unknown command.
std::string GeneralUsage();
std::string CommandUsage(std::string_view command);

}  // namespace gw::ctl

#endif  // CLIENTS_CTL_CTL_ARGS_H_
