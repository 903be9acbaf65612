#include "gateway/cluster/cluster_message.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gw::cluster {
namespace {

constexpr std::string_view kMagic = "RG1";

bool KnownType(char type) {
  switch (static_cast<ClusterMessage::Type>(type)) {
    case ClusterMessage::Type::kEvent:
    case ClusterMessage::Type::kMemberAdded:
    case ClusterMessage::Type::kMemberRemoved:
    case ClusterMessage::Type::kWatchlist:
    case ClusterMessage::Type::kCount:
    case ClusterMessage::Type::kTerminate:
    case ClusterMessage::Type::kChannelEvent:
    case ClusterMessage::Type::kFollowing:
    case ClusterMessage::Type::kAcks:
      return true;
  }
  return false;
}

}  // namespace

size_t FieldCount(ClusterMessage::Type type) {
  switch (type) {
    case ClusterMessage::Type::kEvent: return 5;
    case ClusterMessage::Type::kMemberAdded: return 3;
    case ClusterMessage::Type::kMemberRemoved: return 2;
    case ClusterMessage::Type::kWatchlist: return 2;
    case ClusterMessage::Type::kCount: return 1;
    case ClusterMessage::Type::kTerminate: return 3;
    case ClusterMessage::Type::kChannelEvent: return 7;
    case ClusterMessage::Type::kFollowing: return 1;
    case ClusterMessage::Type::kAcks: return 3;
  }
  return 0;
}

std::string EncodeClusterMessage(ClusterMessage::Type type,
                                 std::initializer_list<std::string_view> fields) {
  size_t size = kMagic.size() + 1;
  for (std::string_view field : fields) size += field.size() + 12;
  std::string out;
  out.reserve(size);
  out.append(kMagic);
  out.push_back(static_cast<char>(type));
  for (std::string_view field : fields) {
    absl::StrAppend(&out, field.size(), ":");
    out.append(field);
  }
  return out;
}

absl::StatusOr<ClusterMessage> DecodeClusterMessage(std::string_view payload) {
  if (payload.size() < kMagic.size() + 1 || !payload.starts_with(kMagic)) {
    return absl::InvalidArgumentError("not a realtime-gateway cluster message");
  }
  const char type = payload[kMagic.size()];
  if (!KnownType(type)) return absl::InvalidArgumentError("unknown cluster message type");
  ClusterMessage message;
  message.type = static_cast<ClusterMessage::Type>(type);
  const size_t expected = FieldCount(message.type);
  message.fields.reserve(expected);
  std::string_view rest = payload.substr(kMagic.size() + 1);
  while (!rest.empty()) {
    if (message.fields.size() == expected) {
      return absl::InvalidArgumentError("bytes after the last field");
    }
    const size_t colon = rest.find(':');
    // At most 10 digits: no field can be longer than a Redis message anyway.
    if (colon == std::string_view::npos || colon == 0 || colon > 10) {
      return absl::InvalidArgumentError("malformed field length");
    }
    const std::string_view digits = rest.substr(0, colon);
    for (char c : digits) {
      if (c < '0' || c > '9') return absl::InvalidArgumentError("malformed field length");
    }
    uint64_t length = 0;
    if (!absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &length) ||
        length > rest.size() - colon - 1) {
      return absl::InvalidArgumentError("field longer than the message");
    }
    message.fields.push_back(rest.substr(colon + 1, length));
    rest.remove_prefix(colon + 1 + length);
  }
  if (message.fields.size() != expected) {
    return absl::InvalidArgumentError("wrong number of fields");
  }
  return message;
}

absl::StatusOr<core::ChannelEvent> ChannelEventOf(const ClusterMessage& message) {
  int kind = 0;
  uint32_t count = 0;
  if (message.type != ClusterMessage::Type::kChannelEvent ||
      message.fields.size() != FieldCount(message.type) ||
      !absl::SimpleAtoi(absl::string_view(message.fields[0].data(), message.fields[0].size()),
                        &kind) ||
      kind < 1 || kind > 7 ||
      !absl::SimpleAtoi(absl::string_view(message.fields[6].data(), message.fields[6].size()),
                        &count)) {
    return absl::InvalidArgumentError("not a channel event");
  }
  core::ChannelEvent event;
  event.kind = static_cast<core::ChannelEvent::Kind>(kind);
  event.channel = std::string(message.fields[1]);
  event.user_id = std::string(message.fields[2]);
  event.event = std::string(message.fields[3]);
  event.data = std::string(message.fields[4]);
  event.socket_id = std::string(message.fields[5]);
  event.subscription_count = count;
  return event;
}

}  // namespace gw::cluster
