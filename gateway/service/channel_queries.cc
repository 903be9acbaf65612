#include "gateway/service/channel_queries.h"

#include <utility>

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

void ChannelQueries::List(core::AppState& app, std::string_view prefix, bool want_user_count,
                          core::Cluster::ChannelsDone done) const {
  if (want_user_count && !prefix.starts_with("presence-")) {
    return std::move(done)(absl::InvalidArgumentError(
        "info=user_count is only allowed with filter_by_prefix=presence-"));
  }
  cluster_.ListChannels(app, prefix, std::move(done));
}

void ChannelQueries::Get(core::AppState& app, std::string_view channel, bool want_user_count,
                         core::Cluster::CountsDone done) const {
  auto traits = Classify(channel);
  if (!traits.ok()) return std::move(done)(traits.status());
  const bool presence = traits->kind == pusher::ChannelKind::kPresence;
  if (want_user_count && !presence) {
    return std::move(done)(absl::InvalidArgumentError(
        "info=user_count is only allowed for presence channels (channel is not presence-)"));
  }
  cluster_.FindChannel(
      app, channel,
      [presence, done = std::move(done)](absl::StatusOr<core::ChannelCounts> counts) mutable {
        if (counts.ok() && presence && !counts->user_count) counts->user_count = 0;
        std::move(done)(std::move(counts));
      });
}

void ChannelQueries::Members(core::AppState& app, std::string_view channel,
                             core::Cluster::MembersDone done) const {
  auto traits = Classify(channel);
  if (!traits.ok()) return std::move(done)(traits.status());
  if (traits->kind != pusher::ChannelKind::kPresence) {
    return std::move(done)(
        absl::InvalidArgumentError("channel: users are only available for presence channels"));
  }
  cluster_.PresenceMembers(app, channel, std::move(done));
}

}  // namespace gw::service
