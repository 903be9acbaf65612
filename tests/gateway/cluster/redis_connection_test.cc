#include "gateway/cluster/redis_connection.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gateway/cluster/redis_server.h"
#include "tests/gateway/cluster/test_loop.h"

namespace gw::cluster {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using std::string_literals::operator""s;
using std::string_view_literals::operator""sv;
using testing::RedisServer;
using testing::TestLoop;

// The reply, or an error reply naming the failure, so that a comparison prints what went wrong.
RedisReply Ok(const absl::StatusOr<RedisReply>& reply) {
  if (reply.ok()) return *reply;
  return RedisReply::Error(absl::StrCat("(not answered) ", reply.status().ToString()));
}

RedisServer::Options WithPassword(std::string password) {
  RedisServer::Options options;
  options.password = std::move(password);
  return options;
}

// One connection to one real redis-server, with what its handlers saw.
class RedisConnectionTest : public ::testing::Test {
 protected:
  void StartServer(RedisServer::Options options = RedisServer::Options()) {
    server_.emplace(std::move(options));
    const absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  RedisOptions Options(const std::string& url) {
    RedisOptions options;
    const absl::StatusOr<RedisUrl> parsed = ParseRedisUrl(url);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (parsed.ok()) options.url = *parsed;
    options.client_name = "redis-connection-test";
    return options;
  }

  void Connect(RedisOptions options) {
    RedisConnection::Handlers handlers;
    handlers.on_connected = [this] { ++connected_; };
    handlers.on_disconnected = [this](const absl::Status& why) { disconnects_.push_back(why); };
    connection_ = RedisConnection::Create(loop_.io(), std::move(options), std::move(handlers));
    connection_->Start();
  }

  void ConnectAndWait(RedisOptions options) {
    Connect(std::move(options));
    ASSERT_TRUE(loop_.RunUntil([&] { return connected_ > 0; }))
        << "not connected: " << connection_->last_error();
  }

  // Sends one command and runs the loop until it is answered.
  absl::StatusOr<RedisReply> Call(std::initializer_list<std::string_view> args) {
    std::optional<absl::StatusOr<RedisReply>> result;
    connection_->Command(args,
                         [&](absl::StatusOr<RedisReply> reply) { result = std::move(reply); });
    if (!loop_.RunUntil([&] { return result.has_value(); })) {
      return absl::DeadlineExceededError("no answer");
    }
    return *std::move(result);
  }

  TestLoop loop_;
  std::optional<RedisServer> server_;
  std::shared_ptr<RedisConnection> connection_;
  int connected_ = 0;
  std::vector<absl::Status> disconnects_;
};

TEST_F(RedisConnectionTest, PipelinedCommandsAreAnsweredInOrder) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  std::vector<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    connection_->Command({"INCR", "counter"}, [&](absl::StatusOr<RedisReply> reply) {
      ASSERT_TRUE(reply.ok()) << reply.status();
      seen.push_back(reply->integer);
    });
  }
  EXPECT_GT(connection_->pending_bytes(), 0u);
  ASSERT_TRUE(loop_.RunUntil([&] { return seen.size() == 1000; }));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(seen[i], i + 1);
  EXPECT_EQ(connection_->pending_bytes(), 0u);
  EXPECT_EQ(RedisCounters::Get(connection_->counters().commands_sent), 1000u);
}

TEST_F(RedisConnectionTest, ErrorReplyIsAValueAndTheConnectionGoesOn) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  ASSERT_TRUE(Call({"SET", "text", "abc"}).ok());
  const absl::StatusOr<RedisReply> error = Call({"INCR", "text"});
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_TRUE(error->is_error());
  EXPECT_THAT(error->str, HasSubstr("not an integer"));
  const absl::StatusOr<RedisReply> next = Call({"GET", "text"});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, RedisReply::String("abc"));
  EXPECT_TRUE(disconnects_.empty());
}

TEST_F(RedisConnectionTest, KeysAndValuesAreBinarySafe) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  const std::string key = "k\0\r\n"s;
  std::string value(1 << 20, '\0');
  for (size_t i = 0; i < value.size(); i += 7) value[i] = static_cast<char>(i);
  ASSERT_TRUE(Call({"SET", key, value}).ok());
  const absl::StatusOr<RedisReply> read = Call({"GET", key});
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->is_string());
  EXPECT_TRUE(read->str == value);
}

TEST_F(RedisConnectionTest, LogsInWithRequirePass) {
  StartServer(WithPassword("top secret"));
  ConnectAndWait(Options(absl::StrCat("redis://:top%20secret@127.0.0.1:", server_->port())));
  EXPECT_EQ(Ok(Call({"PING"})), RedisReply::Status("PONG"));
}

TEST_F(RedisConnectionTest, LogsInAsAnAclUser) {
  RedisServer::Options acl;
  acl.args = {"--user", "alice", "on", ">wonder:land", "~*", "&*", "+@all"};
  StartServer(std::move(acl));
  ConnectAndWait(Options(absl::StrCat("redis://alice:wonder%3Aland@127.0.0.1:", server_->port())));
  EXPECT_EQ(Ok(Call({"ACL", "WHOAMI"})), RedisReply::String("alice"));
}

TEST_F(RedisConnectionTest, WrongPasswordIsAClearErrorAndNeverConnects) {
  StartServer(WithPassword("right"));
  Connect(Options(absl::StrCat("redis://:wrong@127.0.0.1:", server_->port())));
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return RedisCounters::Get(connection_->counters().connect_failures) >= 2; }));
  EXPECT_EQ(connected_, 0);
  EXPECT_EQ(connection_->last_error().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(connection_->last_error().message(), HasSubstr("AUTH failed: WRONGPASS"));
  EXPECT_THAT(connection_->last_error().message(), ::testing::Not(HasSubstr("wrong")));
}

TEST_F(RedisConnectionTest, MissingPasswordIsAClearErrorAtConnect) {
  StartServer(WithPassword("right"));
  Connect(Options(absl::StrCat("redis://127.0.0.1:", server_->port())));
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return RedisCounters::Get(connection_->counters().connect_failures) >= 1; }));
  EXPECT_EQ(connection_->last_error().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(connection_->last_error().message(), HasSubstr("NOAUTH"));
}

TEST_F(RedisConnectionTest, SelectsTheDatabaseOfTheUrl) {
  StartServer();
  ConnectAndWait(Options(server_->Url() + "/3"));
  const absl::StatusOr<RedisReply> info = Call({"CLIENT", "INFO"});
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_THAT(info->str, HasSubstr(" db=3 "));
  EXPECT_THAT(info->str, HasSubstr(" name=redis-connection-test "));
}

TEST_F(RedisConnectionTest, DatabaseOutOfRangeIsAClearError) {
  StartServer();
  Connect(Options(server_->Url() + "/99"));
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return RedisCounters::Get(connection_->counters().connect_failures) >= 1; }));
  EXPECT_EQ(connection_->last_error().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(connection_->last_error().message(), HasSubstr("SELECT failed: ERR DB index"));
}

TEST_F(RedisConnectionTest, CommandWhileNotConnectedFailsLaterNotInsideTheCall) {
  StartServer();
  Connect(Options(server_->Url()));
  std::optional<absl::Status> result;
  connection_->Command({"PING"},
                       [&](absl::StatusOr<RedisReply> reply) { result = reply.status(); });
  EXPECT_FALSE(result.has_value());
  ASSERT_TRUE(loop_.RunUntil([&] { return result.has_value(); }));
  EXPECT_EQ(result->code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result->message(), HasSubstr("not connected"));
}

TEST_F(RedisConnectionTest, CommandsOverThePendingBoundAreRefused) {
  StartServer();
  RedisOptions options = Options(server_->Url());
  options.limits.max_pending_bytes = 5000;  // four SETs of 1029 bytes
  ConnectAndWait(std::move(options));
  const std::string value(1000, 'v');
  int ok = 0;
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    connection_->Command({"SET", "k", value}, [&](absl::StatusOr<RedisReply> reply) {
      if (reply.ok()) ++ok;
      if (reply.status().code() == absl::StatusCode::kResourceExhausted) ++refused;
    });
  }
  ASSERT_TRUE(loop_.RunUntil([&] { return ok + refused == 20; }));
  EXPECT_EQ(ok, 4);
  EXPECT_EQ(refused, 16);
  EXPECT_EQ(RedisCounters::Get(connection_->counters().commands_refused), 16u);
  EXPECT_EQ(Ok(Call({"GET", "k"})), RedisReply::String(value));
}

TEST_F(RedisConnectionTest, ScriptRunsWithBinarySafeKeysAndArgs) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  const RedisScript script("return {KEYS[1], ARGV[1], #KEYS, #ARGV}");
  const std::vector<std::string_view> keys = {"k\0ey"sv};
  const std::string big(100000, '\0');
  const std::vector<std::string_view> args = {big, "x"};
  std::optional<absl::StatusOr<RedisReply>> result;
  connection_->Eval(script, keys, args,
                    [&](absl::StatusOr<RedisReply> reply) { result = std::move(reply); });
  ASSERT_TRUE(loop_.RunUntil([&] { return result.has_value(); }));
  ASSERT_TRUE(result->ok()) << result->status();
  EXPECT_EQ(**result, RedisReply::Array({RedisReply::String("k\0ey"s), RedisReply::String(big),
                                         RedisReply::Integer(1), RedisReply::Integer(2)}));
  EXPECT_EQ(RedisCounters::Get(connection_->counters().script_reloads), 0u);
}

TEST_F(RedisConnectionTest, FirstScriptCallOnAFreshRedisKeepsItsPlaceInThePipeline) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  const RedisScript script("return redis.call('GET', KEYS[1])");
  const std::vector<std::string_view> keys = {"k"};
  std::optional<absl::StatusOr<RedisReply>> seen;
  connection_->Command({"SET", "k", "before"});
  connection_->Eval(script, keys, {}, [&](absl::StatusOr<RedisReply> reply) { seen = reply; });
  connection_->Command({"SET", "k", "after"});
  ASSERT_TRUE(loop_.RunUntil([&] { return seen.has_value(); }));
  ASSERT_TRUE(seen->ok());
  EXPECT_EQ(**seen, RedisReply::String("before"));
}

TEST_F(RedisConnectionTest, NoscriptAfterScriptFlushFallsBackToEval) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  const RedisScript script("return ARGV[1] .. '!'");
  const std::vector<std::string_view> args = {"hi"};
  auto run = [&] {
    std::optional<absl::StatusOr<RedisReply>> result;
    connection_->Eval(script, {}, args, [&](absl::StatusOr<RedisReply> reply) { result = reply; });
    EXPECT_TRUE(loop_.RunUntil([&] { return result.has_value(); }));
    return result.value_or(absl::DeadlineExceededError("no answer"));
  };
  EXPECT_EQ(Ok(run()), RedisReply::String("hi!"));
  ASSERT_TRUE(server_->Run({"SCRIPT", "FLUSH"}).ok());
  EXPECT_EQ(Ok(server_->Run({"SCRIPT", "EXISTS", script.sha1()})),
            RedisReply::Array({RedisReply::Integer(0)}));
  EXPECT_EQ(Ok(run()), RedisReply::String("hi!"));
  EXPECT_EQ(RedisCounters::Get(connection_->counters().script_reloads), 1u);
  EXPECT_EQ(Ok(run()), RedisReply::String("hi!"));
  EXPECT_EQ(RedisCounters::Get(connection_->counters().script_reloads), 1u);
}

TEST_F(RedisConnectionTest, ScriptThatDoesNotCompileReportsTheErrorToItsCaller) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  const RedisScript script("this is not lua");
  std::optional<absl::StatusOr<RedisReply>> result;
  connection_->Eval(script, {}, {}, [&](absl::StatusOr<RedisReply> reply) { result = reply; });
  ASSERT_TRUE(loop_.RunUntil([&] { return result.has_value(); }));
  ASSERT_TRUE(result->ok()) << result->status();
  EXPECT_TRUE((*result)->is_error()) << (*result)->DebugString();
  EXPECT_TRUE(connection_->connected());
}

TEST_F(RedisConnectionTest, KilledServerFailsPendingOnceThenReconnectsAfterRestart) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  const RedisScript script("return 7");
  std::optional<absl::StatusOr<RedisReply>> first;
  connection_->Eval(script, {}, {}, [&](absl::StatusOr<RedisReply> reply) { first = reply; });
  ASSERT_TRUE(loop_.RunUntil([&] { return first.has_value(); }));

  server_->Pause();  // so that the commands below are still unanswered when it dies
  std::vector<absl::Status> failed;
  for (int i = 0; i < 5; ++i) {
    connection_->Command({"PING"}, [&](absl::StatusOr<RedisReply> reply) {
      failed.push_back(reply.status());
      EXPECT_TRUE(disconnects_.empty()) << "pending callbacks fail before on_disconnected";
    });
  }
  loop_.Drain();
  server_->Kill();
  ASSERT_TRUE(loop_.RunUntil([&] { return !disconnects_.empty(); }));
  ASSERT_EQ(failed.size(), 5u);
  for (const absl::Status& status : failed)
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(disconnects_.size(), 1u);
  EXPECT_FALSE(connection_->connected());

  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(loop_.RunUntil([&] { return connected_ == 2; })) << connection_->last_error();
  EXPECT_EQ(failed.size(), 5u);
  EXPECT_EQ(disconnects_.size(), 1u);
  EXPECT_EQ(RedisCounters::Get(connection_->counters().disconnects), 1u);
  // The restarted Redis is empty, but the script was loaded again while reconnecting.
  std::optional<absl::StatusOr<RedisReply>> again;
  connection_->Eval(script, {}, {}, [&](absl::StatusOr<RedisReply> reply) { again = reply; });
  ASSERT_TRUE(loop_.RunUntil([&] { return again.has_value(); }));
  EXPECT_EQ(Ok(*again), RedisReply::Integer(7));
  EXPECT_EQ(RedisCounters::Get(connection_->counters().script_reloads), 0u);
}

TEST_F(RedisConnectionTest, LogsOneLineWhenDownAndOneWhenBackNotOnePerAttempt) {
  StartServer();
  server_->Kill();  // keeps its port for the restart
  RedisOptions options = Options(server_->Url());
  options.limits.backoff = {.initial = milliseconds(5), .max = milliseconds(10), .jitter = 0.0};
  ::testing::internal::CaptureStdout();
  Connect(std::move(options));
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return RedisCounters::Get(connection_->counters().connect_failures) >= 5; }));
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(loop_.RunUntil([&] { return connected_ == 1; }));
  server_->Kill();
  ASSERT_TRUE(loop_.RunUntil(
      [&] { return RedisCounters::Get(connection_->counters().connect_failures) >= 10; }));
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(loop_.RunUntil([&] { return connected_ == 2; }));
  const std::string log = ::testing::internal::GetCapturedStdout();
  auto count = [&](std::string_view text) {
    size_t n = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("\"msg\":\"redis unreachable\""), 1u) << log;
  EXPECT_EQ(count("\"msg\":\"redis link down\""), 1u) << log;
  EXPECT_EQ(count("\"msg\":\"redis link up again\""), 2u) << log;
  EXPECT_THAT(log, HasSubstr("Connection refused"));
}

TEST_F(RedisConnectionTest, StoppedServerIsDetectedWithinTheHealthDeadline) {
  StartServer();
  RedisOptions options = Options(server_->Url());
  options.limits.ping_interval = milliseconds(100);
  options.limits.ping_timeout = milliseconds(300);
  ConnectAndWait(std::move(options));
  server_->Pause();
  const auto paused_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(loop_.RunUntil([&] { return !disconnects_.empty(); }, milliseconds(5000)));
  const auto detected_after = std::chrono::steady_clock::now() - paused_at;
  // At most ping_interval + ping_timeout, plus what a loaded machine adds.
  EXPECT_LT(detected_after, milliseconds(100 + 300 + 3000));
  EXPECT_THAT(disconnects_[0].message(), HasSubstr("no answer within 300 ms of a PING"));
  EXPECT_EQ(RedisCounters::Get(connection_->counters().ping_timeouts), 1u);
  server_->Resume();
  ASSERT_TRUE(loop_.RunUntil([&] { return connected_ == 2; }));
}

TEST_F(RedisConnectionTest, ReplyOverTheBoundDropsTheConnectionNotTheMemory) {
  StartServer();
  ASSERT_TRUE(server_->Run({"SET", "big", std::string(1 << 20, 'x')}).ok());
  RedisOptions options = Options(server_->Url());
  options.limits.max_reply_bytes = 64 * 1024;
  ConnectAndWait(std::move(options));
  const absl::StatusOr<RedisReply> big = Call({"GET", "big"});
  EXPECT_EQ(big.status().code(), absl::StatusCode::kUnavailable);
  ASSERT_EQ(disconnects_.size(), 1u);
  EXPECT_EQ(disconnects_[0].code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(disconnects_[0].message(), HasSubstr("reply larger than 65536 bytes"));
  EXPECT_EQ(RedisCounters::Get(connection_->counters().replies_too_large), 1u);
  ASSERT_TRUE(loop_.RunUntil([&] { return connected_ == 2; }));
  EXPECT_EQ(Ok(Call({"STRLEN", "big"})), RedisReply::Integer(1 << 20));
}

TEST_F(RedisConnectionTest, StopCancelsPendingCallbacksAndCallsNoHandlerAfter) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  server_->Pause();
  std::optional<absl::Status> pending;
  connection_->Command({"PING"},
                       [&](absl::StatusOr<RedisReply> reply) { pending = reply.status(); });
  connection_->Stop();
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->code(), absl::StatusCode::kCancelled);
  server_->Kill();
  loop_.Drain();
  EXPECT_TRUE(disconnects_.empty());
  EXPECT_FALSE(connection_->connected());
}

TEST_F(RedisConnectionTest, DroppingTheConnectionDestroysPendingCallbacksUncalled) {
  StartServer();
  ConnectAndWait(Options(server_->Url()));
  server_->Pause();
  auto flag = std::make_shared<int>(0);
  bool called = false;
  connection_->Command({"PING"}, [&called, flag](absl::StatusOr<RedisReply>) { called = true; });
  connection_.reset();
  loop_.Drain();
  EXPECT_EQ(flag.use_count(), 1) << "the callback was destroyed with the connection";
  server_->Kill();
  loop_.Drain();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace gw::cluster
