#include "gateway/pusher/channel_name.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gw::pusher {
namespace {

constexpr std::string_view kServerToUserPrefix = "#server-to-user-";

bool IsChannelNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '=' || c == '@' || c == ',' || c == '.' || c == ';';
}

// The message goes back to the client inside JSON, so a raw byte (maybe invalid UTF-8) is shown
// by its value instead of being copied in.
std::string DescribeByte(char c) {
  if (c > ' ' && c < 0x7f) return absl::StrCat("'", std::string(1, c), "'");
  return absl::StrFormat("byte 0x%02x", static_cast<unsigned char>(c));
}

absl::Status CheckCharacters(std::string_view name, size_t from) {
  for (size_t i = from; i < name.size(); ++i) {
    if (!IsChannelNameChar(name[i])) {
      return absl::InvalidArgumentError(absl::StrCat("channel name has an invalid character ",
                                                     DescribeByte(name[i]), " at position ", i,
                                                     "; allowed are A-Z a-z 0-9 _ - = @ , . ;"));
    }
  }
  return absl::OkStatus();
}

struct PrefixKind {
  std::string_view prefix;
  ChannelTraits traits;
};

// Longest prefixes first: "private-encrypted-" must win over "private-".
constexpr PrefixKind kPrefixKinds[] = {
    {"private-encrypted-cache-", {ChannelKind::kPrivateEncrypted, true}},
    {"private-encrypted-", {ChannelKind::kPrivateEncrypted, false}},
    {"private-cache-", {ChannelKind::kPrivate, true}},
    {"private-", {ChannelKind::kPrivate, false}},
    {"presence-cache-", {ChannelKind::kPresence, true}},
    {"presence-", {ChannelKind::kPresence, false}},
    {"cache-", {ChannelKind::kPublic, true}},
};

}  // namespace

absl::StatusOr<ChannelTraits> ClassifyChannel(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("channel name is empty");
  if (name.size() > kMaxChannelNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("channel name is longer than ", kMaxChannelNameLength, " characters"));
  }
  if (name.starts_with(kServerToUserPrefix)) {
    if (name.size() == kServerToUserPrefix.size()) {
      return absl::InvalidArgumentError("channel name #server-to-user- has no user id");
    }
    if (absl::Status status = CheckCharacters(name, kServerToUserPrefix.size()); !status.ok()) {
      return status;
    }
    return ChannelTraits{ChannelKind::kServerToUser, false};
  }
  if (absl::Status status = CheckCharacters(name, 0); !status.ok()) return status;
  for (const PrefixKind& entry : kPrefixKinds) {
    if (name.starts_with(entry.prefix)) return entry.traits;
  }
  return ChannelTraits{ChannelKind::kPublic, false};
}

std::string_view ChannelTemplate(std::string_view name) {
  auto traits = ClassifyChannel(name);
  if (!traits.ok()) return "invalid";
  switch (traits->kind) {
    case ChannelKind::kPrivateEncrypted:
      return "private-encrypted-*";
    case ChannelKind::kPrivate:
      return "private-*";
    case ChannelKind::kPresence:
      return "presence-*";
    case ChannelKind::kServerToUser:
      return "#server-to-user-*";
    case ChannelKind::kPublic:
      return traits->cache ? "cache-*" : "public";
  }
  return "public";
}

absl::Status ValidateEventName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("event name is empty");
  if (name.size() > kMaxEventNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("event name is longer than ", kMaxEventNameLength, " characters"));
  }
  return absl::OkStatus();
}

}  // namespace gw::pusher
