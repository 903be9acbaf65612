#include "gateway/pusher/auth_payloads.h"

#include <openssl/sha.h>

#include <boost/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace gw::pusher {
namespace {

constexpr size_t kMaxUserIdLength = 128;

absl::Status CheckUserId(std::string_view user_id) {
  if (user_id.empty()) return absl::InvalidArgumentError("user_id: required");
  if (user_id.size() > kMaxUserIdLength) {
    return absl::InvalidArgumentError("user_id: longer than 128 characters");
  }
  return absl::OkStatus();
}

// Parses user_info text (empty = null) without letting an exception out.
absl::StatusOr<boost::json::value> ParseUserInfo(std::string_view user_info_json) {
  if (user_info_json.empty()) return boost::json::value(nullptr);
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(user_info_json, ec);
  if (ec) return absl::InvalidArgumentError("user_info_json: not valid JSON");
  return value;
}

}  // namespace

absl::StatusOr<std::string> EncodePresenceChannelData(std::string_view user_id,
                                                      std::string_view user_info_json) {
  if (absl::Status status = CheckUserId(user_id); !status.ok()) return status;
  auto info = ParseUserInfo(user_info_json);
  if (!info.ok()) return info.status();
  boost::json::object data;
  data["user_id"] = user_id;
  data["user_info"] = std::move(*info);
  return boost::json::serialize(data);
}

absl::StatusOr<std::string> EncodeUserData(std::string_view user_id,
                                           std::string_view user_info_json,
                                           const std::vector<std::string>& watchlist) {
  if (absl::Status status = CheckUserId(user_id); !status.ok()) return status;
  boost::json::object data;
  data["id"] = user_id;
  if (!user_info_json.empty()) {
    auto info = ParseUserInfo(user_info_json);
    if (!info.ok()) return info.status();
    data["user_info"] = std::move(*info);
  }
  if (!watchlist.empty()) {
    boost::json::array ids;
    for (const std::string& id : watchlist) ids.emplace_back(id);
    data["watchlist"] = std::move(ids);
  }
  return boost::json::serialize(data);
}

std::string EncryptedChannelSharedSecret(std::string_view channel, std::string_view master_key) {
  std::string material;
  material.reserve(channel.size() + master_key.size());
  material.append(channel).append(master_key);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest);
  return absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace gw::pusher
