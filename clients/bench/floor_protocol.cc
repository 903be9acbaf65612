#include "clients/bench/floor_protocol.h"

#include <boost/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gw::bench {
namespace {

namespace json = boost::json;

std::string Serialized(const json::value& value) { return json::serialize(value); }

std::optional<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

void AddDeliveries(const json::object& event, std::vector<FloorDelivery>& out) {
  std::vector<std::string> channels;
  if (const json::value* one = event.if_contains("channel"); one && one->is_string()) {
    channels.emplace_back(one->as_string());
  }
  if (const json::value* many = event.if_contains("channels"); many && many->is_array()) {
    for (const json::value& channel : many->as_array()) {
      if (channel.is_string()) channels.emplace_back(channel.as_string());
    }
  }
  json::object message;
  if (const json::value* name = event.if_contains("name")) message["event"] = *name;
  const json::value* data = event.if_contains("data");
  json::string data_text = data == nullptr     ? json::string("{}")
                           : data->is_string() ? data->as_string()
                                               : json::string(Serialized(*data));
  for (std::string& channel : channels) {
    message["channel"] = channel;
    message["data"] = data_text;
    out.push_back({std::move(channel), ServerFrame(Serialized(message))});
  }
}

}  // namespace

std::string ServerFrame(std::string_view payload, uint8_t opcode) {
  std::string frame;
  const size_t size = payload.size();
  frame.reserve(size + 10);
  frame.push_back(static_cast<char>(0x80 | opcode));
  if (size < 126) {
    frame.push_back(static_cast<char>(size));
  } else if (size <= 0xFFFF) {
    frame.push_back(static_cast<char>(126));
    frame.push_back(static_cast<char>(size >> 8));
    frame.push_back(static_cast<char>(size & 0xFF));
  } else {
    frame.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(static_cast<char>((static_cast<uint64_t>(size) >> shift) & 0xFF));
    }
  }
  frame.append(payload);
  return frame;
}

absl::StatusOr<std::vector<FloorDelivery>> DeliveriesOfPublish(std::string_view body, bool batch) {
  std::optional<json::object> request = ParseObject(body);
  if (!request) return absl::InvalidArgumentError("the body is not a JSON object");
  std::vector<FloorDelivery> deliveries;
  if (!batch) {
    AddDeliveries(*request, deliveries);
    return deliveries;
  }
  const json::value* events = request->if_contains("batch");
  if (events == nullptr || !events->is_array()) {
    return absl::InvalidArgumentError("batch_events without a \"batch\" array");
  }
  for (const json::value& event : events->as_array()) {
    if (event.is_object()) AddDeliveries(event.as_object(), deliveries);
  }
  return deliveries;
}

std::optional<std::string> SubscribedChannel(std::string_view message) {
  std::optional<json::object> object = ParseObject(message);
  if (!object) return std::nullopt;
  const json::value* event = object->if_contains("event");
  if (event == nullptr || !event->is_string() || event->as_string() != "pusher:subscribe") {
    return std::nullopt;
  }
  const json::value* data = object->if_contains("data");
  if (data == nullptr || !data->is_object()) return std::nullopt;
  const json::value* channel = data->as_object().if_contains("channel");
  if (channel == nullptr || !channel->is_string()) return std::nullopt;
  return std::string(channel->as_string());
}

bool IsPusherPing(std::string_view message) {
  std::optional<json::object> object = ParseObject(message);
  if (!object) return false;
  const json::value* event = object->if_contains("event");
  return event != nullptr && event->is_string() && event->as_string() == "pusher:ping";
}

std::string ConnectionEstablishedMessage(std::string_view socket_id) {
  json::object data{{"socket_id", json::string_view(socket_id.data(), socket_id.size())},
                    {"activity_timeout", 120}};
  json::object message{{"event", "pusher:connection_established"}, {"data", Serialized(data)}};
  return Serialized(message);
}

std::string SubscriptionSucceededMessage(std::string_view channel) {
  json::object message{{"event", "pusher_internal:subscription_succeeded"},
                       {"channel", json::string_view(channel.data(), channel.size())},
                       {"data", "{}"}};
  return Serialized(message);
}

}  // namespace gw::bench
