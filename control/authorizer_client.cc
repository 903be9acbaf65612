#include "control/authorizer_client.h"

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gateway/observability/tracer.h"
#include "gateway/pusher/channel_name.h"

namespace gw::control {
namespace {

// Everything one call needs, alive until its callback runs.
struct Call {
  grpc::ClientContext context;
  realtime::v1::AuthorizeRequest request;
  realtime::v1::AuthorizeResponse response;
  absl::AnyInvocable<void(core::AuthorizationVerdict) &&> done;
  tracing::Span span;
};

// The CLIENT span of one Authorize call, a child of this thread's current span (if any), whose
// context travels to the backend as `traceparent` / `tracestate` metadata.
void StartSpan(Call& call, const core::AuthorizerSettings& settings,
               const core::AuthorizationRequest& request) {
  tracing::Tracer& tracer = tracing::GlobalTracer();
  if (!tracer.enabled()) return;
  call.span =
      tracer.StartSpan("realtime.v1.ChannelAuthorizer/Authorize", tracing::SpanKind::kClient);
  call.context.AddMetadata("traceparent", tracing::FormatTraceparent(call.span.context()));
  if (!call.span.context().trace_state.empty()) {
    call.context.AddMetadata("tracestate", call.span.context().trace_state);
  }
  if (!call.span.recording()) return;
  call.span.SetAttribute("rpc.system", "grpc");
  call.span.SetAttribute("rpc.service", "realtime.v1.ChannelAuthorizer");
  call.span.SetAttribute("rpc.method", "Authorize");
  // "host:port" as configured; other gRPC target forms go whole into server.address.
  const std::string_view target = settings.target;
  const size_t colon = target.rfind(':');
  uint32_t port = 0;
  if (colon != std::string_view::npos && target.find('/') == std::string_view::npos &&
      absl::SimpleAtoi(absl::string_view(target.data() + colon + 1, target.size() - colon - 1),
                       &port)) {
    call.span.SetAttribute("server.address", target.substr(0, colon));
    call.span.SetAttribute("server.port", port);
  } else {
    call.span.SetAttribute("server.address", target);
  }
  call.span.SetAttribute("realtime.app_id", request.app_id);
  call.span.SetAttribute("realtime.channel.template", pusher::ChannelTemplate(request.channel));
}

std::string_view OutcomeName(core::AuthorizationVerdict::Outcome outcome) {
  switch (outcome) {
    case core::AuthorizationVerdict::Outcome::kAllow: return "allow";
    case core::AuthorizationVerdict::Outcome::kDeny: return "deny";
    case core::AuthorizationVerdict::Outcome::kUnavailable: return "unavailable";
  }
  return "unavailable";
}

void EndSpan(Call& call, const grpc::Status& status, core::AuthorizationVerdict::Outcome outcome) {
  call.span.SetAttribute("rpc.grpc.status_code", static_cast<int>(status.error_code()));
  call.span.SetAttribute("realtime.authorization.outcome", OutcomeName(outcome));
  if (!status.ok()) call.span.SetStatus(tracing::SpanStatus::kError, status.error_message());
  call.span.End();
}

void CopyPairs(const std::vector<std::pair<std::string, std::string>>& pairs,
               google::protobuf::Map<std::string, std::string>* out) {
  for (const auto& [key, value] : pairs) (*out)[key] = value;
}

}  // namespace

AuthorizerClient::~AuthorizerClient() {
  std::vector<std::shared_ptr<grpc::ClientContext>> contexts;
  {
    absl::MutexLock lock(&shared_->mu);
    for (const auto& [call, context] : shared_->in_flight) {
      if (auto held = context.lock()) contexts.push_back(std::move(held));
    }
  }
  // Unlocked: a cancelled call's callback may run on this very thread, and it locks `mu`.
  for (const auto& context : contexts) context->TryCancel();
  absl::MutexLock lock(&shared_->mu);
  shared_->mu.Await(absl::Condition(
      +[](Shared* shared) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared->mu) {
        return shared->in_flight.empty();
      },
      shared_.get()));
}

realtime::v1::ChannelAuthorizer::Stub* AuthorizerClient::StubFor(const std::string& target) {
  absl::MutexLock lock(&mu_);
  auto& stub = stubs_[target];
  if (stub == nullptr) {
    stub = realtime::v1::ChannelAuthorizer::NewStub(
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  }
  return stub.get();
}

void AuthorizerClient::Authorize(const core::AuthorizerSettings& settings,
                                 core::AuthorizationRequest request,
                                 absl::AnyInvocable<void(core::AuthorizationVerdict) &&> done) {
  auto call = std::make_shared<Call>();
  call->done = std::move(done);
  call->context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::milliseconds(settings.timeout_ms));
  realtime::v1::AuthorizeRequest& out = call->request;
  out.set_app_id(request.app_id);
  out.set_socket_id(request.socket_id);
  out.set_channel(request.channel);
  realtime::v1::ConnectionContext* connection = out.mutable_connection();
  connection->set_remote_address(request.remote_address);
  connection->set_signed_in_user_id(request.signed_in_user_id);
  CopyPairs(request.headers, connection->mutable_headers());
  CopyPairs(request.cookies, connection->mutable_cookies());
  CopyPairs(request.query, connection->mutable_query());
  StartSpan(*call, settings, request);
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->in_flight.emplace(call.get(),
                               std::shared_ptr<grpc::ClientContext>(call, &call->context));
  }
  StubFor(settings.target)
      ->async()
      ->Authorize(&call->context, &call->request, &call->response,
                  [shared = shared_, call](grpc::Status status) {
                    Counters* counters = &shared->counters;
                    core::AuthorizationVerdict verdict;
                    if (!status.ok()) {
                      counters->failed.fetch_add(1, std::memory_order_relaxed);
                      verdict.outcome = core::AuthorizationVerdict::Outcome::kUnavailable;
                      verdict.reason = absl::StrCat("authorizer unavailable: ",
                                                    status.error_message());
                    } else if (call->response.allow()) {
                      counters->allowed.fetch_add(1, std::memory_order_relaxed);
                      verdict.outcome = core::AuthorizationVerdict::Outcome::kAllow;
                      verdict.user_id = call->response.user_id();
                      verdict.user_info_json = call->response.user_info_json();
                    } else {
                      counters->denied.fetch_add(1, std::memory_order_relaxed);
                      verdict.outcome = core::AuthorizationVerdict::Outcome::kDeny;
                      verdict.reason = call->response.deny_reason().empty()
                                           ? "denied by the authorizer"
                                           : call->response.deny_reason();
                    }
                    EndSpan(*call, status, verdict.outcome);
                    std::move(call->done)(std::move(verdict));
                    absl::MutexLock lock(&shared->mu);
                    shared->in_flight.erase(call.get());
                  });
}

}  // namespace gw::control
