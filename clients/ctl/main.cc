// realtime-ctl: the realtime.v1 control plane from a shell. Parsing lives in ctl_args, output in
// ctl_output; this file only wires them to gw::client and owns exit codes and signals.
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/cpp/realtime_client.h"
#include "clients/ctl/ctl_args.h"
#include "clients/ctl/ctl_output.h"

namespace gw::ctl {
namespace {

namespace v1 = ::realtime::v1;

constexpr int kExitOk = 0;
constexpr int kExitRpcError = 1;
constexpr int kExitUsage = 2;

int Fail(const absl::Status& status, int exit_code) {
  std::cerr << "realtime-ctl: " << absl::StatusCodeToString(status.code());
  if (!status.message().empty()) std::cerr << ": " << status.message();
  std::cerr << std::endl;
  return exit_code;
}

template <typename Response>
int Print(const absl::StatusOr<Response>& response,
          const std::function<std::string(const Response&)>& render) {
  if (!response.ok()) return Fail(response.status(), kExitRpcError);
  std::cout << render(*response) << std::flush;
  return kExitOk;
}

// The signals that end `watch`, plus SIGUSR1, which only this process sends, to end the waiter.
sigset_t WatchSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  return signals;
}

// Runs `watch` until the stream ends or SIGINT/SIGTERM arrives. Run() blocked the signals before
// gRPC started any thread, so every thread inherits the mask and only the sigwait thread here
// takes them; it cancels the watch, and a watch ended by a signal is a normal end.
int Watch(client::RealtimeClient& client, const v1::WatchEventsRequest& request) {
  client::WatchCancellation cancellation;
  const sigset_t signals = WatchSignals();
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal != SIGUSR1) cancellation.Cancel();
  });
  const absl::Status status = client.WatchEvents(
      request,
      [](const v1::ChannelEvent& event) {
        // One flushed line per event: whoever reads the pipe sees each event as it happens.
        std::cout << EventJsonLine(event) << std::endl;
      },
      &cancellation);
  if (!cancellation.IsCancelled()) pthread_kill(waiter.native_handle(), SIGUSR1);
  waiter.join();
  if (status.ok() || cancellation.IsCancelled()) return kExitOk;
  return Fail(status, kExitRpcError);
}

int Run(const CtlInvocation& invocation) {
  if (std::holds_alternative<v1::WatchEventsRequest>(invocation.request)) {
    const sigset_t signals = WatchSignals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  }
  absl::StatusOr<std::unique_ptr<client::RealtimeClient>> created =
      client::RealtimeClient::Create(invocation.client);
  if (!created.ok()) return Fail(created.status(), kExitUsage);
  client::RealtimeClient& client = **created;
  const bool json = invocation.json;
  return std::visit(
      [&](const auto& request) -> int {
        using Request = std::decay_t<decltype(request)>;
        if constexpr (std::is_same_v<Request, v1::PublishRequest>) {
          return Print<v1::PublishResponse>(client.Publish(request), [&](const auto& response) {
            return RenderPublish(request, response, json);
          });
        } else if constexpr (std::is_same_v<Request, v1::ListChannelsRequest>) {
          return Print<v1::ListChannelsResponse>(
              client.ListChannels(request),
              [&](const auto& response) { return RenderChannels(response, json); });
        } else if constexpr (std::is_same_v<Request, v1::GetChannelRequest>) {
          return Print<v1::GetChannelResponse>(client.GetChannel(request), [&](const auto& r) {
            return RenderChannel(request, r, json);
          });
        } else if constexpr (std::is_same_v<Request, v1::ListPresenceMembersRequest>) {
          return Print<v1::ListPresenceMembersResponse>(
              client.ListPresenceMembers(request),
              [&](const auto& response) { return RenderMembers(request, response, json); });
        } else if constexpr (std::is_same_v<Request, v1::AuthorizeChannelRequest>) {
          return Print<v1::AuthorizeChannelResponse>(
              client.AuthorizeChannel(request),
              [&](const auto& response) { return RenderAuthorize(response, json); });
        } else if constexpr (std::is_same_v<Request, v1::AuthenticateUserRequest>) {
          return Print<v1::AuthenticateUserResponse>(
              client.AuthenticateUser(request),
              [&](const auto& response) { return RenderAuthenticate(response, json); });
        } else if constexpr (std::is_same_v<Request, v1::TerminateUserConnectionsRequest>) {
          return Print<v1::TerminateUserConnectionsResponse>(
              client.TerminateUserConnections(request),
              [&](const auto&) { return RenderTerminate(request, json); });
        } else if constexpr (std::is_same_v<Request, v1::SendToUserRequest>) {
          return Print<v1::SendToUserResponse>(client.SendToUser(request), [&](const auto&) {
            return RenderSendToUser(request, json);
          });
        } else {
          static_assert(std::is_same_v<Request, v1::WatchEventsRequest>);
          return Watch(client, request);
        }
      },
      invocation.request);
}

}  // namespace
}  // namespace gw::ctl

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const absl::StatusOr<gw::ctl::CtlInvocation> invocation =
      gw::ctl::ParseCtlArgs(args, [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      });
  if (!invocation.ok()) return gw::ctl::Fail(invocation.status(), gw::ctl::kExitUsage);
  if (invocation->help) {
    std::cout << *invocation->help;
    return gw::ctl::kExitOk;
  }
  return gw::ctl::Run(*invocation);
}
