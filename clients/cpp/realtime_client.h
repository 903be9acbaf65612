#ifndef CLIENTS_CPP_REALTIME_CLIENT_H_
#define CLIENTS_CPP_REALTIME_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "realtime/v1/control.grpc.pb.h"

namespace gw::client {

// TLS towards the gateway (or a proxy in front of it). Files are PEM; they are read once, when the
// client is created.
struct TlsOptions {
  // Roots that verify the server; empty = gRPC's default roots.
  std::string root_ca_file;
  // Client certificate chain and private key for mutual TLS; both or neither.
  std::string cert_chain_file;
  std::string private_key_file;
};

// When a call fails with UNAVAILABLE (the gateway is draining or unreachable) it is tried again
// after initial_backoff, then twice as long each time up to max_backoff, with jitter (each wait is
// uniform in [delay/2, delay]). No other code is retried, and WatchEvents never is.
struct RetryPolicy {
  int max_retries = 3;
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{2000};

  // The upper bound of the wait before retry number `retry` (1-based), before jitter.
  std::chrono::milliseconds BackoffBefore(int retry) const;
};

struct RealtimeClientOptions {
  // The gateway's gRPC address, "host:port" (any gRPC target URI works).
  std::string target = "127.0.0.1:50051";
  // The app every request acts on; a request that sets its own app_id keeps it.
  std::string app_id;
  // The app's bearer token (its `grpc_token`). When empty, it is derived from `app_secret` with
  // DeriveControlToken. One of the two is required.
  std::string token;
  std::string app_secret;
  // Deadline of one unary call, retries and backoff included. WatchEvents has none.
  std::chrono::milliseconds deadline{5000};
  RetryPolicy retry;
  // Plain-text HTTP/2 when unset.
  std::optional<TlsOptions> tls;
};

// Ends one WatchEvents call from another thread. Pass it to WatchEvents; Cancel() then makes that
// call return CANCELLED, and if the watch has not started yet it returns CANCELLED as soon as it
// does (a cancellation is never lost to a race with the start). Cancel() and IsCancelled() may be
// called from any thread, any number of times, including from inside the event callback. One
// object serves one watch: once cancelled it stays cancelled. It must outlive the watch.
class WatchCancellation {
 public:
  WatchCancellation() = default;
  WatchCancellation(const WatchCancellation&) = delete;
  WatchCancellation& operator=(const WatchCancellation&) = delete;

  void Cancel();
  bool IsCancelled() const;

 private:
  friend class RealtimeClient;
  // False when already cancelled: the watch must not start.
  bool Attach(grpc::ClientContext* context);
  void Detach();

  mutable absl::Mutex mutex_;
  bool cancelled_ ABSL_GUARDED_BY(mutex_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mutex_) = nullptr;
};

// A blocking client of the gateway's realtime.v1 ControlPlane, for backend services: publish,
// authorize subscriptions, query channels and presence, act on signed-in users, watch events.
//
// Every call carries `authorization: Bearer <token>` and, when the request leaves app_id empty, the
// options' app_id. Results are the response message or an absl::Status with the gRPC code and
// message unchanged (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED, ...).
//
// Threads: every method may be called from any thread, concurrently; calls block the calling
// thread only (gRPC's own threads do the I/O). The client owns its channel; destroying it while a
// call is in progress on another thread is undefined, so end watches (WatchCancellation) and join
// callers first.
class RealtimeClient {
 public:
  using EventCallback = std::function<void(const realtime::v1::ChannelEvent&)>;

  // Reads the TLS files and opens a channel (connecting lazily, on the first call). Fails with
  // INVALID_ARGUMENT for missing app_id or credentials, NOT_FOUND for an unreadable TLS file.
  static absl::StatusOr<std::unique_ptr<RealtimeClient>> Create(RealtimeClientOptions options);
  // Over a channel the caller made (tests, custom channel arguments); `options.target` and
  // `options.tls` are then unused. Fails like Create for missing app_id or credentials.
  static absl::StatusOr<std::unique_ptr<RealtimeClient>> CreateWithChannel(
      std::shared_ptr<grpc::Channel> channel, RealtimeClientOptions options);

  RealtimeClient(const RealtimeClient&) = delete;
  RealtimeClient& operator=(const RealtimeClient&) = delete;

  absl::StatusOr<realtime::v1::PublishResponse> Publish(realtime::v1::PublishRequest request);
  absl::StatusOr<realtime::v1::PublishBatchResponse> PublishBatch(
      realtime::v1::PublishBatchRequest request);
  absl::StatusOr<realtime::v1::AuthorizeChannelResponse> AuthorizeChannel(
      realtime::v1::AuthorizeChannelRequest request);
  absl::StatusOr<realtime::v1::AuthenticateUserResponse> AuthenticateUser(
      realtime::v1::AuthenticateUserRequest request);
  absl::StatusOr<realtime::v1::GetChannelResponse> GetChannel(
      realtime::v1::GetChannelRequest request);
  absl::StatusOr<realtime::v1::ListChannelsResponse> ListChannels(
      realtime::v1::ListChannelsRequest request);
  absl::StatusOr<realtime::v1::ListPresenceMembersResponse> ListPresenceMembers(
      realtime::v1::ListPresenceMembersRequest request);
  absl::StatusOr<realtime::v1::TerminateUserConnectionsResponse> TerminateUserConnections(
      realtime::v1::TerminateUserConnectionsRequest request);
  absl::StatusOr<realtime::v1::SendToUserResponse> SendToUser(
      realtime::v1::SendToUserRequest request);

  // Streams the app's channel events, calling `on_event` on this thread for each, in order, until
  // the stream ends; returns how it ended: OK when the gateway closed it, CANCELLED after
  // `cancellation->Cancel()`, RESOURCE_EXHAUSTED after an OVERFLOW event, UNAVAILABLE when the
  // gateway drains or is unreachable (not retried: the caller decides whether to watch again and
  // that it missed events meanwhile). A slow callback backs up the stream and ends in OVERFLOW.
  absl::Status WatchEvents(realtime::v1::WatchEventsRequest request, const EventCallback& on_event,
                           WatchCancellation* cancellation = nullptr);

  const RealtimeClientOptions& options() const { return options_; }

 private:
  RealtimeClient(std::shared_ptr<grpc::Channel> channel, RealtimeClientOptions options,
                 std::string token);

  template <typename Request, typename Response>
  using UnaryRpc = grpc::Status (realtime::v1::ControlPlane::Stub::*)(grpc::ClientContext*,
                                                                      const Request&, Response*);

  void Prepare(grpc::ClientContext& context) const;
  // Fills in app_id, then runs `rpc` until it answers anything but UNAVAILABLE, the retries are
  // spent, or the next backoff would end past the call's deadline.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(Request request, UnaryRpc<Request, Response> rpc);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<realtime::v1::ControlPlane::Stub> stub_;
  const RealtimeClientOptions options_;
  const std::string authorization_;
};

// The absl::Status with the same code and message (codes are numbered alike).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace gw::client

#endif  // CLIENTS_CPP_REALTIME_CLIENT_H_
