#include "gateway/pusher/client_message.h"

#include <boost/json.hpp>
#include <exception>

#include "absl/strings/str_cat.h"
#include "gateway/pusher/channel_name.h"

namespace gw::pusher {
namespace {

namespace json = boost::json;

constexpr size_t kMaxUserIdLength = 128;

// This abseil build has its own absl::string_view, distinct from std::string_view; the codec
// works in absl's so StrCat takes its views directly.
absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
json::string_view ToJson(absl::string_view s) { return json::string_view(s.data(), s.size()); }

// Boost.JSON's default parse options are kept on purpose: strict JSON, UTF-8 validated and a
// nesting limit of 32, which is what bounds the parser's work on hostile input.
absl::StatusOr<json::value> ParseJson(absl::string_view text, const json::storage_ptr& storage,
                                      absl::string_view what) {
  boost::system::error_code ec;
  json::value value = json::parse(ToJson(text), ec, storage);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not valid JSON: ", ec.message()));
  }
  return value;
}

// For echoing a client's value in an error message: bounded and plain ASCII, so the reply stays
// small and valid UTF-8 whatever was sent.
std::string Excerpt(absl::string_view s) {
  constexpr size_t kMaxExcerpt = 64;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMaxExcerpt; ++i) {
    const char c = s[i];
    out.push_back(c >= ' ' && c < 0x7f ? c : '?');
  }
  if (s.size() > kMaxExcerpt) out.append("...");
  return out;
}

absl::string_view View(const json::string& s) { return absl::string_view(s.data(), s.size()); }

// A member that must be a string.
absl::StatusOr<absl::string_view> RequiredString(const json::object& object, absl::string_view key,
                                                 absl::string_view where) {
  const json::value* value = object.if_contains(ToJson(key));
  if (value == nullptr) return absl::InvalidArgumentError(absl::StrCat(where, key, " is missing"));
  const json::string* string = value->if_string();
  if (string == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(where, key, " must be a string"));
  }
  return View(*string);
}

// A member that is a string when given; absent and null both mean "not given".
absl::StatusOr<std::optional<absl::string_view>> OptionalString(const json::object& object,
                                                                absl::string_view key,
                                                                absl::string_view where) {
  const json::value* value = object.if_contains(ToJson(key));
  if (value == nullptr || value->is_null()) return std::nullopt;
  const json::string* string = value->if_string();
  if (string == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(where, key, " must be a string"));
  }
  return View(*string);
}

// The `data` object of a pusher: event. pusher-js sends an object; other clients send the object
// JSON-encoded in a string, which is parsed into `decoded`.
absl::StatusOr<const json::object*> PusherEventData(const json::object& message,
                                                    absl::string_view event, json::value& decoded,
                                                    const json::storage_ptr& storage) {
  const json::value* data = message.if_contains("data");
  if (data == nullptr) return absl::InvalidArgumentError(absl::StrCat(event, " has no data"));
  if (const json::object* object = data->if_object()) return object;
  const json::string* encoded = data->if_string();
  if (encoded == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(event, " data must be an object or a JSON string of one"));
  }
  absl::StatusOr<json::value> parsed =
      ParseJson(View(*encoded), storage, absl::StrCat(event, " data"));
  if (!parsed.ok()) return parsed.status();
  decoded = std::move(*parsed);
  if (const json::object* object = decoded.if_object()) return object;
  return absl::InvalidArgumentError(
      absl::StrCat(event, " data must be an object or a JSON string of one"));
}

absl::StatusOr<ClientMessage> ParseSubscribe(const json::object& data) {
  constexpr absl::string_view kWhere = "pusher:subscribe data.";
  absl::StatusOr<absl::string_view> channel = RequiredString(data, "channel", kWhere);
  if (!channel.ok()) return channel.status();
  absl::StatusOr<std::optional<absl::string_view>> auth = OptionalString(data, "auth", kWhere);
  if (!auth.ok()) return auth.status();
  absl::StatusOr<std::optional<absl::string_view>> channel_data =
      OptionalString(data, "channel_data", kWhere);
  if (!channel_data.ok()) return channel_data.status();

  SubscribeMessage message;
  message.channel = std::string(*channel);
  message.auth = std::string(auth->value_or(""));
  if (channel_data->has_value()) message.channel_data = std::string(**channel_data);
  return message;
}

absl::StatusOr<ClientMessage> ParseUnsubscribe(const json::object& data) {
  absl::StatusOr<absl::string_view> channel =
      RequiredString(data, "channel", "pusher:unsubscribe data.");
  if (!channel.ok()) return channel.status();
  return UnsubscribeMessage{std::string(*channel)};
}

absl::StatusOr<ClientMessage> ParseSignin(const json::object& data) {
  constexpr absl::string_view kWhere = "pusher:signin data.";
  absl::StatusOr<absl::string_view> auth = RequiredString(data, "auth", kWhere);
  if (!auth.ok()) return auth.status();
  absl::StatusOr<absl::string_view> user_data = RequiredString(data, "user_data", kWhere);
  if (!user_data.ok()) return user_data.status();
  return SigninMessage{std::string(*auth), std::string(*user_data)};
}

absl::StatusOr<ClientMessage> ParseClientEvent(const json::object& message,
                                               absl::string_view event) {
  absl::StatusOr<absl::string_view> channel = RequiredString(message, "channel", "client event ");
  if (!channel.ok()) return channel.status();
  const json::value* data = message.if_contains("data");
  return ClientEventMessage{std::string(event), std::string(*channel),
                            data == nullptr ? std::string("null") : json::serialize(*data)};
}

absl::StatusOr<ClientMessage> ParseClientMessageOrThrow(absl::string_view text) {
  // Most frames are small: parse into a stack buffer and fall back to the heap only if needed.
  unsigned char buffer[4096];
  json::monotonic_resource resource(buffer, sizeof(buffer));
  json::storage_ptr storage(&resource);

  absl::StatusOr<json::value> root = ParseJson(text, storage, "message");
  if (!root.ok()) return root.status();
  const json::object* message = root->if_object();
  if (message == nullptr) return absl::InvalidArgumentError("message must be a JSON object");

  const json::value* event_value = message->if_contains("event");
  if (event_value == nullptr) return absl::InvalidArgumentError("message has no event");
  const json::string* event_string = event_value->if_string();
  if (event_string == nullptr) return absl::InvalidArgumentError("event must be a string");
  const absl::string_view event = View(*event_string);

  if (event == "pusher:ping") return PingMessage{};
  if (event == "pusher:pong") return PongMessage{};
  if (IsClientEventName(std::string_view(event.data(), event.size()))) {
    return ParseClientEvent(*message, event);
  }

  using DataParser = absl::StatusOr<ClientMessage> (*)(const json::object&);
  DataParser parse_data = nullptr;
  if (event == "pusher:subscribe") {
    parse_data = &ParseSubscribe;
  } else if (event == "pusher:unsubscribe") {
    parse_data = &ParseUnsubscribe;
  } else if (event == "pusher:signin") {
    parse_data = &ParseSignin;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported event \"", Excerpt(event),
                     "\": clients may send pusher:subscribe, pusher:unsubscribe, pusher:signin, "
                     "pusher:ping, pusher:pong and client- events"));
  }
  json::value decoded(storage);
  absl::StatusOr<const json::object*> data = PusherEventData(*message, event, decoded, storage);
  if (!data.ok()) return data.status();
  return parse_data(**data);
}

absl::StatusOr<std::string> RenderUserId(const json::value* value, absl::string_view where) {
  if (value == nullptr) return absl::InvalidArgumentError(absl::StrCat(where, " is missing"));
  std::string user_id;
  if (const json::string* string = value->if_string()) {
    user_id = std::string(View(*string));
  } else if (const int64_t* number = value->if_int64()) {
    user_id = absl::StrCat(*number);
  } else if (const uint64_t* number = value->if_uint64()) {
    user_id = absl::StrCat(*number);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(where, " must be a string or an integer"));
  }
  if (user_id.empty()) return absl::InvalidArgumentError(absl::StrCat(where, " is empty"));
  if (user_id.size() > kMaxUserIdLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " is longer than ", kMaxUserIdLength, " characters"));
  }
  return user_id;
}

// channel_data and sign-in user_data differ only in what the id member is called.
absl::StatusOr<PresenceMember> ParseMemberOrThrow(absl::string_view text, absl::string_view what,
                                                  absl::string_view id_key) {
  absl::StatusOr<json::value> root = ParseJson(text, {}, what);
  if (!root.ok()) return root.status();
  const json::object* object = root->if_object();
  if (object == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be a JSON object"));
  }
  absl::StatusOr<std::string> user_id =
      RenderUserId(object->if_contains(ToJson(id_key)), absl::StrCat(what, ".", id_key));
  if (!user_id.ok()) return user_id.status();
  const json::value* user_info = object->if_contains("user_info");
  return PresenceMember{std::move(*user_id),
                        user_info == nullptr ? std::string("null") : json::serialize(*user_info)};
}

// The parsers above report every input problem as a status; what Boost.JSON or std::string can
// still throw is allocation failure, which must not unwind through the connection's executor.
absl::Status OutOfMemory(absl::string_view what) {
  return absl::ResourceExhaustedError(absl::StrCat("out of memory while parsing ", what));
}

}  // namespace

absl::StatusOr<ClientMessage> ParseClientMessage(std::string_view text) {
  try {
    return ParseClientMessageOrThrow(ToAbsl(text));
  } catch (const std::exception&) {
    return OutOfMemory("message");
  }
}

absl::StatusOr<PresenceMember> ParsePresenceChannelData(std::string_view channel_data) {
  try {
    return ParseMemberOrThrow(ToAbsl(channel_data), "channel_data", "user_id");
  } catch (const std::exception&) {
    return OutOfMemory("channel_data");
  }
}

absl::StatusOr<PresenceMember> ParseSigninUserData(std::string_view user_data) {
  try {
    return ParseMemberOrThrow(ToAbsl(user_data), "user_data", "id");
  } catch (const std::exception&) {
    return OutOfMemory("user_data");
  }
}

absl::StatusOr<std::vector<std::string>> ParseSigninWatchlist(std::string_view user_data) {
  try {
    absl::StatusOr<json::value> root = ParseJson(ToAbsl(user_data), {}, "user_data");
    if (!root.ok()) return root.status();
    std::vector<std::string> ids;
    const json::object* object = root->if_object();
    const json::value* watchlist = object == nullptr ? nullptr : object->if_contains("watchlist");
    if (watchlist == nullptr || watchlist->is_null()) return ids;
    const json::array* list = watchlist->if_array();
    if (list == nullptr) {
      return absl::InvalidArgumentError("user_data.watchlist must be an array of user ids");
    }
    for (size_t i = 0; i < list->size(); ++i) {
      absl::StatusOr<std::string> id =
          RenderUserId(&(*list)[i], absl::StrCat("user_data.watchlist[", i, "]"));
      if (!id.ok()) return id.status();
      ids.push_back(std::move(*id));
    }
    return ids;
  } catch (const std::exception&) {
    return OutOfMemory("user_data");
  }
}

}  // namespace gw::pusher
