#include "gateway/edge/pusher_http_api.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gateway/pusher/error_codes.h"
#include "gateway/pusher/http_api_codec.h"
#include "gateway/pusher/http_signature.h"
#include "gateway/service/channel_queries.h"
#include "gateway/service/event_publisher.h"

namespace gw::edge {
namespace {

namespace http = boost::beast::http;

enum class Route { kEvents, kBatchEvents, kChannels, kChannel, kChannelUsers, kTerminateUser };

std::string QueryValue(const std::vector<std::pair<std::string, std::string>>& query,
                       std::string_view key) {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return "";
}

HttpResponse StatusResponse(const absl::Status& status, unsigned version) {
  HttpResponse response =
      ErrorResponse(HttpStatusFor(status), std::string(status.message()), version);
  // Unavailable is a publish refused while the shards catch up: worth retrying in a moment.
  if (absl::IsUnavailable(status)) response.set(http::field::retry_after, "1");
  return response;
}

service::PublishCommand ToCommand(pusher::TriggerRequest&& trigger) {
  const bool want_counts = trigger.info.subscription_count || trigger.info.user_count;
  return service::PublishCommand{std::move(trigger.name), std::move(trigger.data),
                                 std::move(trigger.channels), trigger.socket_id.value_or(""),
                                 want_counts};
}

pusher::ChannelCounts ToWire(const core::ChannelCounts& counts) {
  return pusher::ChannelCounts{counts.subscription_count, counts.user_count};
}

// Answers with `make(result)` once the cluster has answered, or with the error it gave.
template <typename T, typename Make>
HttpAnswer Later(unsigned version, Make make,
                 absl::AnyInvocable<void(absl::AnyInvocable<void(absl::StatusOr<T>) &&>) &&> ask) {
  HttpAnswer answer;
  answer.later = [version, make = std::move(make),
                  ask = std::move(ask)](HttpResponder respond) mutable {
    std::move(ask)([version, make = std::move(make),
                    respond = std::move(respond)](absl::StatusOr<T> result) mutable {
      if (!result.ok()) return std::move(respond)(StatusResponse(result.status(), version));
      std::move(respond)(make(*result));
    });
  };
  return answer;
}

HttpAnswer Trigger(EdgeContext& context, core::AppState& app, std::string_view body,
                   unsigned version) {
  auto trigger = pusher::ParseTriggerBody(body);
  if (!trigger.ok()) return {StatusResponse(trigger.status(), version)};
  const pusher::InfoRequest info = trigger->info;
  service::PublishCommand command = ToCommand(std::move(*trigger));
  auto receipt = context.publisher.Publish(app, command);
  if (!receipt.ok()) return {StatusResponse(receipt.status(), version)};
  HttpAnswer answer;
  answer.later = [receipt = std::move(*receipt), info, version,
                  channels = std::move(command.channels)](HttpResponder respond) mutable {
    receipt->Then([info, version, channels = std::move(channels),
                   respond = std::move(respond)](std::vector<core::ChannelCounts> counts) mutable {
      std::vector<std::pair<std::string, pusher::ChannelCounts>> wire;
      for (size_t i = 0; i < channels.size(); ++i) {
        wire.emplace_back(std::move(channels[i]), ToWire(counts[i]));
      }
      std::move(respond)(
          JsonResponse(http::status::ok, pusher::EncodeTriggerResponse(info, wire), version));
    });
  };
  return answer;
}

HttpAnswer TriggerBatch(EdgeContext& context, core::AppState& app, std::string_view body,
                        unsigned version) {
  auto batch = pusher::ParseBatchBody(body);
  if (!batch.ok()) return {StatusResponse(batch.status(), version)};
  std::vector<pusher::InfoRequest> infos;
  std::vector<service::PublishCommand> commands;
  for (pusher::TriggerRequest& trigger : *batch) {
    infos.push_back(trigger.info);
    commands.push_back(ToCommand(std::move(trigger)));
  }
  auto receipt = context.publisher.PublishBatch(app, commands, "batch");
  if (!receipt.ok()) return {StatusResponse(receipt.status(), version)};
  HttpAnswer answer;
  answer.later = [receipt = std::move(*receipt), infos = std::move(infos),
                  version](HttpResponder respond) mutable {
    receipt->Then([infos = std::move(infos), version,
                   respond = std::move(respond)](std::vector<core::ChannelCounts> counts) mutable {
      std::vector<pusher::ChannelCounts> wire;
      for (const core::ChannelCounts& c : counts) wire.push_back(ToWire(c));
      std::move(respond)(
          JsonResponse(http::status::ok, pusher::EncodeBatchResponse(infos, wire), version));
    });
  };
  return answer;
}

HttpAnswer Channels(EdgeContext& context, core::AppState& app,
                    const std::vector<std::pair<std::string, std::string>>& query,
                    unsigned version) {
  const pusher::InfoRequest info = pusher::ParseInfo(QueryValue(query, "info"));
  using Listed = std::vector<std::pair<std::string, core::ChannelCounts>>;
  return Later<Listed>(
      version,
      [info, version](const Listed& channels) {
        std::vector<std::pair<std::string, pusher::ChannelCounts>> wire;
        for (const auto& [name, counts] : channels) wire.emplace_back(name, ToWire(counts));
        return JsonResponse(http::status::ok, pusher::EncodeChannelsResponse(info, wire), version);
      },
      [&context, &app, prefix = QueryValue(query, "filter_by_prefix"), info](auto done) {
        service::ChannelQueries(context.cluster)
            .List(app, prefix, info.user_count, std::move(done));
      });
}

HttpAnswer Channel(EdgeContext& context, core::AppState& app, std::string_view channel,
                   const std::vector<std::pair<std::string, std::string>>& query,
                   unsigned version) {
  const pusher::InfoRequest info = pusher::ParseInfo(QueryValue(query, "info"));
  return Later<core::ChannelCounts>(
      version,
      [info, version](const core::ChannelCounts& counts) {
        return JsonResponse(http::status::ok, pusher::EncodeChannelResponse(info, ToWire(counts)),
                            version);
      },
      [&context, &app, channel = std::string(channel), info](auto done) {
        service::ChannelQueries(context.cluster)
            .Get(app, channel, info.user_count, std::move(done));
      });
}

HttpAnswer ChannelUsers(EdgeContext& context, core::AppState& app, std::string_view channel,
                        unsigned version) {
  using Members = std::vector<core::PresenceRoster::Member>;
  return Later<Members>(
      version,
      [version](const Members& members) {
        std::vector<std::string> ids;
        ids.reserve(members.size());
        for (const auto& member : members) ids.push_back(member.user_id);
        return JsonResponse(http::status::ok, pusher::EncodeUsersResponse(ids), version);
      },
      [&context, &app, channel = std::string(channel)](auto done) {
        service::ChannelQueries(context.cluster).Members(app, channel, std::move(done));
      });
}

HttpResponse TerminateUser(EdgeContext& context, core::AppState& app, std::string_view user_id,
                           unsigned version) {
  if (user_id.empty()) return ErrorResponse(http::status::bad_request, "user id is empty", version);
  // 4009: pusher-js does not reconnect on its own; the app decides whether the user comes back.
  context.cluster.DisconnectUser(app, user_id, pusher::kUnauthorized,
                                 "Connection terminated by the app");
  return JsonResponse(http::status::ok, "{}", version);
}

}  // namespace

HttpAnswer HandlePusherApi(EdgeContext& context, const HttpRequest& request,
                           const boost::urls::url_view& url) {
  const unsigned version = request.version();
  std::vector<std::string> segments;
  for (auto segment : url.segments()) segments.emplace_back(segment);

  // segments: "apps", app_id, ...
  Route route;
  http::verb method = http::verb::get;
  if (segments.size() == 3 && segments[2] == "events") {
    route = Route::kEvents;
    method = http::verb::post;
  } else if (segments.size() == 3 && segments[2] == "batch_events") {
    route = Route::kBatchEvents;
    method = http::verb::post;
  } else if (segments.size() == 3 && segments[2] == "channels") {
    route = Route::kChannels;
  } else if (segments.size() == 4 && segments[2] == "channels") {
    route = Route::kChannel;
  } else if (segments.size() == 5 && segments[2] == "channels" && segments[4] == "users") {
    route = Route::kChannelUsers;
  } else if (segments.size() == 5 && segments[2] == "users" &&
             segments[4] == "terminate_connections") {
    route = Route::kTerminateUser;
    method = http::verb::post;
  } else {
    return {ErrorResponse(http::status::not_found, "no such endpoint", version)};
  }
  if (request.method() != method) {
    return {ErrorResponse(http::status::method_not_allowed,
                          method == http::verb::post ? "use POST" : "use GET", version)};
  }
  core::AppState* app = context.apps.FindById(segments[1]);
  if (app == nullptr) return {ErrorResponse(http::status::not_found, "app not found", version)};

  pusher::HttpApiRequest signed_request;
  signed_request.method = std::string(request.method_string());
  signed_request.path = std::string(url.encoded_path());
  for (auto param : url.params()) {
    signed_request.query.emplace_back(param.key, param.has_value ? param.value : "");
  }
  signed_request.body = request.body();
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  absl::Status verified =
      pusher::VerifyHttpApiRequest(signed_request, app->app().key, app->app().secret, now);
  if (!verified.ok()) {
    // SDKs sign the path as they send it; one that percent-encodes a channel name in the path
    // may have signed the decoded form instead.
    std::string decoded = url.path();
    if (decoded != signed_request.path) {
      signed_request.path = std::move(decoded);
      if (pusher::VerifyHttpApiRequest(signed_request, app->app().key, app->app().secret, now)
              .ok()) {
        verified = absl::OkStatus();
      }
    }
  }
  if (!verified.ok()) return {StatusResponse(verified, version)};
  if (!app->app().enabled) {
    return {ErrorResponse(http::status::forbidden, "app is disabled", version)};
  }

  switch (route) {
    case Route::kEvents:
      return Trigger(context, *app, request.body(), version);
    case Route::kBatchEvents:
      return TriggerBatch(context, *app, request.body(), version);
    case Route::kChannels:
      return Channels(context, *app, signed_request.query, version);
    case Route::kChannel:
      return Channel(context, *app, segments[3], signed_request.query, version);
    case Route::kChannelUsers:
      return ChannelUsers(context, *app, segments[3], version);
    case Route::kTerminateUser:
      return {TerminateUser(context, *app, segments[3], version)};
  }
  return {ErrorResponse(http::status::not_found, "no such endpoint", version)};
}

}  // namespace gw::edge
