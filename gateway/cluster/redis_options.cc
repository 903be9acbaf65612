#include "gateway/cluster/redis_options.h"

#include <boost/asio/ssl/context.hpp>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gw::cluster {

RedisLimits SubscriberLimits() {
  RedisLimits limits;
  limits.max_reply_bytes = 8 << 20;
  return limits;
}

absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> MakeRedisTlsContext(
    const std::string& ca_file) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code error;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       error);
  if (!error) context->set_default_verify_paths(error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("redis TLS: cannot load the system CA store: ", error.message()));
  }
  if (!ca_file.empty()) {
    context->load_verify_file(ca_file, error);
    if (error) {
      return absl::InvalidArgumentError(absl::StrCat(
          "redis_tls_ca_file ", ca_file, ": cannot load PEM certificates: ", error.message()));
    }
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

}  // namespace gw::cluster
