// Redis over TLS (rediss://): Debian's redis-server 7 serves TLS with --tls-port; the test makes
// its own CA and server certificate with the openssl command line.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gateway/cluster/redis_connection.h"
#include "gateway/cluster/redis_options.h"
#include "gateway/cluster/redis_subscriber.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gateway/cluster/redis_server.h"
#include "tests/gateway/cluster/test_loop.h"

namespace gw::cluster {
namespace {

using ::testing::HasSubstr;
using testing::RedisServer;
using testing::TestCertificates;
using testing::TestLoop;

class RedisTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = testing::MakeTempDirectory("redis-tls-test");
    absl::StatusOr<TestCertificates> certificates = testing::MakeTestCertificates(directory_);
    ASSERT_TRUE(certificates.ok()) << certificates.status();
    certificates_ = *certificates;
    server_.emplace(ServerOptions());
    const absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  RedisServer::Options ServerOptions() {
    RedisServer::Options options;
    options.password = "pw";
    options.tls_cert_file = certificates_.cert_file;
    options.tls_key_file = certificates_.key_file;
    return options;
  }

  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(directory_);
  }

  RedisOptions Options(const std::string& ca_file, const std::string& host = "127.0.0.1") {
    RedisOptions options;
    options.url = *ParseRedisUrl(absl::StrCat("rediss://:pw@", host, ":", server_->port()));
    absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> tls = MakeRedisTlsContext(ca_file);
    EXPECT_TRUE(tls.ok()) << tls.status();
    if (tls.ok()) options.tls = *tls;
    return options;
  }

  TestLoop loop_;
  std::string directory_;
  TestCertificates certificates_;
  std::optional<RedisServer> server_;
};

TEST_F(RedisTlsTest, CommandsAndPubSubWorkOverTlsWithThePrivateCa) {
  bool connected = false;
  RedisConnection::Handlers connection_handlers;
  connection_handlers.on_connected = [&] { connected = true; };
  auto connection = RedisConnection::Create(loop_.io(), Options(certificates_.ca_file),
                                            std::move(connection_handlers));
  connection->Start();
  ASSERT_TRUE(loop_.RunUntil([&] { return connected; })) << connection->last_error();

  std::vector<std::string> messages;
  bool subscribed = false;
  RedisSubscriber::Handlers subscriber_handlers;
  subscriber_handlers.on_subscribed = [&](std::string_view) { subscribed = true; };
  subscriber_handlers.on_message = [&](std::string_view, std::string_view payload) {
    messages.emplace_back(payload);
  };
  auto subscriber = RedisSubscriber::Create(loop_.io(), Options(certificates_.ca_file, "localhost"),
                                            std::move(subscriber_handlers));
  subscriber->Subscribe("secure");
  subscriber->Start();
  ASSERT_TRUE(loop_.RunUntil([&] { return subscribed; })) << subscriber->last_error();

  const std::string big(256 * 1024, 'z');
  std::optional<absl::StatusOr<RedisReply>> published;
  connection->Command({"PUBLISH", "secure", big},
                      [&](absl::StatusOr<RedisReply> reply) { published = reply; });
  ASSERT_TRUE(loop_.RunUntil([&] { return published.has_value() && messages.size() == 1; }));
  EXPECT_EQ(**published, RedisReply::Integer(1));
  EXPECT_TRUE(messages[0] == big);
}

TEST_F(RedisTlsTest, ServerCertificateFromAnotherCaIsRefusedWithAClearError) {
  auto connection = RedisConnection::Create(loop_.io(), Options(certificates_.other_ca_file), {});
  connection->Start();
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return RedisCounters::Get(connection->counters().connect_failures) >= 1; }));
  EXPECT_FALSE(connection->connected());
  EXPECT_EQ(connection->last_error().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(connection->last_error().message(), HasSubstr("TLS handshake"));
  EXPECT_THAT(connection->last_error().message(), HasSubstr("certificate verify failed"));
}

TEST_F(RedisTlsTest, HostNameMustMatchTheCertificate) {
  // The certificate names 127.0.0.1 and localhost; 127.0.0.2 reaches the same server.
  server_.reset();
  RedisServer::Options both_addresses = ServerOptions();
  both_addresses.args = {"--bind", "127.0.0.1", "127.0.0.2"};
  server_.emplace(std::move(both_addresses));
  ASSERT_TRUE(server_->Start().ok());
  auto connection =
      RedisConnection::Create(loop_.io(), Options(certificates_.ca_file, "127.0.0.2"), {});
  connection->Start();
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return RedisCounters::Get(connection->counters().connect_failures) >= 1; }));
  EXPECT_THAT(connection->last_error().message(), HasSubstr("TLS handshake"));
}

TEST(MakeRedisTlsContext, UnreadableCaFileNamesTheKeyAndTheFile) {
  const absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> tls =
      MakeRedisTlsContext("/nonexistent/ca.pem");
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(tls.status().message(), HasSubstr("redis_tls_ca_file /nonexistent/ca.pem"));
}

TEST(MakeRedisTlsContext, SystemStoreAloneLoads) { EXPECT_TRUE(MakeRedisTlsContext("").ok()); }

}  // namespace
}  // namespace gw::cluster
