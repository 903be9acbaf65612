#include "gateway/cluster/redis_script.h"

#include <openssl/sha.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace gw::cluster {

std::string Sha1Hex(std::string_view bytes) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

RedisScript::RedisScript(std::string source)
    : source_(std::move(source)), sha1_(Sha1Hex(source_)) {}

}  // namespace gw::cluster
