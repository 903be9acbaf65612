#include "control/control_plane_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "control/grpc_server_span.h"
#include "control/grpc_status.h"
#include "control/later_reactor.h"
#include "control/publish_reactor.h"
#include "control/watch_stream.h"
#include "gateway/pusher/auth_payloads.h"
#include "gateway/pusher/channel_name.h"
#include "gateway/pusher/error_codes.h"
#include "gateway/pusher/signature.h"
#include "gateway/service/channel_queries.h"

namespace gw::control {
namespace {

namespace v1 = realtime::v1;

grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status answer = ToGrpcStatus(status);
  GrpcServerSpan::RecordStatus(answer);
  reactor->Finish(std::move(answer));
  return reactor;
}

// Answers a query from whichever thread has the answer (often after the handler returned), and
// ends its detached span.
void FinishLater(LaterReactor* reactor, tracing::Span& span, const absl::Status& status) {
  grpc::Status answer = ToGrpcStatus(status);
  GrpcServerSpan::RecordStatus(span, answer);
  span.End();
  reactor->Answer(std::move(answer));
}

constexpr std::string_view kService = "realtime.v1.ControlPlane";

void SetInfo(const core::ChannelCounts& counts, v1::ChannelInfo* info) {
  info->set_subscription_count(counts.subscription_count);
  if (counts.user_count) info->set_user_count(*counts.user_count);
}

std::vector<std::string> ToVector(const google::protobuf::RepeatedPtrField<std::string>& field) {
  return std::vector<std::string>(field.begin(), field.end());
}

}  // namespace

ControlPlaneService::ControlPlaneService(core::AppDirectory& apps, core::Cluster& cluster,
                                         service::EventPublisher& publisher,
                                         const std::atomic<bool>& draining)
    : apps_(apps),
      cluster_(cluster),
      publisher_(publisher),
      draining_(draining),
      authenticator_(apps) {}

ControlPlaneService::~ControlPlaneService() = default;

absl::StatusOr<core::AppState*> ControlPlaneService::Admit(grpc::CallbackServerContext* context,
                                                           std::string_view app_id) const {
  if (draining_.load()) return absl::UnavailableError("gateway is draining; retry elsewhere");
  std::string_view authorization;
  auto it = context->client_metadata().find("authorization");
  if (it != context->client_metadata().end()) {
    authorization = std::string_view(it->second.data(), it->second.size());
  }
  return authenticator_.Authenticate(authorization, app_id);
}

grpc::ServerUnaryReactor* ControlPlaneService::Publish(grpc::CallbackServerContext* context,
                                                       const v1::PublishRequest* request,
                                                       v1::PublishResponse* response) {
  GrpcServerSpan span(*context, kService, "Publish", request->app_id());
  auto app = Admit(context, request->app_id());
  if (!app.ok()) return Reply(context, app.status());
  service::PublishCommand command{request->name(), request->data(), ToVector(request->channels()),
                                  request->socket_id(), request->include_channel_info()};
  command.door = "grpc";
  auto receipt = publisher_.Publish(**app, command);
  if (!receipt.ok()) return Reply(context, receipt.status());
  return PublishReactor::AnswerWhenDelivered(
      **receipt, span.Detach(),
      [request, response](const std::vector<core::ChannelCounts>& counts) {
        if (!request->include_channel_info()) return;
        for (int i = 0; i < request->channels_size(); ++i) {
          SetInfo(counts[i], &(*response->mutable_channels())[request->channels(i)]);
        }
      });
}

grpc::ServerUnaryReactor* ControlPlaneService::PublishBatch(grpc::CallbackServerContext* context,
                                                            const v1::PublishBatchRequest* request,
                                                            v1::PublishBatchResponse* response) {
  GrpcServerSpan span(*context, kService, "PublishBatch", request->app_id());
  auto app = Admit(context, request->app_id());
  if (!app.ok()) return Reply(context, app.status());
  std::vector<service::PublishCommand> commands;
  for (const v1::BatchEvent& event : request->events()) {
    commands.push_back(service::PublishCommand{event.name(), event.data(), {event.channel()},
                                               event.socket_id(), event.include_channel_info()});
    commands.back().door = "grpc";
  }
  auto receipt = publisher_.PublishBatch(**app, commands, "events");
  if (!receipt.ok()) return Reply(context, receipt.status());
  return PublishReactor::AnswerWhenDelivered(
      **receipt, span.Detach(),
      [request, response](const std::vector<core::ChannelCounts>& counts) {
        for (int i = 0; i < request->events_size(); ++i) {
          v1::PublishBatchResponse::Result* result = response->add_results();
          if (request->events(i).include_channel_info()) SetInfo(counts[i], result->mutable_info());
        }
      });
}

grpc::ServerUnaryReactor* ControlPlaneService::AuthorizeChannel(
    grpc::CallbackServerContext* context, const v1::AuthorizeChannelRequest* request,
    v1::AuthorizeChannelResponse* response) {
  GrpcServerSpan span(*context, kService, "AuthorizeChannel", request->app_id());
  auto app = Admit(context, request->app_id());
  if (!app.ok()) return Reply(context, app.status());
  const core::App& config = (*app)->app();
  if (!service::IsValidSocketId(request->socket_id())) {
    return Reply(context, absl::InvalidArgumentError("socket_id: expected digits.digits"));
  }
  auto traits = pusher::ClassifyChannel(request->channel());
  if (!traits.ok()) {
    return Reply(context,
                 absl::InvalidArgumentError(absl::StrCat("channel: ", traits.status().message())));
  }
  if (!traits->RequiresAuth()) {
    return Reply(context, absl::InvalidArgumentError(
                              "channel: only private-, private-encrypted- and presence- channels "
                              "are authorized"));
  }
  std::string channel_data;
  if (traits->kind == pusher::ChannelKind::kPresence) {
    auto data = pusher::EncodePresenceChannelData(request->user_id(), request->user_info_json());
    if (!data.ok()) return Reply(context, data.status());
    channel_data = std::move(*data);
    response->set_channel_data(channel_data);
  }
  if (traits->kind == pusher::ChannelKind::kPrivateEncrypted) {
    if (config.encryption_master_key.empty()) {
      return Reply(context, absl::FailedPreconditionError(
                                "app has no encryption_master_key_base64 configured"));
    }
    response->set_shared_secret(
        pusher::EncryptedChannelSharedSecret(request->channel(), config.encryption_master_key));
  }
  response->set_auth(pusher::SignChannelAuth(config.key, config.secret, request->socket_id(),
                                             request->channel(), channel_data));
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ControlPlaneService::AuthenticateUser(
    grpc::CallbackServerContext* context, const v1::AuthenticateUserRequest* request,
    v1::AuthenticateUserResponse* response) {
  GrpcServerSpan span(*context, kService, "AuthenticateUser", request->app_id());
  auto app = Admit(context, request->app_id());
  if (!app.ok()) return Reply(context, app.status());
  if (!service::IsValidSocketId(request->socket_id())) {
    return Reply(context, absl::InvalidArgumentError("socket_id: expected digits.digits"));
  }
  auto user_data = pusher::EncodeUserData(request->user_id(), request->user_info_json(),
                                          ToVector(request->watchlist()));
  if (!user_data.ok()) return Reply(context, user_data.status());
  const core::App& config = (*app)->app();
  response->set_auth(
      pusher::SignUserAuth(config.key, config.secret, request->socket_id(), *user_data));
  response->set_user_data(std::move(*user_data));
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ControlPlaneService::GetChannel(grpc::CallbackServerContext* context,
                                                          const v1::GetChannelRequest* request,
                                                          v1::GetChannelResponse* response) {
  GrpcServerSpan span(*context, kService, "GetChannel", request->app_id());
  auto app = Admit(context, request->app_id());
  if (!app.ok()) return Reply(context, app.status());
  LaterReactor* reactor = LaterReactor::Create();
  service::ChannelQueries(cluster_).Get(**app, request->channel(), false,
                                        [reactor, response, span = span.Detach()](
                                            absl::StatusOr<core::ChannelCounts> counts) mutable {
                                          if (counts.ok()) {
                                            response->set_occupied(counts->subscription_count > 0);
                                            SetInfo(*counts, response->mutable_info());
                                          }
                                          FinishLater(reactor, span, counts.status());
                                        });
  return reactor;
}

grpc::ServerUnaryReactor* ControlPlaneService::ListChannels(grpc::CallbackServerContext* context,
                                                            const v1::ListChannelsRequest* request,
                                                            v1::ListChannelsResponse* response) {
  GrpcServerSpan span(*context, kService, "ListChannels", request->app_id());
  auto app = Admit(context, request->app_id());
  if (!app.ok()) return Reply(context, app.status());
  LaterReactor* reactor = LaterReactor::Create();
  service::ChannelQueries(cluster_).List(
      **app, request->prefix(), false,
      [reactor, response, span = span.Detach()](
          absl::StatusOr<std::vector<std::pair<std::string, core::ChannelCounts>>>
              channels) mutable {
        if (channels.ok()) {
          for (const auto& [name, counts] : *channels) {
            SetInfo(counts, &(*response->mutable_channels())[name]);
          }
        }
        FinishLater(reactor, span, channels.status());
      });
  return reactor;
}

grpc::ServerUnaryReactor* ControlPlaneService::ListPresenceMembers(
    grpc::CallbackServerContext* context, const v1::ListPresenceMembersRequest* request,
    v1::ListPresenceMembersResponse* response) {
  GrpcServerSpan span(*context, kService, "ListPresenceMembers", request->app_id());
  auto app = Admit(context, request->app_id());
  if (!app.ok()) return Reply(context, app.status());
  LaterReactor* reactor = LaterReactor::Create();
  service::ChannelQueries(cluster_).Members(
      **app, request->channel(),
      [reactor, response, span = span.Detach()](
          absl::StatusOr<std::vector<core::PresenceRoster::Member>> members) mutable {
        if (members.ok()) {
          for (const auto& member : *members) {
            v1::PresenceMember* out = response->add_members();
            out->set_user_id(member.user_id);
            out->set_user_info_json(member.user_info);
          }
        }
        FinishLater(reactor, span, members.status());
      });
  return reactor;
}

grpc::ServerUnaryReactor* ControlPlaneService::TerminateUserConnections(
    grpc::CallbackServerContext* context, const v1::TerminateUserConnectionsRequest* request,
    v1::TerminateUserConnectionsResponse* response) {
  GrpcServerSpan span(*context, kService, "TerminateUserConnections", request->app_id());
  auto app = Admit(context, request->app_id());
  if (!app.ok()) return Reply(context, app.status());
  if (request->user_id().empty()) {
    return Reply(context, absl::InvalidArgumentError("user_id: required"));
  }
  cluster_.DisconnectUser(**app, request->user_id(), pusher::kUnauthorized,
                          "Connection terminated by the app");
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ControlPlaneService::SendToUser(grpc::CallbackServerContext* context,
                                                          const v1::SendToUserRequest* request,
                                                          v1::SendToUserResponse* response) {
  GrpcServerSpan span(*context, kService, "SendToUser", request->app_id());
  auto app = Admit(context, request->app_id());
  if (!app.ok()) return Reply(context, app.status());
  if (request->user_id().empty()) {
    return Reply(context, absl::InvalidArgumentError("user_id: required"));
  }
  service::PublishCommand command{
      request->name(), request->data(), {absl::StrCat("#server-to-user-", request->user_id())}, ""};
  command.door = "grpc";
  auto receipt = publisher_.Publish(**app, command);
  if (!receipt.ok()) return Reply(context, receipt.status());
  return PublishReactor::AnswerWhenDelivered(**receipt, span.Detach(),
                                             [](const std::vector<core::ChannelCounts>&) {});
}

grpc::ServerWriteReactor<v1::ChannelEvent>* ControlPlaneService::WatchEvents(
    grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) {
  auto app = Admit(context, request->app_id());
  auto* stream =
      new WatchStream(*this, app.ok() ? *app : nullptr, *request, WatchStream::kDefaultCapacity);
  {
    absl::MutexLock lock(&watches_mu_);
    watches_.insert(stream);
  }
  if (!app.ok()) stream->End(ToGrpcStatus(app.status()));
  return stream;
}

void ControlPlaneService::EndWatches() {
  absl::MutexLock lock(&watches_mu_);
  for (WatchStream* stream : watches_) {
    stream->End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "gateway is draining"));
  }
}

void ControlPlaneService::Forget(WatchStream* stream) {
  absl::MutexLock lock(&watches_mu_);
  watches_.erase(stream);
}

}  // namespace gw::control
