#include "gateway/webhooks/webhook_payload.h"

#include <array>
#include <boost/json.hpp>
#include <utility>

namespace gw::webhooks {
namespace {

namespace json = boost::json;
using Kind = core::ChannelEvent::Kind;

constexpr std::array<std::pair<Kind, std::string_view>, 7> kNames = {{
    {Kind::kChannelOccupied, "channel_occupied"},
    {Kind::kChannelVacated, "channel_vacated"},
    {Kind::kMemberAdded, "member_added"},
    {Kind::kMemberRemoved, "member_removed"},
    {Kind::kClientEvent, "client_event"},
    {Kind::kCacheMiss, "cache_miss"},
    {Kind::kSubscriptionCount, "subscription_count"},
}};

json::string_view Json(std::string_view text) { return {text.data(), text.size()}; }

// Pusher hands a client event's data to webhooks as a string; a client that sent a string gets it
// back unquoted, anything else as the JSON text it sent.
std::string ClientEventData(std::string_view data_json) {
  const size_t first = data_json.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || data_json[first] != '"') return std::string(data_json);
  boost::system::error_code error;
  const json::value value = json::parse(Json(data_json), error);
  if (error || !value.is_string()) return std::string(data_json);
  const json::string& text = value.get_string();
  return std::string(text.data(), text.size());
}

}  // namespace

std::string_view WebhookName(Kind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<Kind> WebhookKind(std::string_view name) {
  for (const auto& [kind, n] : kNames) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

std::string EncodeWebhookEvent(const core::ChannelEvent& event) {
  json::object out;
  out["name"] = Json(WebhookName(event.kind));
  out["channel"] = Json(event.channel);
  switch (event.kind) {
    case Kind::kMemberAdded:
    case Kind::kMemberRemoved:
      out["user_id"] = Json(event.user_id);
      break;
    case Kind::kClientEvent:
      out["event"] = Json(event.event);
      out["data"] = Json(ClientEventData(event.data));
      out["socket_id"] = Json(event.socket_id);
      if (!event.user_id.empty()) out["user_id"] = Json(event.user_id);
      break;
    case Kind::kSubscriptionCount:
      out["subscription_count"] = event.subscription_count;
      break;
    case Kind::kChannelOccupied:
    case Kind::kChannelVacated:
    case Kind::kCacheMiss:
      break;
  }
  return json::serialize(out);
}

std::string EncodeWebhookBody(int64_t time_ms, std::span<const EncodedEvent> events) {
  size_t size = 40;
  for (const EncodedEvent& event : events) size += event->size() + 1;
  std::string body;
  body.reserve(size);
  body.append("{\"time_ms\":").append(std::to_string(time_ms)).append(",\"events\":[");
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0) body.push_back(',');
    body.append(*events[i]);
  }
  body.append("]}");
  return body;
}

}  // namespace gw::webhooks
