#include "clients/cpp/realtime_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/test_certificates.h"

namespace gw::client {
namespace {

namespace v1 = ::realtime::v1;
using ::testing::ElementsAre;

// A ControlPlane that records what it was sent and answers as a test tells it to. Publish stands
// in for every unary RPC (they share one code path in the client); WatchEvents streams scripted
// events, then either ends with a status or stays open until the client goes away.
class FakeControlPlane final : public v1::ControlPlane::Service {
 public:
  grpc::Status Publish(grpc::ServerContext* context, const v1::PublishRequest* request,
                       v1::PublishResponse* response) override {
    bool hold = false;
    {
      absl::MutexLock lock(&mutex_);
      Record(*context, request->app_id());
      hold = wait_for_cancel_;
    }
    if (hold) {
      WaitUntilCancelled(*context);
      return grpc::Status::CANCELLED;
    }
    absl::MutexLock lock(&mutex_);
    if (unavailable_answers_ > 0) {
      --unavailable_answers_;
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "draining");
    }
    (*response->mutable_channels())["seen"].set_subscription_count(7);
    return unary_status_;
  }

  grpc::Status WatchEvents(grpc::ServerContext* context, const v1::WatchEventsRequest* request,
                           grpc::ServerWriter<v1::ChannelEvent>* writer) override {
    std::vector<v1::ChannelEvent> events;
    bool hold_open = false;
    grpc::Status end;
    {
      absl::MutexLock lock(&mutex_);
      Record(*context, request->app_id());
      events = watch_events_;
      hold_open = hold_watch_open_;
      end = watch_status_;
    }
    for (const v1::ChannelEvent& event : events) writer->Write(event);
    if (!hold_open) return end;
    watch_started_.Notify();
    WaitUntilCancelled(*context);
    return grpc::Status::CANCELLED;
  }

  void AnswerUnavailable(int times) {
    absl::MutexLock lock(&mutex_);
    unavailable_answers_ = times;
  }
  void AnswerUnary(grpc::Status status) {
    absl::MutexLock lock(&mutex_);
    unary_status_ = std::move(status);
  }
  void HoldUnaryUntilCancelled() {
    absl::MutexLock lock(&mutex_);
    wait_for_cancel_ = true;
  }
  void ScriptWatch(std::vector<v1::ChannelEvent> events, grpc::Status end, bool hold_open) {
    absl::MutexLock lock(&mutex_);
    watch_events_ = std::move(events);
    watch_status_ = std::move(end);
    hold_watch_open_ = hold_open;
  }
  int calls() {
    absl::MutexLock lock(&mutex_);
    return calls_;
  }
  std::string last_authorization() {
    absl::MutexLock lock(&mutex_);
    return last_authorization_;
  }
  std::string last_app_id() {
    absl::MutexLock lock(&mutex_);
    return last_app_id_;
  }
  absl::Notification& watch_started() { return watch_started_; }

 private:
  void Record(const grpc::ServerContext& context, const std::string& app_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    ++calls_;
    last_app_id_ = app_id;
    last_authorization_.clear();
    const auto& metadata = context.client_metadata();
    if (auto it = metadata.find("authorization"); it != metadata.end()) {
      last_authorization_.assign(it->second.data(), it->second.size());
    }
  }

  // Bounded, so a broken client fails the test instead of hanging the server's shutdown.
  static void WaitUntilCancelled(grpc::ServerContext& context) {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (!context.IsCancelled() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(2));
  }

  absl::Mutex mutex_;
  int calls_ ABSL_GUARDED_BY(mutex_) = 0;
  int unavailable_answers_ ABSL_GUARDED_BY(mutex_) = 0;
  bool wait_for_cancel_ ABSL_GUARDED_BY(mutex_) = false;
  grpc::Status unary_status_ ABSL_GUARDED_BY(mutex_);
  std::string last_authorization_ ABSL_GUARDED_BY(mutex_);
  std::string last_app_id_ ABSL_GUARDED_BY(mutex_);
  std::vector<v1::ChannelEvent> watch_events_ ABSL_GUARDED_BY(mutex_);
  grpc::Status watch_status_ ABSL_GUARDED_BY(mutex_);
  bool hold_watch_open_ ABSL_GUARDED_BY(mutex_) = false;
  absl::Notification watch_started_;
};

class RealtimeClientTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(grpc::InsecureServerCredentials()); }

  void StartServer(std::shared_ptr<grpc::ServerCredentials> credentials) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", std::move(credentials), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  }

  RealtimeClientOptions Options() const {
    RealtimeClientOptions options;
    options.target = "127.0.0.1:" + std::to_string(port_);
    options.app_id = "app-1";
    options.token = "token-1";
    options.retry.initial_backoff = std::chrono::milliseconds(1);
    options.retry.max_backoff = std::chrono::milliseconds(4);
    return options;
  }

  std::unique_ptr<RealtimeClient> Connect(RealtimeClientOptions options) {
    absl::StatusOr<std::unique_ptr<RealtimeClient>> client = RealtimeClient::Create(options);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  static v1::PublishRequest APublish() {
    v1::PublishRequest request;
    request.add_channels("orders");
    request.set_name("shipped");
    return request;
  }

  static v1::ChannelEvent Event(v1::ChannelEvent::Kind kind, std::string channel) {
    v1::ChannelEvent event;
    event.set_kind(kind);
    event.set_channel(std::move(channel));
    return event;
  }

  FakeControlPlane service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(RealtimeClientTest, SendsTheBearerTokenAndFillsInTheAppId) {
  auto client = Connect(Options());
  absl::StatusOr<v1::PublishResponse> response = client->Publish(APublish());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->channels().at("seen").subscription_count(), 7u);
  EXPECT_EQ(service_.last_authorization(), "Bearer token-1");
  EXPECT_EQ(service_.last_app_id(), "app-1");
}

TEST_F(RealtimeClientTest, KeepsAnAppIdTheRequestSets) {
  auto client = Connect(Options());
  v1::PublishRequest request = APublish();
  request.set_app_id("other-app");
  ASSERT_TRUE(client->Publish(request).ok());
  EXPECT_EQ(service_.last_app_id(), "other-app");
}

TEST_F(RealtimeClientTest, DerivesTheTokenFromTheSecretWhenNoTokenIsGiven) {
  RealtimeClientOptions options = Options();
  options.token.clear();
  options.app_secret = "app-secret";
  auto client = Connect(options);
  ASSERT_TRUE(client->Publish(APublish()).ok());
  EXPECT_EQ(service_.last_authorization(),
            "Bearer fddccba78a29932978594bacc307e66bfb9fcbde6b8cf211a74498c13e69ac03");
}

TEST_F(RealtimeClientTest, PrefersTheTokenOverTheSecret) {
  RealtimeClientOptions options = Options();
  options.app_secret = "app-secret";
  auto client = Connect(options);
  ASSERT_TRUE(client->Publish(APublish()).ok());
  EXPECT_EQ(service_.last_authorization(), "Bearer token-1");
}

TEST_F(RealtimeClientTest, ReturnsTheGatewaysCodeAndMessage) {
  service_.AnswerUnary(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "app disabled"));
  auto client = Connect(Options());
  absl::StatusOr<v1::PublishResponse> response = client->Publish(APublish());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(response.status().message(), "app disabled");
}

TEST_F(RealtimeClientTest, RetriesUnavailableUntilTheGatewayAnswers) {
  service_.AnswerUnavailable(2);
  auto client = Connect(Options());
  absl::StatusOr<v1::PublishResponse> response = client->Publish(APublish());
  EXPECT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(service_.calls(), 3);
}

TEST_F(RealtimeClientTest, GivesUpWithUnavailableAfterMaxRetries) {
  service_.AnswerUnavailable(100);
  RealtimeClientOptions options = Options();
  options.retry.max_retries = 2;
  auto client = Connect(options);
  absl::StatusOr<v1::PublishResponse> response = client->Publish(APublish());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(response.status().message(), "draining");
  EXPECT_EQ(service_.calls(), 3);
}

TEST_F(RealtimeClientTest, DoesNotRetryOtherCodes) {
  service_.AnswerUnary(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "channels: empty"));
  auto client = Connect(Options());
  EXPECT_EQ(client->Publish(APublish()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.calls(), 1);
}

TEST_F(RealtimeClientTest, StopsRetryingWhenTheBackoffWouldPassTheDeadline) {
  service_.AnswerUnavailable(100);
  RealtimeClientOptions options = Options();
  options.retry.max_retries = 50;
  options.retry.initial_backoff = std::chrono::milliseconds(1600);
  options.retry.max_backoff = std::chrono::milliseconds(1600);
  options.deadline = std::chrono::milliseconds(4000);
  auto client = Connect(options);
  EXPECT_EQ(client->Publish(APublish()).status().code(), absl::StatusCode::kUnavailable);
  // Waits are 800..1600 ms, so at most 5 attempts fit in 4 s; at least the first two do, unless
  // the first call alone (connecting included) takes 2.4 s: a wide margin under TSan on 2 cores.
  EXPECT_GE(service_.calls(), 2);
  EXPECT_LE(service_.calls(), 5);
}

TEST_F(RealtimeClientTest, EndsAUnaryCallAtTheDeadline) {
  service_.HoldUnaryUntilCancelled();
  RealtimeClientOptions options = Options();
  options.deadline = std::chrono::milliseconds(100);
  auto client = Connect(options);
  EXPECT_EQ(client->Publish(APublish()).status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(RealtimeClientTest, ReportsAnUnreachableGatewayAsUnavailable) {
  server_->Shutdown(std::chrono::system_clock::now());
  server_.reset();
  auto client = Connect(Options());
  EXPECT_EQ(client->Publish(APublish()).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(RealtimeClientTest, WatchDeliversEventsInOrderAndReturnsHowTheStreamEnded) {
  service_.ScriptWatch(
      {Event(v1::ChannelEvent::CHANNEL_OCCUPIED, "a"),
       Event(v1::ChannelEvent::MEMBER_ADDED, "presence-b"), Event(v1::ChannelEvent::OVERFLOW, "")},
      grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "watcher fell behind"),
      /*hold_open=*/false);
  auto client = Connect(Options());
  std::vector<std::string> seen;
  const absl::Status status = client->WatchEvents({}, [&](const v1::ChannelEvent& event) {
    seen.push_back(v1::ChannelEvent::Kind_Name(event.kind()) + " " + event.channel());
  });
  EXPECT_THAT(seen, ElementsAre("CHANNEL_OCCUPIED a", "MEMBER_ADDED presence-b", "OVERFLOW "));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "watcher fell behind");
  EXPECT_EQ(service_.last_app_id(), "app-1");
  EXPECT_EQ(service_.last_authorization(), "Bearer token-1");
}

TEST_F(RealtimeClientTest, WatchIsNotRetried) {
  service_.ScriptWatch({}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "draining"), false);
  auto client = Connect(Options());
  const absl::Status status = client->WatchEvents({}, [](const v1::ChannelEvent&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(service_.calls(), 1);
}

TEST_F(RealtimeClientTest, CancelFromAnotherThreadEndsABlockingWatch) {
  service_.ScriptWatch({Event(v1::ChannelEvent::CHANNEL_OCCUPIED, "a")}, grpc::Status::OK,
                       /*hold_open=*/true);
  auto client = Connect(Options());
  WatchCancellation cancellation;
  absl::Notification first_event;
  absl::Status status;
  std::thread watcher([&] {
    status = client->WatchEvents(
        {}, [&](const v1::ChannelEvent&) { first_event.Notify(); }, &cancellation);
  });
  // EXPECT, not ASSERT: the watcher is cancelled and joined whatever happened.
  EXPECT_TRUE(first_event.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(service_.watch_started().WaitForNotificationWithTimeout(absl::Seconds(10)));
  cancellation.Cancel();
  watcher.join();
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(cancellation.IsCancelled());
}

TEST_F(RealtimeClientTest, CancelFromInsideTheCallbackEndsTheWatch) {
  service_.ScriptWatch({Event(v1::ChannelEvent::CHANNEL_OCCUPIED, "a")}, grpc::Status::OK,
                       /*hold_open=*/true);
  auto client = Connect(Options());
  WatchCancellation cancellation;
  const absl::Status status = client->WatchEvents(
      {}, [&](const v1::ChannelEvent&) { cancellation.Cancel(); }, &cancellation);
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
}

TEST_F(RealtimeClientTest, AWatchCancelledBeforeItStartsNeverReachesTheGateway) {
  auto client = Connect(Options());
  WatchCancellation cancellation;
  cancellation.Cancel();
  const absl::Status status = client->WatchEvents(
      {}, [](const v1::ChannelEvent&) {}, &cancellation);
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(RealtimeClientTest, CreateWithChannelUsesTheCallersChannel) {
  absl::StatusOr<std::unique_ptr<RealtimeClient>> client = RealtimeClient::CreateWithChannel(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()),
      Options());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Publish(APublish()).ok());
  EXPECT_EQ(service_.last_authorization(), "Bearer token-1");
}

// The same fake behind TLS that requires a client certificate signed by the test CA.
class RealtimeClientTlsTest : public RealtimeClientTest {
 protected:
  void SetUp() override {
    grpc::SslServerCredentialsOptions tls(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    tls.pem_root_certs = testing::kTestCaPem;
    tls.pem_key_cert_pairs.push_back({testing::kServerKeyPem, testing::kServerCertPem});
    StartServer(grpc::SslServerCredentials(tls));
  }

  // Writes `pem` to a file of its own and returns the path. The running test's name is part of
  // it: CTest runs tests as parallel processes, and one must not read a file another rewrites.
  static std::string PemFile(const std::string& name, const char* pem) {
    const std::string path =
        ::testing::TempDir() + "realtime_client_test_" +
        ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" + name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << pem;
    return path;
  }

  RealtimeClientOptions TlsClientOptions() const {
    RealtimeClientOptions options = Options();
    options.tls = TlsOptions{PemFile("ca.pem", testing::kTestCaPem),
                             PemFile("client.pem", testing::kClientCertPem),
                             PemFile("client.key", testing::kClientKeyPem)};
    return options;
  }
};

TEST_F(RealtimeClientTlsTest, ReachesTheGatewayWithMutualTls) {
  auto client = Connect(TlsClientOptions());
  absl::StatusOr<v1::PublishResponse> response = client->Publish(APublish());
  EXPECT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(service_.last_authorization(), "Bearer token-1");
}

TEST_F(RealtimeClientTlsTest, FailsWithoutTheClientCertificate) {
  RealtimeClientOptions options = TlsClientOptions();
  options.tls->cert_chain_file.clear();
  options.tls->private_key_file.clear();
  auto client = Connect(options);
  EXPECT_EQ(client->Publish(APublish()).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(RealtimeClientTlsTest, FailsWhenTheRootsDoNotVerifyTheServer) {
  RealtimeClientOptions options = TlsClientOptions();
  options.tls->root_ca_file = PemFile("not-a-ca.pem", testing::kClientCertPem);
  auto client = Connect(options);
  EXPECT_EQ(client->Publish(APublish()).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(RealtimeClientTlsTest, FailsInPlainText) {
  RealtimeClientOptions options = Options();
  auto client = Connect(options);
  EXPECT_EQ(client->Publish(APublish()).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(service_.calls(), 0);
}

TEST(RealtimeClientCreate, RequiresAnAppId) {
  RealtimeClientOptions options;
  options.token = "t";
  EXPECT_EQ(RealtimeClient::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RealtimeClientCreate, RequiresATokenOrASecret) {
  RealtimeClientOptions options;
  options.app_id = "app";
  absl::StatusOr<std::unique_ptr<RealtimeClient>> client = RealtimeClient::Create(options);
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(client.status().message(), ::testing::HasSubstr("secret"));
}

TEST(RealtimeClientCreate, NamesAnUnreadableTlsFile) {
  RealtimeClientOptions options;
  options.app_id = "app";
  options.token = "t";
  options.tls = TlsOptions{"/nonexistent/ca.pem", "", ""};
  absl::StatusOr<std::unique_ptr<RealtimeClient>> client = RealtimeClient::Create(options);
  EXPECT_EQ(client.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(client.status().message(), ::testing::HasSubstr("/nonexistent/ca.pem"));
}

TEST(RealtimeClientCreate, WantsAClientCertificateAndKeyTogether) {
  RealtimeClientOptions options;
  options.app_id = "app";
  options.token = "t";
  options.tls = TlsOptions{"", "/tmp/cert.pem", ""};
  EXPECT_EQ(RealtimeClient::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RetryPolicy, DoublesTheBackoffUpToTheCap) {
  RetryPolicy policy;
  policy.initial_backoff = std::chrono::milliseconds(100);
  policy.max_backoff = std::chrono::milliseconds(1000);
  EXPECT_EQ(policy.BackoffBefore(1), std::chrono::milliseconds(100));
  EXPECT_EQ(policy.BackoffBefore(2), std::chrono::milliseconds(200));
  EXPECT_EQ(policy.BackoffBefore(4), std::chrono::milliseconds(800));
  EXPECT_EQ(policy.BackoffBefore(5), std::chrono::milliseconds(1000));
  EXPECT_EQ(policy.BackoffBefore(60), std::chrono::milliseconds(1000));
}

TEST(FromGrpcStatus, KeepsCodeAndMessage) {
  const absl::Status status =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(status.message(), "bad token");
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

}  // namespace
}  // namespace gw::client
