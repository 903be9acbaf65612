#include "gateway/webhooks/webhook_dispatcher.h"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/app_directory.h"
#include "gateway/pusher/signature.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/test_certificates.h"
#include "tests/gateway/webhooks/channel_events.h"

namespace gw::webhooks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Kind = core::ChannelEvent::Kind;
using std::chrono::milliseconds;
using testing::Event;
using ::testing::HasSubstr;

constexpr milliseconds kWait(5000);  // bound of every wait for something that should happen

struct Received {
  std::string target;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  size_t connection = 0;  // which accepted connection carried it
};

// A webhook receiver on 127.0.0.1 (plain HTTP or TLS with the test PKI), answering each request
// with the next queued status (200 when none is queued). Blocking Beast, a thread per connection.
class Receiver {
 public:
  struct Options {
    bool tls = false;
    bool close_after_each_response = false;  // keep-alive answered, then closed anyway
    bool hold_responses = false;             // answer only after Release()
  };

  explicit Receiver(Options options) : options_(options) {
    if (options_.tls) {
      tls_.use_certificate_chain(asio::buffer(std::string_view(client::testing::kServerCertPem)));
      tls_.use_private_key(asio::buffer(std::string_view(client::testing::kServerKeyPem)),
                           asio::ssl::context::pem);
    }
    acceptor_.open(tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  Receiver() : Receiver(Options{}) {}

  ~Receiver() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      hold_ = false;
    }
    changed_.notify_all();
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    accept_thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int fd : open_sockets_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(connection_threads_);
    }
    for (std::thread& thread : threads) thread.join();
  }

  std::string url(const std::string& path = "/hook") const {
    return std::string(options_.tls ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }

  void QueueStatuses(std::vector<unsigned> statuses) {
    std::lock_guard lock(mu_);
    statuses_.insert(statuses_.end(), statuses.begin(), statuses.end());
  }

  void Release() {
    {
      std::lock_guard lock(mu_);
      hold_ = false;
    }
    changed_.notify_all();
  }

  // Waits (bounded) until `count` requests have arrived.
  bool WaitForRequests(size_t count, milliseconds within = kWait) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, within, [&] { return requests_.size() >= count; });
  }

  std::vector<Received> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  size_t handshake_failures() const {
    std::lock_guard lock(mu_);
    return handshake_failures_;
  }

 private:
  void AcceptLoop() {
    for (size_t index = 0;; ++index) {
      boost::system::error_code error;
      tcp::socket socket = acceptor_.accept(error);
      std::lock_guard lock(mu_);
      if (error || stopping_) return;
      open_sockets_.push_back(socket.native_handle());
      connection_threads_.emplace_back(
          [this, index, socket = std::move(socket)]() mutable { Serve(std::move(socket), index); });
    }
  }

  void Serve(tcp::socket socket, size_t index) {
    if (!options_.tls) return ServeOn(socket, index);
    asio::ssl::stream<tcp::socket&> stream(socket, tls_);
    boost::system::error_code error;
    stream.handshake(asio::ssl::stream_base::server, error);
    if (error) {
      std::lock_guard lock(mu_);
      ++handshake_failures_;
      changed_.notify_all();
      return;
    }
    ServeOn(stream, index);
  }

  template <typename Stream>
  void ServeOn(Stream& stream, size_t index) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code error;
      http::read(stream, buffer, request, error);
      if (error) return;
      unsigned status = 200;
      {
        std::unique_lock lock(mu_);
        Received received{std::string(request.target()), {}, request.body(), index};
        for (const auto& field : request) {
          std::string name(field.name_string());
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          received.headers[name] = std::string(field.value());
        }
        requests_.push_back(std::move(received));
        changed_.notify_all();
        if (!statuses_.empty()) {
          status = statuses_.front();
          statuses_.pop_front();
        }
        changed_.wait(lock, [&] { return !hold_ || stopping_; });
        if (stopping_) return;
      }
      http::response<http::string_body> response{static_cast<http::status>(status), 11};
      response.body() = "ok";
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(stream, response, error);
      if (error || options_.close_after_each_response) return;
    }
  }

  const Options options_;
  asio::io_context io_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  tcp::acceptor acceptor_{io_};
  std::thread accept_thread_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool hold_ = options_.hold_responses;
  std::deque<unsigned> statuses_;
  std::vector<Received> requests_;
  size_t handshake_failures_ = 0;
  std::vector<int> open_sockets_;
  std::vector<std::thread> connection_threads_;
};

Receiver::Options Tls() {
  Receiver::Options options;
  options.tls = true;
  return options;
}
Receiver::Options CloseAfterEachResponse() {
  Receiver::Options options;
  options.close_after_each_response = true;
  return options;
}
Receiver::Options HoldingResponses() {
  Receiver::Options options;
  options.hold_responses = true;
  return options;
}

core::WebhookTarget Target(std::string url, std::vector<std::string> event_types = {},
                           std::string channel_prefix = "",
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  core::WebhookTarget target;
  target.url = std::move(url);
  target.event_types = std::move(event_types);
  target.channel_prefix = std::move(channel_prefix);
  target.headers = std::move(headers);
  return target;
}

core::App TestApp(std::vector<core::WebhookTarget> webhooks, bool batching = false) {
  core::App app;
  app.id = "hook-app";
  app.key = "hook-key";
  app.secret = "hook-secret";
  app.webhooks = std::move(webhooks);
  app.webhook_batching = batching;
  return app;
}

// Fast limits so that retries and holds fit in a test.
WebhookLimits FastLimits() {
  WebhookLimits limits;
  limits.vacate_delay = milliseconds(0);
  limits.request_timeout = milliseconds(2000);
  limits.initial_backoff = milliseconds(20);
  limits.max_backoff = milliseconds(100);
  limits.retry_max = std::chrono::seconds(5);
  return limits;
}

// The names of the events of one webhook body.
std::vector<std::string> NamesIn(const Received& request) {
  std::vector<std::string> names;
  const json::value body = json::parse(request.body);
  for (const json::value& event : body.at("events").as_array()) {
    names.push_back(std::string(event.at("name").as_string()) + ":" +
                    std::string(event.at("channel").as_string()));
  }
  return names;
}

std::unique_ptr<core::AppDirectory> DirectoryOf(core::App app) {
  std::vector<core::App> apps;
  apps.push_back(std::move(app));
  auto directory = core::AppDirectory::Create(std::move(apps), 1);
  EXPECT_TRUE(directory.ok()) << directory.status();
  return directory.ok() ? *std::move(directory) : nullptr;
}

class WebhookDispatcherTest : public ::testing::Test {
 protected:
  void StartWith(core::App app, WebhookLimits limits, std::string extra_ca = "") {
    directory_ = DirectoryOf(std::move(app));
    ASSERT_NE(directory_, nullptr);
    dispatcher_ = std::make_unique<WebhookDispatcher>(*directory_, limits, std::move(extra_ca));
    ASSERT_TRUE(dispatcher_->Start().ok());
  }
  void Emit(core::ChannelEvent event) { directory_->apps()[0]->events().Emit(std::move(event)); }
  void StopSoon() { dispatcher_->Stop(std::chrono::steady_clock::now() + kWait); }

  void TearDown() override {
    if (dispatcher_) StopSoon();
    dispatcher_.reset();
  }

  std::unique_ptr<core::AppDirectory> directory_;
  std::unique_ptr<WebhookDispatcher> dispatcher_;
};

TEST_F(WebhookDispatcherTest, PostsASignedPusherWebhook) {
  Receiver receiver;
  StartWith(TestApp({Target(receiver.url("/hook?x=1"), {}, "", {{"X-Api-Key", "k1"}})}),
            FastLimits());
  Emit(Event(Kind::kChannelOccupied, "orders"));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  StopSoon();  // the response is read before the receiver goes
  const Received request = receiver.requests()[0];
  EXPECT_EQ(request.target, "/hook?x=1");
  EXPECT_EQ(request.headers.at("content-type"), "application/json");
  EXPECT_EQ(request.headers.at("x-pusher-key"), "hook-key");
  EXPECT_EQ(request.headers.at("x-pusher-signature"),
            pusher::HmacSha256Hex("hook-secret", request.body));
  EXPECT_EQ(request.headers.at("x-api-key"), "k1");
  const json::value body = json::parse(request.body);
  EXPECT_GT(body.at("time_ms").as_int64(), 1700000000000);
  EXPECT_EQ(json::serialize(body.at("events")),
            R"([{"name":"channel_occupied","channel":"orders"}])");
}

TEST_F(WebhookDispatcherTest, WithoutBatchingEachEventIsOnePostOnOneKeptAliveConnection) {
  Receiver receiver;
  StartWith(TestApp({Target(receiver.url())}), FastLimits());
  for (const char* channel : {"a", "b", "c"}) Emit(Event(Kind::kChannelOccupied, channel));
  ASSERT_TRUE(receiver.WaitForRequests(3));
  const std::vector<Received> requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_THAT(NamesIn(requests[i]),
                ::testing::ElementsAre(std::string("channel_occupied:") + "abc"[i]));
    EXPECT_EQ(requests[i].connection, 0u);
  }
  StopSoon();
  EXPECT_EQ(dispatcher_->counters().sent.load(), 3u);
  EXPECT_EQ(dispatcher_->counters().failed_attempts.load(), 0u);
}

TEST_F(WebhookDispatcherTest, WithBatchingEventsShareOnePostInOrder) {
  Receiver receiver;
  WebhookLimits limits = FastLimits();
  // The batch goes when it is full, not when a window ran out: a test thread held up between
  // two Emits (a loaded machine, a sanitizer) must not split it.
  limits.batch_window = std::chrono::seconds(30);
  limits.max_batch_events = 4;
  StartWith(TestApp({Target(receiver.url())}, /*batching=*/true), limits);
  for (const char* channel : {"a", "b", "c", "d"}) Emit(Event(Kind::kChannelOccupied, channel));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  StopSoon();
  const std::vector<Received> requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(NamesIn(requests[0]),
              ::testing::ElementsAre("channel_occupied:a", "channel_occupied:b",
                                     "channel_occupied:c", "channel_occupied:d"));
}

TEST_F(WebhookDispatcherTest, FailedPostIsRetriedWithTheSameBodyAndHoldsBackLaterOnes) {
  Receiver receiver;
  receiver.QueueStatuses({500, 503});
  StartWith(TestApp({Target(receiver.url())}), FastLimits());
  Emit(Event(Kind::kChannelOccupied, "first"));
  Emit(Event(Kind::kChannelOccupied, "second"));
  ASSERT_TRUE(receiver.WaitForRequests(4));
  StopSoon();
  const std::vector<Received> requests = receiver.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[1].body, requests[2].body);
  EXPECT_THAT(NamesIn(requests[2]), ::testing::ElementsAre("channel_occupied:first"));
  EXPECT_THAT(NamesIn(requests[3]), ::testing::ElementsAre("channel_occupied:second"));
  const auto& counters = dispatcher_->counters();
  EXPECT_EQ(counters.sent.load(), 2u);
  EXPECT_EQ(counters.failed_attempts.load(), 2u);
  EXPECT_EQ(counters.retries.load(), 2u);
  EXPECT_EQ(counters.dropped.load(), 0u);
}

TEST_F(WebhookDispatcherTest, AttemptsAreCountedPerAppAndShownToAWatchingConsole) {
  Receiver receiver;
  receiver.QueueStatuses({503});
  StartWith(TestApp({Target(receiver.url("/hook"))}), FastLimits());
  core::AppActivity& activity = directory_->apps()[0]->activity();
  activity.Watch();
  Emit(Event(Kind::kChannelOccupied, "orders"));
  ASSERT_TRUE(receiver.WaitForRequests(2));
  StopSoon();
  EXPECT_EQ(activity.webhooks_sent(), 1u);
  EXPECT_EQ(activity.webhooks_failed(), 1u);
  std::vector<core::Activity> recorded;
  ASSERT_EQ(activity.Drain(recorded, 10), 2u);
  EXPECT_EQ(recorded[0].kind, core::Activity::Kind::kWebhookFailed);
  EXPECT_EQ(recorded[0].detail, receiver.url("/hook") + ": 503");
  EXPECT_EQ(recorded[1].kind, core::Activity::Kind::kWebhookSent);
  EXPECT_EQ(recorded[1].detail, receiver.url("/hook"));
  EXPECT_EQ(recorded[1].size, 1u);
}

TEST_F(WebhookDispatcherTest, GivesUpWhenTheRetryWindowIsOver) {
  Receiver receiver;
  receiver.QueueStatuses({500, 500, 500, 500, 500, 500, 500, 500});
  WebhookLimits limits = FastLimits();
  limits.retry_max = std::chrono::seconds(0);
  StartWith(TestApp({Target(receiver.url())}), limits);
  Emit(Event(Kind::kChannelOccupied, "lost"));
  Emit(Event(Kind::kChannelOccupied, "next"));
  ASSERT_TRUE(receiver.WaitForRequests(2));
  StopSoon();
  const auto& counters = dispatcher_->counters();
  EXPECT_EQ(receiver.requests().size(), 2u);  // no retries
  EXPECT_EQ(counters.failed_attempts.load(), 2u);
  EXPECT_EQ(counters.retries.load(), 0u);
  EXPECT_EQ(counters.dropped.load(), 2u);
}

TEST_F(WebhookDispatcherTest, AConnectionTheReceiverClosedIsReopenedWithoutAFailure) {
  Receiver receiver(CloseAfterEachResponse());
  StartWith(TestApp({Target(receiver.url())}), FastLimits());
  Emit(Event(Kind::kChannelOccupied, "a"));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  std::this_thread::sleep_for(milliseconds(50));  // let the close reach the dispatcher's socket
  Emit(Event(Kind::kChannelOccupied, "b"));
  ASSERT_TRUE(receiver.WaitForRequests(2));
  StopSoon();
  EXPECT_EQ(receiver.requests()[1].connection, 1u);
  EXPECT_EQ(dispatcher_->counters().sent.load(), 2u);
  EXPECT_EQ(dispatcher_->counters().failed_attempts.load(), 0u);
}

TEST_F(WebhookDispatcherTest, SlowReceiverTimesOut) {
  Receiver receiver(HoldingResponses());
  WebhookLimits limits = FastLimits();
  // Long enough that a starved dispatcher thread still connects and writes within it.
  limits.request_timeout = milliseconds(1000);
  limits.retry_max = std::chrono::seconds(0);
  StartWith(TestApp({Target(receiver.url())}), limits);
  const auto start = std::chrono::steady_clock::now();
  Emit(Event(Kind::kChannelOccupied, "a"));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  while (dispatcher_->counters().dropped.load() == 0 &&
         std::chrono::steady_clock::now() - start < kWait) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(dispatcher_->counters().failed_attempts.load(), 1u);
  EXPECT_EQ(dispatcher_->counters().dropped.load(), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(1000));
  receiver.Release();
}

TEST_F(WebhookDispatcherTest, QueueBeyondItsBoundDropsTheOldest) {
  Receiver receiver(HoldingResponses());
  WebhookLimits limits = FastLimits();
  limits.max_queued_events = 3;
  StartWith(TestApp({Target(receiver.url())}), limits);
  Emit(Event(Kind::kChannelOccupied, "in-flight"));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  for (const char* channel : {"1", "2", "3", "4", "5"})
    Emit(Event(Kind::kChannelOccupied, channel));
  // The events pass the dispatcher's thread asynchronously; wait until it has counted the drops.
  const auto start = std::chrono::steady_clock::now();
  while (dispatcher_->counters().dropped.load() < 2 &&
         std::chrono::steady_clock::now() - start < kWait) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  receiver.Release();
  ASSERT_TRUE(receiver.WaitForRequests(4));
  StopSoon();
  const std::vector<Received> requests = receiver.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_THAT(NamesIn(requests[1]), ::testing::ElementsAre("channel_occupied:3"));
  EXPECT_THAT(NamesIn(requests[3]), ::testing::ElementsAre("channel_occupied:5"));
  EXPECT_EQ(dispatcher_->counters().dropped.load(), 2u);
  EXPECT_EQ(dispatcher_->counters().sent.load(), 4u);
}

TEST_F(WebhookDispatcherTest, FiltersApplyPerTarget) {
  Receiver everything;
  Receiver vacated_presence;
  StartWith(TestApp({Target(everything.url()),
                     Target(vacated_presence.url(), {"channel_vacated"}, "presence-")}),
            FastLimits());
  Emit(Event(Kind::kChannelVacated, "orders"));
  Emit(Event(Kind::kChannelOccupied, "presence-room"));
  Emit(Event(Kind::kChannelVacated, "presence-room"));
  ASSERT_TRUE(everything.WaitForRequests(3));
  ASSERT_TRUE(vacated_presence.WaitForRequests(1));
  StopSoon();
  ASSERT_EQ(vacated_presence.requests().size(), 1u);
  EXPECT_THAT(NamesIn(vacated_presence.requests()[0]),
              ::testing::ElementsAre("channel_vacated:presence-room"));
}

TEST_F(WebhookDispatcherTest, SubscriptionCountOnlyForAppsWithTheSetting) {
  Receiver receiver;
  StartWith(TestApp({Target(receiver.url())}), FastLimits());
  core::ChannelEvent count = Event(Kind::kSubscriptionCount, "orders");
  count.subscription_count = 2;
  Emit(count);
  Emit(Event(Kind::kCacheMiss, "cache-orders"));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  StopSoon();
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_THAT(NamesIn(receiver.requests()[0]), ::testing::ElementsAre("cache_miss:cache-orders"));
}

TEST_F(WebhookDispatcherTest, PageReloadWithinTheDelaySendsNothing) {
  Receiver receiver;
  WebhookLimits limits = FastLimits();
  limits.vacate_delay = milliseconds(2000);  // the Emits fit inside it on any machine
  StartWith(TestApp({Target(receiver.url())}), limits);
  Emit(Event(Kind::kMemberRemoved, "presence-room", "u1"));
  Emit(Event(Kind::kChannelVacated, "presence-room"));
  Emit(Event(Kind::kChannelOccupied, "presence-room"));
  Emit(Event(Kind::kMemberAdded, "presence-room", "u1"));
  Emit(Event(Kind::kChannelVacated, "left"));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  std::this_thread::sleep_for(milliseconds(500));  // "left" was held as long as a wrong one
  StopSoon();
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_THAT(NamesIn(receiver.requests()[0]), ::testing::ElementsAre("channel_vacated:left"));
}

TEST_F(WebhookDispatcherTest, PageReloadIsSilentForAWebhookThatWantsOnlyOccupied) {
  Receiver receiver;
  WebhookLimits limits = FastLimits();
  limits.vacate_delay = milliseconds(2000);  // the Emits fit inside it on any machine
  StartWith(TestApp({Target(receiver.url(), {"channel_occupied"})}), limits);
  Emit(Event(Kind::kChannelVacated, "reloaded"));
  Emit(Event(Kind::kChannelOccupied, "reloaded"));
  Emit(Event(Kind::kChannelOccupied, "new"));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  std::this_thread::sleep_for(milliseconds(500));  // room for a wrong second webhook
  StopSoon();
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_THAT(NamesIn(receiver.requests()[0]), ::testing::ElementsAre("channel_occupied:new"));
}

TEST_F(WebhookDispatcherTest, StopSendsHeldDeparturesAndPendingEvents) {
  Receiver receiver;
  WebhookLimits limits = FastLimits();
  limits.vacate_delay = std::chrono::seconds(60);
  StartWith(TestApp({Target(receiver.url())}, /*batching=*/true), limits);
  Emit(Event(Kind::kChannelOccupied, "a"));
  Emit(Event(Kind::kChannelVacated, "a"));
  dispatcher_->Stop(std::chrono::steady_clock::now() + kWait);
  const std::vector<Received> requests = receiver.requests();
  std::vector<std::string> names;
  for (const Received& request : requests) {
    for (const std::string& name : NamesIn(request)) names.push_back(name);
  }
  EXPECT_THAT(names, ::testing::ElementsAre("channel_occupied:a", "channel_vacated:a"));
  EXPECT_EQ(dispatcher_->counters().sent.load(), 2u);
}

TEST_F(WebhookDispatcherTest, StopGivesUpAtTheDeadline) {
  Receiver receiver(HoldingResponses());
  StartWith(TestApp({Target(receiver.url())}), FastLimits());
  Emit(Event(Kind::kChannelOccupied, "a"));
  Emit(Event(Kind::kChannelOccupied, "b"));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  const auto start = std::chrono::steady_clock::now();
  dispatcher_->Stop(start + milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  EXPECT_EQ(dispatcher_->counters().dropped.load(), 2u);
  receiver.Release();
}

TEST_F(WebhookDispatcherTest, HttpsVerifiesTheReceiverAgainstTrustedCas) {
  Receiver receiver(Tls());
  StartWith(TestApp({Target(receiver.url())}), FastLimits(), client::testing::kTestCaPem);
  Emit(Event(Kind::kChannelOccupied, "secure"));
  ASSERT_TRUE(receiver.WaitForRequests(1));
  StopSoon();
  EXPECT_THAT(NamesIn(receiver.requests()[0]), ::testing::ElementsAre("channel_occupied:secure"));
  EXPECT_EQ(dispatcher_->counters().failed_attempts.load(), 0u);
}

TEST_F(WebhookDispatcherTest, HttpsRefusesAReceiverNoTrustedCaSigned) {
  Receiver receiver(Tls());
  WebhookLimits limits = FastLimits();
  limits.retry_max = std::chrono::seconds(0);
  StartWith(TestApp({Target(receiver.url())}), limits);  // system store only
  Emit(Event(Kind::kChannelOccupied, "secure"));
  const auto start = std::chrono::steady_clock::now();
  while (dispatcher_->counters().dropped.load() == 0 &&
         std::chrono::steady_clock::now() - start < kWait) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(dispatcher_->counters().failed_attempts.load(), 1u);
  EXPECT_EQ(receiver.requests().size(), 0u);
}

TEST(WebhookDispatcher, StartRefusesAnUnusableUrlNamingTheApp) {
  const auto directory = DirectoryOf(TestApp({Target("http://user@example.com/")}));
  ASSERT_NE(directory, nullptr);
  WebhookDispatcher dispatcher(*directory, WebhookLimits{});
  const absl::Status status = dispatcher.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("app hook-app webhooks[0].url"));
}

TEST(WebhookDispatcher, StartRefusesAHeaderThatWouldSplitTheRequest) {
  const auto directory =
      DirectoryOf(TestApp({Target("http://127.0.0.1:1/", {}, "", {{"X-A", "b\r\nX-C: d"}})}));
  ASSERT_NE(directory, nullptr);
  WebhookDispatcher dispatcher(*directory, WebhookLimits{});
  EXPECT_EQ(dispatcher.Start().code(), absl::StatusCode::kInvalidArgument);
}

TEST(WebhookDispatcher, WithoutWebhooksNothingWatchesAndStopReturnsAtOnce) {
  const auto directory = DirectoryOf(TestApp({}));
  ASSERT_NE(directory, nullptr);
  WebhookDispatcher dispatcher(*directory, WebhookLimits{});
  ASSERT_TRUE(dispatcher.Start().ok());
  EXPECT_FALSE(directory->apps()[0]->events().HasWatchers());
  dispatcher.Stop(std::chrono::steady_clock::now() + std::chrono::seconds(10));
}

}  // namespace
}  // namespace gw::webhooks
