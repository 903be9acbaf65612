#include "clients/cpp/realtime_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/cpp/control_token.h"

namespace gw::client {
namespace {

namespace v1 = ::realtime::v1;

// Pings on a quiet watch stream keep NATs and proxies from dropping it; the gateway allows a ping
// every 5 s.
constexpr int kKeepaliveMs = 30000;

absl::StatusOr<std::string> ReadPemFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeCredentials(
    const std::optional<TlsOptions>& tls) {
  if (!tls.has_value()) return grpc::InsecureChannelCredentials();
  if (tls->cert_chain_file.empty() != tls->private_key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS client certificate and private key must be given together");
  }
  grpc::SslCredentialsOptions ssl;
  if (!tls->root_ca_file.empty()) {
    absl::StatusOr<std::string> roots = ReadPemFile(tls->root_ca_file, "root CA file");
    if (!roots.ok()) return roots.status();
    ssl.pem_root_certs = *std::move(roots);
  }
  if (!tls->cert_chain_file.empty()) {
    absl::StatusOr<std::string> chain = ReadPemFile(tls->cert_chain_file, "certificate file");
    if (!chain.ok()) return chain.status();
    absl::StatusOr<std::string> key = ReadPemFile(tls->private_key_file, "private key file");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(chain);
    ssl.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(ssl);
}

absl::StatusOr<std::string> ResolveToken(const RealtimeClientOptions& options) {
  if (options.app_id.empty()) return absl::InvalidArgumentError("app_id is required");
  if (!options.token.empty()) return options.token;
  if (!options.app_secret.empty()) return DeriveControlToken(options.app_secret);
  return absl::InvalidArgumentError("a token or the app secret is required");
}

std::chrono::milliseconds Jittered(std::chrono::milliseconds bound) {
  thread_local std::mt19937 random{std::random_device{}()};
  const int64_t high = std::max<int64_t>(bound.count(), 0);
  std::uniform_int_distribution<int64_t> pick(high / 2, high);
  return std::chrono::milliseconds(pick(random));
}

template <typename Request>
void FillAppId(Request& request, const std::string& app_id) {
  if (request.app_id().empty()) request.set_app_id(app_id);
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::chrono::milliseconds RetryPolicy::BackoffBefore(int retry) const {
  std::chrono::milliseconds delay = initial_backoff;
  for (int i = 1; i < retry && delay < max_backoff; ++i) delay *= 2;
  return std::min(delay, max_backoff);
}

void WatchCancellation::Cancel() {
  absl::MutexLock lock(&mutex_);
  cancelled_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

bool WatchCancellation::IsCancelled() const {
  absl::MutexLock lock(&mutex_);
  return cancelled_;
}

bool WatchCancellation::Attach(grpc::ClientContext* context) {
  absl::MutexLock lock(&mutex_);
  if (cancelled_) return false;
  context_ = context;
  return true;
}

void WatchCancellation::Detach() {
  absl::MutexLock lock(&mutex_);
  context_ = nullptr;
}

absl::StatusOr<std::unique_ptr<RealtimeClient>> RealtimeClient::Create(
    RealtimeClientOptions options) {
  absl::StatusOr<std::string> token = ResolveToken(options);
  if (!token.ok()) return token.status();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeCredentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveMs);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.target, *credentials, arguments);
  return std::unique_ptr<RealtimeClient>(
      new RealtimeClient(std::move(channel), std::move(options), *std::move(token)));
}

absl::StatusOr<std::unique_ptr<RealtimeClient>> RealtimeClient::CreateWithChannel(
    std::shared_ptr<grpc::Channel> channel, RealtimeClientOptions options) {
  absl::StatusOr<std::string> token = ResolveToken(options);
  if (!token.ok()) return token.status();
  return std::unique_ptr<RealtimeClient>(
      new RealtimeClient(std::move(channel), std::move(options), *std::move(token)));
}

RealtimeClient::RealtimeClient(std::shared_ptr<grpc::Channel> channel,
                               RealtimeClientOptions options, std::string token)
    : channel_(std::move(channel)),
      stub_(v1::ControlPlane::NewStub(channel_)),
      options_(std::move(options)),
      authorization_(absl::StrCat("Bearer ", token)) {}

void RealtimeClient::Prepare(grpc::ClientContext& context) const {
  context.AddMetadata("authorization", authorization_);
}

template <typename Request, typename Response>
absl::StatusOr<Response> RealtimeClient::Call(Request request, UnaryRpc<Request, Response> rpc) {
  FillAppId(request, options_.app_id);
  const auto deadline = std::chrono::system_clock::now() + options_.deadline;
  for (int retry = 0;; ++retry) {
    grpc::ClientContext context;
    Prepare(context);
    context.set_deadline(deadline);
    Response response;
    const grpc::Status status = (stub_.get()->*rpc)(&context, request, &response);
    if (status.ok()) return response;
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        retry >= options_.retry.max_retries) {
      return FromGrpcStatus(status);
    }
    const std::chrono::milliseconds wait = Jittered(options_.retry.BackoffBefore(retry + 1));
    // Waiting past the deadline would only turn a meaningful UNAVAILABLE into DEADLINE_EXCEEDED.
    if (std::chrono::system_clock::now() + wait >= deadline) return FromGrpcStatus(status);
    std::this_thread::sleep_for(wait);
  }
}

absl::StatusOr<v1::PublishResponse> RealtimeClient::Publish(v1::PublishRequest request) {
  return Call(std::move(request), &v1::ControlPlane::Stub::Publish);
}

absl::StatusOr<v1::PublishBatchResponse> RealtimeClient::PublishBatch(
    v1::PublishBatchRequest request) {
  return Call(std::move(request), &v1::ControlPlane::Stub::PublishBatch);
}

absl::StatusOr<v1::AuthorizeChannelResponse> RealtimeClient::AuthorizeChannel(
    v1::AuthorizeChannelRequest request) {
  return Call(std::move(request), &v1::ControlPlane::Stub::AuthorizeChannel);
}

absl::StatusOr<v1::AuthenticateUserResponse> RealtimeClient::AuthenticateUser(
    v1::AuthenticateUserRequest request) {
  return Call(std::move(request), &v1::ControlPlane::Stub::AuthenticateUser);
}

absl::StatusOr<v1::GetChannelResponse> RealtimeClient::GetChannel(v1::GetChannelRequest request) {
  return Call(std::move(request), &v1::ControlPlane::Stub::GetChannel);
}

absl::StatusOr<v1::ListChannelsResponse> RealtimeClient::ListChannels(
    v1::ListChannelsRequest request) {
  return Call(std::move(request), &v1::ControlPlane::Stub::ListChannels);
}

absl::StatusOr<v1::ListPresenceMembersResponse> RealtimeClient::ListPresenceMembers(
    v1::ListPresenceMembersRequest request) {
  return Call(std::move(request), &v1::ControlPlane::Stub::ListPresenceMembers);
}

absl::StatusOr<v1::TerminateUserConnectionsResponse> RealtimeClient::TerminateUserConnections(
    v1::TerminateUserConnectionsRequest request) {
  return Call(std::move(request), &v1::ControlPlane::Stub::TerminateUserConnections);
}

absl::StatusOr<v1::SendToUserResponse> RealtimeClient::SendToUser(v1::SendToUserRequest request) {
  return Call(std::move(request), &v1::ControlPlane::Stub::SendToUser);
}

absl::Status RealtimeClient::WatchEvents(v1::WatchEventsRequest request,
                                         const EventCallback& on_event,
                                         WatchCancellation* cancellation) {
  FillAppId(request, options_.app_id);
  grpc::ClientContext context;
  Prepare(context);
  if (cancellation != nullptr && !cancellation->Attach(&context)) {
    return absl::CancelledError("watch cancelled");
  }
  std::unique_ptr<grpc::ClientReader<v1::ChannelEvent>> reader =
      stub_->WatchEvents(&context, request);
  v1::ChannelEvent event;
  while (reader->Read(&event)) on_event(event);
  const grpc::Status status = reader->Finish();
  if (cancellation != nullptr) cancellation->Detach();
  return FromGrpcStatus(status);
}

}  // namespace gw::client
