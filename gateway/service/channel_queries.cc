#include "gateway/service/channel_queries.h"

#include "absl/strings/str_cat.h"
#include "gateway/pusher/channel_name.h"

namespace gw::service {
namespace {

absl::StatusOr<pusher::ChannelTraits> Classify(std::string_view channel) {
  auto traits = pusher::ClassifyChannel(channel);
  if (!traits.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("channel '", std::string(channel), "': ", traits.status().message()));
  }
  return traits;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, core::ChannelCounts>>> ChannelQueries::List(
    const core::AppState& app, std::string_view prefix, bool want_user_count) {
  if (want_user_count && !prefix.starts_with("presence-")) {
    return absl::InvalidArgumentError(
        "info=user_count is only allowed with filter_by_prefix=presence-");
  }
  return app.channels().List(prefix);
}

absl::StatusOr<core::ChannelCounts> ChannelQueries::Get(const core::AppState& app,
                                                        std::string_view channel,
                                                        bool want_user_count) {
  auto traits = Classify(channel);
  if (!traits.ok()) return traits.status();
  if (want_user_count && traits->kind != pusher::ChannelKind::kPresence) {
    return absl::InvalidArgumentError("info=user_count is only allowed for presence channels (channel is not presence-)");
  }
  core::ChannelCounts counts = app.channels().Find(channel).value_or(core::ChannelCounts{});
  if (traits->kind == pusher::ChannelKind::kPresence && !counts.user_count) counts.user_count = 0;
  return counts;
}

absl::StatusOr<std::vector<std::string>> ChannelQueries::Users(const core::AppState& app,
                                                               std::string_view channel) {
  auto traits = Classify(channel);
  if (!traits.ok()) return traits.status();
  if (traits->kind != pusher::ChannelKind::kPresence) {
    return absl::InvalidArgumentError("channel: users are only available for presence channels");
  }
  return app.channels().PresenceUserIds(channel);
}

}  // namespace gw::service
