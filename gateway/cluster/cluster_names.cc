#include "gateway/cluster/cluster_names.h"

#include "absl/strings/str_cat.h"

namespace gw::cluster {
namespace {

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

std::string ClusterNames::AppPrefix(std::string_view app) const {
  return absl::StrCat(prefix_, ":a", app.size(), ":", Sv(app), ":");
}

std::string ClusterNames::Nodes() const { return absl::StrCat(prefix_, ":nodes"); }
std::string ClusterNames::Node(std::string_view node_id) const {
  return absl::StrCat(prefix_, ":node:", Sv(node_id));
}
std::string ClusterNames::Acks(std::string_view node) const {
  return absl::StrCat(prefix_, ":acks:", Sv(node));
}
std::string ClusterNames::Epoch() const { return absl::StrCat(prefix_, ":epoch"); }
std::string ClusterNames::WebhookLeader() const {
  return absl::StrCat(prefix_, ":webhook-leader");
}

std::string ClusterNames::Counts(std::string_view app) const {
  return absl::StrCat(AppPrefix(app), "counts");
}
std::string ClusterNames::Occupied(std::string_view app) const {
  return absl::StrCat(AppPrefix(app), "occupied");
}
std::string ClusterNames::Online(std::string_view app) const {
  return absl::StrCat(AppPrefix(app), "online");
}
std::string ClusterNames::Connections(std::string_view app) const {
  return absl::StrCat(AppPrefix(app), "connections");
}
std::string ClusterNames::Figures(std::string_view app) const {
  return absl::StrCat(AppPrefix(app), "figures");
}
std::string ClusterNames::Events(std::string_view app) const {
  return absl::StrCat(AppPrefix(app), "events");
}
std::string ClusterNames::WebhookEvents(std::string_view app) const {
  return absl::StrCat(AppPrefix(app), "webhook-events");
}
std::string ClusterNames::WebhookCursor(std::string_view app) const {
  return absl::StrCat(AppPrefix(app), "webhook-cursor");
}
std::string ClusterNames::Roster(std::string_view app, std::string_view channel) const {
  return absl::StrCat(AppPrefix(app), "roster:", Sv(channel));
}
std::string ClusterNames::RosterConnections(std::string_view app,
                                            std::string_view channel) const {
  return absl::StrCat(AppPrefix(app), "roster-connections:", Sv(channel));
}
std::string ClusterNames::RosterVersion(std::string_view app, std::string_view channel) const {
  return absl::StrCat(AppPrefix(app), "roster-version:", Sv(channel));
}
std::string ClusterNames::Cache(std::string_view app, std::string_view channel) const {
  return absl::StrCat(AppPrefix(app), "cache:", Sv(channel));
}
std::string ClusterNames::Traffic(std::string_view app, std::string_view channel) const {
  return absl::StrCat(AppPrefix(app), "c:", Sv(channel));
}
std::string ClusterNames::User(std::string_view app, std::string_view user) const {
  return absl::StrCat(AppPrefix(app), "u:", Sv(user));
}

}  // namespace gw::cluster
