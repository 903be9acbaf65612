#include "gateway/pusher/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <initializer_list>
#include <limits>

namespace gw::pusher {
namespace {

std::string LowerHex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

// OpenSSL reads a NULL key as "keep the previous key", so an empty key needs a real pointer.
const unsigned char* BytesOf(std::string_view s) {
  static constexpr unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

// absl::StrCat would do, but this abseil build's absl::string_view is not std::string_view.
std::string Concat(std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  std::string out;
  out.reserve(size);
  for (std::string_view part : parts) out.append(part);
  return out;
}

}  // namespace

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  // HMAC takes an int key length; app secrets are short, anything absurd fails closed ("").
  if (key.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return "";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), BytesOf(key), static_cast<int>(key.size()), BytesOf(message),
           message.size(), mac, &mac_size) == nullptr) {
    return "";
  }
  return LowerHex(mac, mac_size);
}

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  // Fails only where MD5 is unavailable (a FIPS-only provider); "" then never matches a body_md5.
  if (EVP_Digest(BytesOf(data), data.size(), digest, &digest_size, EVP_md5(), nullptr) != 1) {
    return "";
  }
  return LowerHex(digest, digest_size);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // On a length mismatch `a` is compared with itself, so the time spent depends on a's length
  // only, never on where the contents differ.
  const bool same_size = a.size() == b.size();
  const std::string_view other = same_size ? b : a;
  const bool same_bytes = CRYPTO_memcmp(BytesOf(a), BytesOf(other), a.size()) == 0;
  return same_size & same_bytes;
}

std::string ChannelAuthPayload(std::string_view socket_id, std::string_view channel,
                               std::string_view channel_data) {
  if (channel_data.empty()) return Concat({socket_id, ":", channel});
  return Concat({socket_id, ":", channel, ":", channel_data});
}

std::string SignChannelAuth(std::string_view app_key, std::string_view app_secret,
                            std::string_view socket_id, std::string_view channel,
                            std::string_view channel_data) {
  return Concat({app_key, ":",
                 HmacSha256Hex(app_secret, ChannelAuthPayload(socket_id, channel, channel_data))});
}

bool VerifyChannelAuth(std::string_view app_key, std::string_view app_secret,
                       std::string_view socket_id, std::string_view channel,
                       std::string_view channel_data, std::string_view auth) {
  const std::string signature =
      HmacSha256Hex(app_secret, ChannelAuthPayload(socket_id, channel, channel_data));
  // A failed HMAC yields "" and must not let "app_key:" through.
  if (signature.empty()) return false;
  return ConstantTimeEquals(Concat({app_key, ":", signature}), auth);
}

std::string SignUserAuth(std::string_view app_key, std::string_view app_secret,
                         std::string_view socket_id, std::string_view user_data) {
  return Concat(
      {app_key, ":", HmacSha256Hex(app_secret, Concat({socket_id, "::user::", user_data}))});
}

bool VerifyUserAuth(std::string_view app_key, std::string_view app_secret,
                    std::string_view socket_id, std::string_view user_data, std::string_view auth) {
  const std::string signature =
      HmacSha256Hex(app_secret, Concat({socket_id, "::user::", user_data}));
  if (signature.empty()) return false;
  return ConstantTimeEquals(Concat({app_key, ":", signature}), auth);
}

}  // namespace gw::pusher
