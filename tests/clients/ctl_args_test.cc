#include "clients/ctl/ctl_args.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::ctl {
namespace {

namespace v1 = ::realtime::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Parses with a fixed environment (none by default), so tests never see the real one.
absl::StatusOr<CtlInvocation> Parse(std::vector<std::string> args,
                                    std::map<std::string, std::string> env = {}) {
  return ParseCtlArgs(args, [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

// `args` with the credentials every RPC needs in front.
std::vector<std::string> WithApp(std::vector<std::string> args) {
  args.insert(args.begin(), {"--app-id", "app-id", "--token", "tok"});
  return args;
}

std::string UsageErrorOf(std::vector<std::string> args,
                         std::map<std::string, std::string> env = {}) {
  absl::StatusOr<CtlInvocation> invocation = Parse(std::move(args), std::move(env));
  EXPECT_FALSE(invocation.ok());
  if (invocation.ok()) return "";
  EXPECT_EQ(invocation.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(invocation.status().message());
}

template <typename Request>
Request RequestOf(const absl::StatusOr<CtlInvocation>& invocation) {
  EXPECT_TRUE(invocation.ok()) << invocation.status();
  if (!invocation.ok()) return Request();
  const Request* request = std::get_if<Request>(&invocation->request);
  EXPECT_NE(request, nullptr) << "request of another type";
  return request != nullptr ? *request : Request();
}

TEST(ParseCtlArgs, BuildsAPublishFromRepeatedChannelsAndItsFlags) {
  const auto publish = RequestOf<v1::PublishRequest>(
      Parse(WithApp({"publish", "--channel", "a", "--channel=b", "--event", "order.shipped",
                     "--data", R"({"id":42})", "--socket-id", "1.2", "--info"})));
  EXPECT_THAT(publish.channels(), ElementsAre("a", "b"));
  EXPECT_EQ(publish.name(), "order.shipped");
  EXPECT_EQ(publish.data(), R"({"id":42})");
  EXPECT_EQ(publish.socket_id(), "1.2");
  EXPECT_TRUE(publish.include_channel_info());
  EXPECT_TRUE(publish.app_id().empty()) << "the client fills in app_id";
}

TEST(ParseCtlArgs, TakesEveryCommandWithItsRequest) {
  EXPECT_EQ(
      RequestOf<v1::ListChannelsRequest>(Parse(WithApp({"channels", "--prefix", "p-"}))).prefix(),
      "p-");
  EXPECT_EQ(
      RequestOf<v1::GetChannelRequest>(Parse(WithApp({"channel", "--channel", "c"}))).channel(),
      "c");
  EXPECT_EQ(RequestOf<v1::ListPresenceMembersRequest>(
                Parse(WithApp({"members", "--channel", "presence-r"})))
                .channel(),
            "presence-r");
  const auto authorize = RequestOf<v1::AuthorizeChannelRequest>(
      Parse(WithApp({"authorize", "--socket-id", "1.2", "--channel", "presence-r", "--user-id",
                     "u1", "--user-info", R"({"n":1})"})));
  EXPECT_EQ(authorize.socket_id(), "1.2");
  EXPECT_EQ(authorize.channel(), "presence-r");
  EXPECT_EQ(authorize.user_id(), "u1");
  EXPECT_EQ(authorize.user_info_json(), R"({"n":1})");
  const auto authenticate = RequestOf<v1::AuthenticateUserRequest>(
      Parse(WithApp({"authenticate", "--socket-id", "1.2", "--user-id", "u1", "--watchlist", "u2",
                     "--watchlist", "u3"})));
  EXPECT_EQ(authenticate.user_id(), "u1");
  EXPECT_THAT(authenticate.watchlist(), ElementsAre("u2", "u3"));
  EXPECT_EQ(RequestOf<v1::TerminateUserConnectionsRequest>(
                Parse(WithApp({"terminate", "--user-id", "u1"})))
                .user_id(),
            "u1");
  const auto send = RequestOf<v1::SendToUserRequest>(
      Parse(WithApp({"send-to-user", "--user-id", "u1", "--event", "e", "--data", "d"})));
  EXPECT_EQ(send.user_id(), "u1");
  EXPECT_EQ(send.name(), "e");
  EXPECT_EQ(send.data(), "d");
}

TEST(ParseCtlArgs, TakesWatchKindsByTheirLowercaseNames) {
  const auto watch = RequestOf<v1::WatchEventsRequest>(Parse(
      WithApp({"watch", "--kind", "member_added", "--kind", "CLIENT_EVENT", "--prefix", "x"})));
  EXPECT_THAT(watch.kinds(),
              ElementsAre(v1::ChannelEvent::MEMBER_ADDED, v1::ChannelEvent::CLIENT_EVENT));
  EXPECT_EQ(watch.channel_prefix(), "x");
  EXPECT_THAT(UsageErrorOf(WithApp({"watch", "--kind", "joined"})),
              HasSubstr("unknown --kind 'joined'"));
  EXPECT_THAT(UsageErrorOf(WithApp({"watch", "--kind", "kind_unspecified"})),
              HasSubstr("unknown --kind"));
}

TEST(ParseCtlArgs, AcceptsGlobalFlagsAfterTheCommand) {
  absl::StatusOr<CtlInvocation> invocation =
      Parse({"channels", "--app-id", "a", "--secret", "s", "--json", "--target", "h:1"});
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->client.app_id, "a");
  EXPECT_EQ(invocation->client.app_secret, "s");
  EXPECT_TRUE(invocation->client.token.empty());
  EXPECT_EQ(invocation->client.target, "h:1");
  EXPECT_TRUE(invocation->json);
}

TEST(ParseCtlArgs, DefaultsToTheLocalGatewayAndFiveSeconds) {
  absl::StatusOr<CtlInvocation> invocation = Parse(WithApp({"channels"}));
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->client.target, "127.0.0.1:50051");
  EXPECT_EQ(invocation->client.deadline, std::chrono::milliseconds(5000));
  EXPECT_FALSE(invocation->client.tls.has_value());
  EXPECT_FALSE(invocation->json);
}

TEST(ParseCtlArgs, FallsBackToTheEnvironment) {
  absl::StatusOr<CtlInvocation> invocation =
      Parse({"channels"}, {{"REALTIME_TARGET", "gw:50051"},
                           {"REALTIME_APP_ID", "env-app"},
                           {"REALTIME_SECRET", "env-secret"}});
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->client.target, "gw:50051");
  EXPECT_EQ(invocation->client.app_id, "env-app");
  EXPECT_EQ(invocation->client.app_secret, "env-secret");
}

TEST(ParseCtlArgs, PrefersTheEnvironmentTokenOverTheEnvironmentSecret) {
  absl::StatusOr<CtlInvocation> invocation =
      Parse({"channels"},
            {{"REALTIME_APP_ID", "a"}, {"REALTIME_TOKEN", "env-token"}, {"REALTIME_SECRET", "s"}});
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->client.token, "env-token");
  EXPECT_TRUE(invocation->client.app_secret.empty());
}

TEST(ParseCtlArgs, LetsAFlagBeatTheEnvironment) {
  absl::StatusOr<CtlInvocation> invocation =
      Parse({"--app-id", "flag-app", "--secret", "flag-secret", "channels"},
            {{"REALTIME_APP_ID", "env-app"}, {"REALTIME_TOKEN", "env-token"}});
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->client.app_id, "flag-app");
  EXPECT_EQ(invocation->client.app_secret, "flag-secret");
  EXPECT_TRUE(invocation->client.token.empty());
}

TEST(ParseCtlArgs, ReadsTimeoutsInSecondsOrMilliseconds) {
  auto deadline = [](const std::string& text) {
    absl::StatusOr<CtlInvocation> invocation = Parse(WithApp({"--timeout", text, "channels"}));
    EXPECT_TRUE(invocation.ok()) << text << ": " << invocation.status();
    return invocation.ok() ? invocation->client.deadline : std::chrono::milliseconds(-1);
  };
  EXPECT_EQ(deadline("2"), std::chrono::milliseconds(2000));
  EXPECT_EQ(deadline("0.25"), std::chrono::milliseconds(250));
  EXPECT_EQ(deadline("3s"), std::chrono::milliseconds(3000));
  EXPECT_EQ(deadline("750ms"), std::chrono::milliseconds(750));
  EXPECT_THAT(UsageErrorOf(WithApp({"--timeout", "0", "channels"})), HasSubstr("--timeout"));
  EXPECT_THAT(UsageErrorOf(WithApp({"--timeout", "soon", "channels"})), HasSubstr("'soon'"));
}

TEST(ParseCtlArgs, TurnsOnTlsForAnyTlsFlag) {
  absl::StatusOr<CtlInvocation> invocation = Parse(
      WithApp({"--ca-file", "ca.pem", "--cert-file", "c.pem", "--key-file", "k.pem", "channels"}));
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  ASSERT_TRUE(invocation->client.tls.has_value());
  EXPECT_EQ(invocation->client.tls->root_ca_file, "ca.pem");
  EXPECT_EQ(invocation->client.tls->cert_chain_file, "c.pem");
  EXPECT_EQ(invocation->client.tls->private_key_file, "k.pem");
  EXPECT_TRUE(Parse(WithApp({"--tls", "channels"}))->client.tls.has_value());
  EXPECT_THAT(UsageErrorOf(WithApp({"--cert-file", "c.pem", "channels"})), HasSubstr("--key-file"));
}

TEST(ParseCtlArgs, ReportsMissingRequiredFlagsWithTheCommandsHelp) {
  const std::string message = UsageErrorOf(WithApp({"publish", "--channel", "a"}));
  EXPECT_THAT(message, HasSubstr("--event is required"));
  EXPECT_THAT(message, HasSubstr("realtime-ctl publish --help"));
}

TEST(ParseCtlArgs, RequiresAnAppAndCredentials) {
  EXPECT_THAT(UsageErrorOf({"channels", "--token", "t"}), HasSubstr("--app-id"));
  EXPECT_THAT(UsageErrorOf({"channels", "--app-id", "a"}), HasSubstr("--token or --secret"));
  EXPECT_THAT(UsageErrorOf({"channels", "--app-id", "a", "--token", "t", "--secret", "s"}),
              HasSubstr("not both"));
}

TEST(ParseCtlArgs, RejectsWhatItDoesNotKnow) {
  EXPECT_THAT(UsageErrorOf({}), HasSubstr("missing command"));
  EXPECT_THAT(UsageErrorOf(WithApp({"publsh"})), HasSubstr("unknown command 'publsh'"));
  EXPECT_THAT(UsageErrorOf(WithApp({"channels", "--chanel", "x"})),
              HasSubstr("unknown flag --chanel"));
  EXPECT_THAT(UsageErrorOf(WithApp({"--channel", "x", "channel"})),
              HasSubstr("command flags go after the command"));
  EXPECT_THAT(UsageErrorOf(WithApp({"channels", "extra"})),
              HasSubstr("unexpected argument 'extra'"));
  EXPECT_THAT(UsageErrorOf(WithApp({"channel", "--channel"})), HasSubstr("needs a value"));
  EXPECT_THAT(UsageErrorOf(WithApp({"channel", "--channel", "a", "--channel", "b"})),
              HasSubstr("given twice"));
  EXPECT_THAT(UsageErrorOf(WithApp({"channels", "--json=yes"})), HasSubstr("takes no value"));
}

TEST(ParseCtlArgs, AnswersHelpBeforeCheckingAnythingElse) {
  absl::StatusOr<CtlInvocation> general = Parse({"--help"});
  ASSERT_TRUE(general.ok()) << general.status();
  ASSERT_TRUE(general->help.has_value());
  EXPECT_EQ(*general->help, GeneralUsage());

  absl::StatusOr<CtlInvocation> command = Parse({"publish", "--channel", "a", "-h"});
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->help, CommandUsage("publish"));

  absl::StatusOr<CtlInvocation> help_word = Parse({"help", "watch"});
  ASSERT_TRUE(help_word.ok()) << help_word.status();
  EXPECT_EQ(help_word->help, CommandUsage("watch"));

  EXPECT_THAT(UsageErrorOf({"frobnicate", "--help"}), HasSubstr("unknown command"));
}

TEST(Usage, ListsEveryCommandWithExamples) {
  const std::string usage = GeneralUsage();
  for (const char* command : {"publish", "channels", "channel", "members", "authorize",
                              "authenticate", "terminate", "send-to-user", "watch"}) {
    EXPECT_THAT(usage, HasSubstr(std::string("  ") + command + " ")) << command;
    const std::string help = CommandUsage(command);
    EXPECT_THAT(help, HasSubstr("Examples:")) << command;
    EXPECT_THAT(help, HasSubstr(std::string("realtime-ctl ") + command + " --")) << command;
  }
  EXPECT_THAT(usage, HasSubstr("REALTIME_SECRET"));
  EXPECT_EQ(CommandUsage("nope"), "");
}

}  // namespace
}  // namespace gw::ctl
