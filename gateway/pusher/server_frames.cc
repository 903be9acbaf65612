#include "gateway/pusher/server_frames.h"

#include "absl/strings/str_cat.h"

namespace gw::pusher {
namespace {

// Appends `s` as a quoted JSON string. Only '"', '\\' and control characters need escaping;
// every other byte is copied, so valid UTF-8 in stays valid UTF-8 out.
void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (byte < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0x0f]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// Verbatim JSON text, with "null" standing in for an empty string so the frame stays valid.
std::string_view JsonOrNull(std::string_view json) { return json.empty() ? "null" : json; }

// {"event":E,"channel":C,"data":D,"user_id":U} where `data_json` is already JSON text; connection
// events have no channel and only presence client events carry a user_id.
std::string Frame(std::string_view event, std::optional<std::string_view> channel,
                  std::string_view data_json,
                  std::optional<std::string_view> user_id = std::nullopt) {
  std::string out;
  out.reserve(event.size() + channel.value_or("").size() + data_json.size() +
              user_id.value_or("").size() + 48);
  out.append("{\"event\":");
  AppendJsonString(out, event);
  if (channel.has_value()) {
    out.append(",\"channel\":");
    AppendJsonString(out, *channel);
  }
  out.append(",\"data\":");
  out.append(data_json);
  if (user_id.has_value()) {
    out.append(",\"user_id\":");
    AppendJsonString(out, *user_id);
  }
  out.push_back('}');
  return out;
}

}  // namespace

std::string ConnectionEstablishedFrame(std::string_view socket_id, uint32_t activity_timeout) {
  std::string data = "{\"socket_id\":";
  AppendJsonString(data, socket_id);
  data.append(",\"activity_timeout\":");
  data.append(std::to_string(activity_timeout));
  data.push_back('}');
  return Frame("pusher:connection_established", std::nullopt, JsonString(data));
}

std::string ErrorFrame(std::optional<uint16_t> code, std::string_view message) {
  std::string data = "{\"code\":";
  data.append(code.has_value() ? std::to_string(*code) : "null");
  data.append(",\"message\":");
  AppendJsonString(data, message);
  data.push_back('}');
  return Frame("pusher:error", std::nullopt, data);
}

std::string PingFrame() { return R"({"event":"pusher:ping","data":"{}"})"; }

std::string PongFrame() { return R"({"event":"pusher:pong","data":"{}"})"; }

std::string SubscriptionSucceededFrame(std::string_view channel) {
  return Frame("pusher_internal:subscription_succeeded", channel, R"("{}")");
}

std::string PresenceSubscriptionSucceededFrame(
    std::string_view channel, const std::vector<std::pair<std::string, std::string>>& members) {
  std::string ids;
  std::string hash;
  for (const auto& [user_id, user_info_json] : members) {
    if (!ids.empty()) {
      ids.push_back(',');
      hash.push_back(',');
    }
    AppendJsonString(ids, user_id);
    AppendJsonString(hash, user_id);
    hash.push_back(':');
    hash.append(JsonOrNull(user_info_json));
  }
  std::string data = "{\"presence\":{\"ids\":[";
  data.append(ids);
  data.append("],\"hash\":{");
  data.append(hash);
  data.append("},\"count\":");
  data.append(std::to_string(members.size()));
  data.append("}}");
  return Frame("pusher_internal:subscription_succeeded", channel, JsonString(data));
}

std::string SubscriptionErrorFrame(std::string_view channel, std::string_view type,
                                   std::string_view error, uint16_t status) {
  std::string data = "{\"type\":";
  AppendJsonString(data, type);
  data.append(",\"error\":");
  AppendJsonString(data, error);
  data.append(",\"status\":");
  data.append(std::to_string(status));
  data.push_back('}');
  return Frame("pusher:subscription_error", channel, data);
}

std::string MemberAddedFrame(std::string_view channel, std::string_view user_id,
                             std::string_view user_info_json) {
  std::string data = "{\"user_id\":";
  AppendJsonString(data, user_id);
  data.append(",\"user_info\":");
  data.append(JsonOrNull(user_info_json));
  data.push_back('}');
  return Frame("pusher_internal:member_added", channel, JsonString(data));
}

std::string CacheMissFrame(std::string_view channel) {
  std::string out = "{\"event\":\"pusher:cache_miss\",\"channel\":";
  AppendJsonString(out, channel);
  out.push_back('}');
  return out;
}

std::string WatchlistEventsFrame(std::string_view name, const std::vector<std::string>& user_ids) {
  std::string data = "{\"events\":[{\"name\":";
  AppendJsonString(data, name);
  data.append(",\"user_ids\":[");
  for (size_t i = 0; i < user_ids.size(); ++i) {
    if (i > 0) data.push_back(',');
    AppendJsonString(data, user_ids[i]);
  }
  data.append("]}]}");
  return Frame("pusher_internal:watchlist_events", std::nullopt, JsonString(data));
}

std::string SubscriptionCountFrame(std::string_view channel, uint32_t count) {
  return Frame("pusher_internal:subscription_count", channel,
               JsonString(absl::StrCat("{\"subscription_count\":", count, "}")));
}

std::string SigninSuccessFrame(std::string_view user_data) {
  std::string data = "{\"user_data\":";
  AppendJsonString(data, user_data);
  data.push_back('}');
  return Frame("pusher:signin_success", std::nullopt, JsonString(data));
}

std::string MemberRemovedFrame(std::string_view channel, std::string_view user_id) {
  std::string data = "{\"user_id\":";
  AppendJsonString(data, user_id);
  data.push_back('}');
  return Frame("pusher_internal:member_removed", channel, JsonString(data));
}

std::string EventFrame(std::string_view channel, std::string_view event, std::string_view data) {
  return Frame(event, channel, JsonString(data));
}

std::string ClientEventFrame(std::string_view channel, std::string_view event,
                             std::string_view data_json, std::optional<std::string_view> user_id) {
  return Frame(event, channel, JsonOrNull(data_json), user_id);
}

}  // namespace gw::pusher
