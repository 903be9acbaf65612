#include "clients/ctl/ctl_output.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"

namespace gw::ctl {
namespace {

namespace v1 = ::realtime::v1;

enum class EmptyFields { kPrint, kOmit };

std::string ToJson(const google::protobuf::Message& message, EmptyFields empty) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = empty == EmptyFields::kPrint;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) out = "{}";
  return out + "\n";
}

std::string Plural(uint32_t count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

// "3 subscriptions, 2 users" (users only where the gateway counts them: presence channels).
std::string Counts(const v1::ChannelInfo& info) {
  std::string out = Plural(info.subscription_count(), "subscription", "subscriptions");
  if (info.has_user_count()) out += ", " + Plural(info.user_count(), "user", "users");
  return out;
}

std::vector<std::string> SortedKeys(
    const google::protobuf::Map<std::string, v1::ChannelInfo>& map) {
  std::vector<std::string> keys;
  keys.reserve(map.size());
  for (const auto& [name, info] : map) keys.push_back(name);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string PadTo(std::string text, size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

}  // namespace

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[7];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string RenderPublish(const v1::PublishRequest& request, const v1::PublishResponse& response,
                          bool json) {
  if (json) return ToJson(response, EmptyFields::kPrint);
  std::string out = "published " + JsonQuote(request.name()) + " to " +
                    Plural(request.channels_size(), "channel", "channels") + "\n";
  for (const std::string& name : SortedKeys(response.channels())) {
    out += "  " + name + ": " + Counts(response.channels().at(name)) + "\n";
  }
  return out;
}

std::string RenderChannels(const v1::ListChannelsResponse& response, bool json) {
  if (json) return ToJson(response, EmptyFields::kPrint);
  if (response.channels().empty()) return "no occupied channels\n";
  const std::vector<std::string> names = SortedKeys(response.channels());
  size_t width = std::string_view("CHANNEL").size();
  for (const std::string& name : names) width = std::max(width, name.size());
  width += 2;
  std::string out = PadTo("CHANNEL", width) + "SUBSCRIPTIONS  USERS\n";
  for (const std::string& name : names) {
    const v1::ChannelInfo& info = response.channels().at(name);
    out += PadTo(name, width) + PadTo(std::to_string(info.subscription_count()), 15) +
           (info.has_user_count() ? std::to_string(info.user_count()) : "-") + "\n";
  }
  return out;
}

std::string RenderChannel(const v1::GetChannelRequest& request,
                          const v1::GetChannelResponse& response, bool json) {
  if (json) return ToJson(response, EmptyFields::kPrint);
  std::string out = request.channel() + ": " + (response.occupied() ? "occupied" : "not occupied");
  if (response.has_info()) out += ", " + Counts(response.info());
  return out + "\n";
}

std::string RenderMembers(const v1::ListPresenceMembersRequest& request,
                          const v1::ListPresenceMembersResponse& response, bool json) {
  if (json) return ToJson(response, EmptyFields::kPrint);
  std::string out =
      request.channel() + ": " + Plural(response.members_size(), "member", "members") + "\n";
  size_t width = 0;
  for (const v1::PresenceMember& member : response.members()) {
    width = std::max(width, member.user_id().size());
  }
  for (const v1::PresenceMember& member : response.members()) {
    out += "  " + PadTo(member.user_id(), width + 2) + member.user_info_json() + "\n";
  }
  return out;
}

std::string RenderAuthorize(const v1::AuthorizeChannelResponse& response, bool json) {
  if (json) return ToJson(response, EmptyFields::kOmit);
  std::string out = "auth: " + response.auth() + "\n";
  if (!response.channel_data().empty()) out += "channel_data: " + response.channel_data() + "\n";
  if (!response.shared_secret().empty()) {
    out += "shared_secret: " + response.shared_secret() + "\n";
  }
  return out;
}

std::string RenderAuthenticate(const v1::AuthenticateUserResponse& response, bool json) {
  if (json) return ToJson(response, EmptyFields::kOmit);
  return "auth: " + response.auth() + "\nuser_data: " + response.user_data() + "\n";
}

std::string RenderTerminate(const v1::TerminateUserConnectionsRequest& request, bool json) {
  if (json) return "{}\n";
  return "closed the connections of user " + JsonQuote(request.user_id()) + "\n";
}

std::string RenderSendToUser(const v1::SendToUserRequest& request, bool json) {
  if (json) return "{}\n";
  return "sent " + JsonQuote(request.name()) + " to user " + JsonQuote(request.user_id()) + "\n";
}

std::string EventJsonLine(const v1::ChannelEvent& event) {
  std::string kind = v1::ChannelEvent::Kind_Name(event.kind());
  kind = kind.empty() ? "kind_" + std::to_string(static_cast<int>(event.kind()))
                      : absl::AsciiStrToLower(kind);
  std::string out = "{\"kind\":" + JsonQuote(kind) + ",\"channel\":" + JsonQuote(event.channel()) +
                    ",\"time_ms\":" + std::to_string(event.time_ms());
  auto text_field = [&out](std::string_view name, const std::string& value) {
    if (!value.empty()) out += ",\"" + std::string(name) + "\":" + JsonQuote(value);
  };
  text_field("user_id", event.user_id());
  text_field("event", event.event());
  text_field("data", event.data());
  text_field("socket_id", event.socket_id());
  const bool about_counts = event.kind() == v1::ChannelEvent::SUBSCRIPTION_COUNT ||
                            event.kind() == v1::ChannelEvent::CHANNEL_OCCUPIED ||
                            event.kind() == v1::ChannelEvent::CHANNEL_VACATED;
  if (about_counts || event.subscription_count() != 0) {
    out += ",\"subscription_count\":" + std::to_string(event.subscription_count());
  }
  return out + "}";
}

}  // namespace gw::ctl
