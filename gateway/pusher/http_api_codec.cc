#include "gateway/pusher/http_api_codec.h"

#include <boost/json.hpp>
#include <exception>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gw::pusher {
namespace {

namespace json = boost::json;

// This abseil build has its own absl::string_view, distinct from std::string_view; the codec
// works in absl's so StrCat and StrSplit take its views directly.
absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
json::string_view JsonView(absl::string_view s) { return json::string_view(s.data(), s.size()); }
absl::string_view View(const json::string& s) { return absl::string_view(s.data(), s.size()); }

// Boost.JSON's defaults are kept: strict JSON, UTF-8 validated, nesting depth at most 32.
absl::StatusOr<json::value> ParseBody(absl::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(JsonView(body), ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("body is not valid JSON: ", ec.message()));
  return value;
}

// `where` is "" for a single event and "batch[2]" for a batch entry, so messages name the field
// at fault: "batch[2].data must be a string".
std::string Field(absl::string_view where, absl::string_view key) {
  return where.empty() ? std::string(key) : absl::StrCat(where, ".", key);
}
std::string Sentence(absl::string_view where, absl::string_view text) {
  return where.empty() ? std::string(text) : absl::StrCat(where, ": ", text);
}

absl::StatusOr<std::string> RequiredString(const json::object& object, absl::string_view key,
                                           absl::string_view where) {
  const json::value* value = object.if_contains(JsonView(key));
  if (value == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(Field(where, key), " is required"));
  }
  const json::string* string = value->if_string();
  if (string == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(Field(where, key), " must be a string"));
  }
  return std::string(View(*string));
}

// Absent and null both mean "not given".
absl::StatusOr<std::optional<std::string>> OptionalString(const json::object& object,
                                                          absl::string_view key,
                                                          absl::string_view where) {
  const json::value* value = object.if_contains(JsonView(key));
  if (value == nullptr || value->is_null()) return std::nullopt;
  const json::string* string = value->if_string();
  if (string == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(Field(where, key), " must be a string"));
  }
  return std::string(View(*string));
}

absl::StatusOr<std::vector<std::string>> ChannelList(const json::object& event,
                                                     absl::string_view where, bool allow_many) {
  const json::value* channels = event.if_contains("channels");
  const json::value* channel = event.if_contains("channel");
  if (channels != nullptr && !allow_many) {
    return absl::InvalidArgumentError(
        Sentence(where, "channels is not allowed: a batch event names one channel"));
  }
  if (channels != nullptr && channel != nullptr) {
    return absl::InvalidArgumentError(Sentence(where, "give either channels or channel, not both"));
  }
  if (channels != nullptr) {
    const json::array* array = channels->if_array();
    if (array == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(Field(where, "channels"), " must be an array of strings"));
    }
    if (array->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Field(where, "channels"), " must not be empty"));
    }
    std::vector<std::string> names;
    names.reserve(array->size());
    for (size_t i = 0; i < array->size(); ++i) {
      const json::string* name = (*array)[i].if_string();
      if (name == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(Field(where, "channels"), "[", i, "] must be a string"));
      }
      names.emplace_back(View(*name));
    }
    return names;
  }
  if (channel == nullptr) {
    return absl::InvalidArgumentError(
        allow_many ? Sentence(where, "channels (an array) or channel (a string) is required")
                   : absl::StrCat(Field(where, "channel"), " is required"));
  }
  const json::string* name = channel->if_string();
  if (name == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(Field(where, "channel"), " must be a string"));
  }
  return std::vector<std::string>{std::string(View(*name))};
}

absl::StatusOr<TriggerRequest> ParseEvent(const json::value& value, absl::string_view where,
                                          bool allow_many_channels) {
  const json::object* event = value.if_object();
  if (event == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(where.empty() ? "body" : where, " must be a JSON object"));
  }
  TriggerRequest request;
  absl::StatusOr<std::string> name = RequiredString(*event, "name", where);
  if (!name.ok()) return name.status();
  request.name = std::move(*name);
  absl::StatusOr<std::string> data = RequiredString(*event, "data", where);
  if (!data.ok()) return data.status();
  request.data = std::move(*data);
  absl::StatusOr<std::vector<std::string>> channels =
      ChannelList(*event, where, allow_many_channels);
  if (!channels.ok()) return channels.status();
  request.channels = std::move(*channels);
  absl::StatusOr<std::optional<std::string>> socket_id = OptionalString(*event, "socket_id", where);
  if (!socket_id.ok()) return socket_id.status();
  request.socket_id = std::move(*socket_id);
  absl::StatusOr<std::optional<std::string>> info = OptionalString(*event, "info", where);
  if (!info.ok()) return info.status();
  if (info->has_value()) request.info = ParseInfo(**info);
  return request;
}

absl::StatusOr<TriggerRequest> ParseTriggerBodyOrThrow(absl::string_view body) {
  absl::StatusOr<json::value> root = ParseBody(body);
  if (!root.ok()) return root.status();
  return ParseEvent(*root, "", /*allow_many_channels=*/true);
}

absl::StatusOr<std::vector<TriggerRequest>> ParseBatchBodyOrThrow(absl::string_view body) {
  absl::StatusOr<json::value> root = ParseBody(body);
  if (!root.ok()) return root.status();
  const json::object* object = root->if_object();
  if (object == nullptr) return absl::InvalidArgumentError("body must be a JSON object");
  const json::value* batch_value = object->if_contains("batch");
  if (batch_value == nullptr) return absl::InvalidArgumentError("batch is required");
  const json::array* batch = batch_value->if_array();
  if (batch == nullptr) return absl::InvalidArgumentError("batch must be an array of events");
  std::vector<TriggerRequest> requests;
  requests.reserve(batch->size());
  for (size_t i = 0; i < batch->size(); ++i) {
    absl::StatusOr<TriggerRequest> request =
        ParseEvent((*batch)[i], absl::StrCat("batch[", i, "]"), /*allow_many_channels=*/false);
    if (!request.ok()) return request.status();
    requests.push_back(std::move(*request));
  }
  return requests;
}

// What parsing can still throw is allocation failure; an HTTP handler gets a status instead.
absl::Status OutOfMemory() { return absl::ResourceExhaustedError("out of memory parsing body"); }

bool AsksForAnything(const InfoRequest& info) { return info.subscription_count || info.user_count; }

json::object Attributes(const InfoRequest& info, const ChannelCounts& counts) {
  json::object attributes;
  if (info.subscription_count) attributes["subscription_count"] = counts.subscription_count;
  if (info.user_count && counts.user_count.has_value()) {
    attributes["user_count"] = *counts.user_count;
  }
  return attributes;
}

json::object AttributesByChannel(
    const InfoRequest& info, const std::vector<std::pair<std::string, ChannelCounts>>& channels) {
  json::object by_channel;
  for (const auto& [name, counts] : channels) by_channel[JsonView(name)] = Attributes(info, counts);
  return by_channel;
}

}  // namespace

InfoRequest ParseInfo(std::string_view info) {
  InfoRequest request;
  for (absl::string_view attribute : absl::StrSplit(ToAbsl(info), ',')) {
    attribute = absl::StripAsciiWhitespace(attribute);
    if (attribute == "subscription_count") request.subscription_count = true;
    if (attribute == "user_count") request.user_count = true;
  }
  return request;
}

absl::StatusOr<TriggerRequest> ParseTriggerBody(std::string_view body) {
  try {
    return ParseTriggerBodyOrThrow(ToAbsl(body));
  } catch (const std::exception&) {
    return OutOfMemory();
  }
}

absl::StatusOr<std::vector<TriggerRequest>> ParseBatchBody(std::string_view body) {
  try {
    return ParseBatchBodyOrThrow(ToAbsl(body));
  } catch (const std::exception&) {
    return OutOfMemory();
  }
}

std::string EncodeTriggerResponse(
    const InfoRequest& info, const std::vector<std::pair<std::string, ChannelCounts>>& channels) {
  if (!AsksForAnything(info)) return "{}";
  json::object response;
  response["channels"] = AttributesByChannel(info, channels);
  return json::serialize(response);
}

std::string EncodeBatchResponse(const std::vector<InfoRequest>& infos,
                                const std::vector<ChannelCounts>& counts) {
  bool any = false;
  for (const InfoRequest& info : infos) any = any || AsksForAnything(info);
  if (!any) return "{}";
  json::array batch;
  batch.reserve(infos.size());
  for (size_t i = 0; i < infos.size(); ++i) {
    // A caller that has no counts for an event reports it as empty rather than reading past
    // the end.
    batch.push_back(Attributes(infos[i], i < counts.size() ? counts[i] : ChannelCounts{}));
  }
  json::object response;
  response["batch"] = std::move(batch);
  return json::serialize(response);
}

std::string EncodeChannelsResponse(
    const InfoRequest& info, const std::vector<std::pair<std::string, ChannelCounts>>& channels) {
  json::object response;
  response["channels"] = AttributesByChannel(info, channels);
  return json::serialize(response);
}

std::string EncodeChannelResponse(const InfoRequest& info, const ChannelCounts& counts) {
  json::object response;
  response["occupied"] = counts.subscription_count > 0;
  for (auto& attribute : Attributes(info, counts)) {
    response[attribute.key()] = attribute.value();
  }
  return json::serialize(response);
}

std::string EncodeUsersResponse(const std::vector<std::string>& user_ids) {
  json::array users;
  users.reserve(user_ids.size());
  for (const std::string& id : user_ids) users.push_back(json::object{{"id", JsonView(id)}});
  json::object response;
  response["users"] = std::move(users);
  return json::serialize(response);
}

std::string EncodeErrorResponse(std::string_view message) {
  json::object response;
  response["error"] = JsonView(ToAbsl(message));
  return json::serialize(response);
}

}  // namespace gw::pusher
