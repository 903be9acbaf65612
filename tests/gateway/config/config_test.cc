#include "gateway/config/config.h"

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gateway/cluster/redis_url.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Env = std::map<std::string, std::string>;

// A path under the test temp dir named after the running test, so no two tests share a file.
std::string TempPath(const std::string& suffix) {
  const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
  // Parameterized test names hold a '/'.
  const std::string name = absl::StrReplaceAll(
      absl::StrCat("config_test_", test->test_suite_name(), "_", test->name()), {{"/", "_"}});
  return absl::StrCat(testing::TempDir(), name, suffix);
}

std::string WriteConfigFile(const std::string& contents) {
  std::string path = TempPath(".json");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
  return path;
}

// The three variables that define one app, under "PUSHER" or "REVERB".
Env AppVariables(const std::string& prefix, const std::string& id, const std::string& key,
                 const std::string& secret) {
  return {{prefix + "_APP_ID", id}, {prefix + "_APP_KEY", key}, {prefix + "_APP_SECRET", secret}};
}

Env Merged(Env first, const Env& second) {
  first.insert(second.begin(), second.end());
  return first;
}

absl::StatusOr<Config> LoadFile(const std::string& path, const Env& env = {}) {
  return LoadConfig({"--config", path}, env);
}

// The message of a failed load, after checking that it failed the documented way.
std::string ErrorOf(const absl::StatusOr<Config>& result) {
  if (result.ok()) {
    ADD_FAILURE() << "expected an error, got a config";
    return "";
  }
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(result.status().message());
}

TEST(LoadConfig, NoInputGivesServerDefaultsAndOneDemoApp) {
  const absl::StatusOr<Config> config = LoadConfig({}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host, "0.0.0.0");
  EXPECT_EQ(config->port, 6001);
  EXPECT_EQ(config->grpc_port, 50051);
  EXPECT_EQ(config->threads, 0u);
  EXPECT_EQ(config->max_connections, 0u);
  EXPECT_EQ(config->max_write_buffer_kb, 1024u);
  EXPECT_EQ(config->max_request_kb, 256u);
  EXPECT_EQ(config->max_message_kb, 32u);
  EXPECT_EQ(config->message_timeout_ms, 10000u);
  EXPECT_EQ(config->reserved_descriptors, 256u);
  EXPECT_EQ(config->operator_host, "127.0.0.1");
  EXPECT_EQ(config->operator_port, 9601);
  EXPECT_EQ(config->operator_token, "");
  EXPECT_EQ(config->max_publish_backlog, 1000u);
  EXPECT_EQ(config->shutdown_grace_seconds, 10u);
  EXPECT_EQ(config->log_level, "info");
  EXPECT_FALSE(config->show_help);
  ASSERT_EQ(config->apps.size(), 1u);
  const core::App& demo = config->apps[0];
  EXPECT_EQ(demo.id, "app-id");
  EXPECT_EQ(demo.key, "app-key");
  EXPECT_EQ(demo.secret, "app-secret");
  EXPECT_TRUE(demo.enabled);
  EXPECT_TRUE(demo.enable_client_messages);
  EXPECT_THAT(demo.allowed_origins, ElementsAre("*"));
  EXPECT_EQ(demo.limits.max_connections, 0u);
  EXPECT_EQ(demo.limits.max_client_events_per_second, 10u);
  EXPECT_EQ(demo.limits.max_event_payload_kb, 10u);
  EXPECT_EQ(demo.limits.activity_timeout_seconds, 30u);
}

TEST(LoadConfig, FileSetsEveryServerKey) {
  const absl::StatusOr<Config> config = LoadFile(WriteConfigFile(R"({
    "host": "127.0.0.1", "port": 7001, "grpc_port": 7002, "threads": 3,
    "max_connections": 5000, "max_write_buffer_kb": 64, "max_request_kb": 32,
    "max_publish_backlog": 50, "shutdown_grace_seconds": 0, "log_level": "debug"
  })"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->port, 7001);
  EXPECT_EQ(config->grpc_port, 7002);
  EXPECT_EQ(config->threads, 3u);
  EXPECT_EQ(config->max_connections, 5000u);
  EXPECT_EQ(config->max_write_buffer_kb, 64u);
  EXPECT_EQ(config->max_request_kb, 32u);
  EXPECT_EQ(config->max_publish_backlog, 50u);
  EXPECT_EQ(config->shutdown_grace_seconds, 0u);
  EXPECT_EQ(config->log_level, "debug");
}

TEST(LoadConfig, FileWithoutAppsKeepsTheDemoApp) {
  const absl::StatusOr<Config> config = LoadFile(WriteConfigFile(R"({"port": 7001})"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 1u);
  EXPECT_EQ(config->apps[0].key, "app-key");
}

TEST(LoadConfig, FileAppsReplaceTheDemoAppAndSetEveryAppKey) {
  const absl::StatusOr<Config> config =
      LoadFile(WriteConfigFile(R"({"max_message_kb": 128, "apps": [
    {"id": "one", "key": "key-one", "secret": "secret-one", "enabled": false,
     "enable_client_messages": true, "max_connections": 7, "max_client_events_per_second": 20,
     "max_presence_members": 50, "max_presence_member_size_kb": 2, "max_event_payload_kb": 100,
     "activity_timeout": 120, "allowed_origins": ["https://*.example.com", "localhost"],
     "max_channels_per_connection": 50, "max_subscriptions_per_second": 3,
     "max_presence_joins_per_second": 0},
    {"id": "two", "key": "key-two", "secret": "secret-two"}
  ]})"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 2u);
  const core::App& one = config->apps[0];
  EXPECT_EQ(one.id, "one");
  EXPECT_EQ(one.key, "key-one");
  EXPECT_EQ(one.secret, "secret-one");
  EXPECT_FALSE(one.enabled);
  EXPECT_TRUE(one.enable_client_messages);
  EXPECT_EQ(one.limits.max_connections, 7u);
  EXPECT_EQ(one.limits.max_client_events_per_second, 20u);
  EXPECT_EQ(one.limits.max_presence_members, 50u);
  EXPECT_EQ(one.limits.max_presence_member_size_kb, 2u);
  EXPECT_EQ(one.limits.max_event_payload_kb, 100u);
  EXPECT_EQ(one.limits.activity_timeout_seconds, 120u);
  EXPECT_EQ(one.limits.max_channels_per_connection, 50u);
  EXPECT_EQ(one.limits.max_subscriptions_per_second, 3u);
  EXPECT_EQ(one.limits.max_presence_joins_per_second, 0u);
  EXPECT_THAT(one.allowed_origins, ElementsAre("https://*.example.com", "localhost"));
  EXPECT_EQ(config->apps[1].id, "two");
}

TEST(LoadConfig, AppKeysLeftOutOfTheFileTakeTheirDocumentedDefaults) {
  const absl::StatusOr<Config> config =
      LoadFile(WriteConfigFile(R"({"apps": [{"id": "1", "key": "k", "secret": "s"}]})"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 1u);
  const core::App& app = config->apps[0];
  EXPECT_TRUE(app.enabled);
  EXPECT_FALSE(app.enable_client_messages);
  EXPECT_EQ(app.limits.max_connections, 0u);
  EXPECT_EQ(app.limits.max_client_events_per_second, 10u);
  EXPECT_EQ(app.limits.max_presence_members, 100u);
  EXPECT_EQ(app.limits.max_presence_member_size_kb, 1u);
  EXPECT_EQ(app.limits.max_event_payload_kb, 10u);
  EXPECT_EQ(app.limits.activity_timeout_seconds, 30u);
  EXPECT_EQ(app.limits.max_channels_per_connection, 500u);
  EXPECT_EQ(app.limits.max_subscriptions_per_second, 10u);
  EXPECT_EQ(app.limits.max_presence_joins_per_second, 5u);
  EXPECT_THAT(app.allowed_origins, ElementsAre("*"));
}

TEST(LoadConfig, EmptyOriginListIsKept) {
  const absl::StatusOr<Config> config = LoadFile(WriteConfigFile(
      R"({"apps": [{"id": "1", "key": "k", "secret": "s", "allowed_origins": []}]})"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->apps[0].allowed_origins.empty());
}

TEST(LoadConfig, FileStartingWithAByteOrderMarkIsRead) {
  const absl::StatusOr<Config> config = LoadFile(WriteConfigFile("\xEF\xBB\xBF{\"port\": 7001}"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->port, 7001);
}

TEST(LoadConfig, ConfigFlagAcceptsTheEqualsForm) {
  const std::string path = WriteConfigFile(R"({"port": 7001})");
  const absl::StatusOr<Config> config = LoadConfig({"--config=" + path}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->port, 7001);
}

TEST(LoadConfig, UnknownAppKeyIsRejectedNamingItsPath) {
  const std::string path = WriteConfigFile(R"({"apps": [
    {"id": "1", "key": "k1", "secret": "s"},
    {"id": "2", "key": "k2", "secret": "s", "max_conections": 5}
  ]})");
  EXPECT_EQ(ErrorOf(LoadFile(path)),
            absl::StrCat("config file ", path, ": apps[1].max_conections: unknown key"));
}

TEST(LoadConfig, UnknownTopLevelKeyIsRejectedNamingIt) {
  const std::string path = WriteConfigFile(R"({"prot": 6001})");
  EXPECT_EQ(ErrorOf(LoadFile(path)), absl::StrCat("config file ", path, ": prot: unknown key"));
}

struct BadFile {
  std::string name;
  std::string json;
  std::string error;  // the message after "config file <path>: "
};

class FileWithBadValue : public testing::TestWithParam<BadFile> {};

TEST_P(FileWithBadValue, IsRejectedNamingTheKeyPathAndWhatWasExpected) {
  const std::string path = WriteConfigFile(GetParam().json);
  EXPECT_EQ(ErrorOf(LoadFile(path)), absl::StrCat("config file ", path, ": ", GetParam().error));
}

std::string OneApp(const std::string& extra) {
  return absl::StrCat(R"({"apps": [{"id": "1", "key": "k", "secret": "s")", extra, "}]}");
}

INSTANTIATE_TEST_SUITE_P(
    LoadConfig, FileWithBadValue,
    testing::Values(
        BadFile{"PortAsString", R"({"port": "6001"})", "port: expected an integer from 0 to 65535"},
        BadFile{"PortAbove65535", R"({"grpc_port": 65536})",
                "grpc_port: expected an integer from 0 to 65535"},
        BadFile{"NegativeCount", R"({"threads": -1})", "threads: expected a non-negative integer"},
        BadFile{"FractionalCount", R"({"max_connections": 1.5})",
                "max_connections: expected a non-negative integer"},
        BadFile{"WholeNumberWrittenAsFloat", R"({"threads": 1.0})",
                "threads: expected a non-negative integer"},
        BadFile{"CountBeyond32Bits", R"({"max_connections": 4294967296})",
                "max_connections: expected a non-negative integer, at most 4294967295"},
        BadFile{"ZeroWriteBuffer", R"({"max_write_buffer_kb": 0})",
                "max_write_buffer_kb: expected a positive integer"},
        BadFile{"ZeroRequestLimit", R"({"max_request_kb": 0})",
                "max_request_kb: expected a positive integer"},
        BadFile{"NegativePublishBacklog", R"({"max_publish_backlog": -1})",
                "max_publish_backlog: expected a non-negative integer"},
        BadFile{"BooleanCount", R"({"shutdown_grace_seconds": true})",
                "shutdown_grace_seconds: expected a non-negative integer"},
        BadFile{"NumericHost", R"({"host": 5})", "host: expected a non-empty string"},
        BadFile{"EmptyHost", R"({"host": ""})", "host: expected a non-empty string"},
        BadFile{"UnknownLogLevel", R"({"log_level": "verbose"})",
                "log_level: expected one of debug, info, warn, error"},
        BadFile{"AppsAsObject", R"({"apps": {}})", "apps: expected an array of app objects"},
        BadFile{"AppAsString", R"({"apps": ["app"]})", "apps[0]: expected an object"},
        BadFile{"AppCountAsString", OneApp(R"(, "max_connections": "10")"),
                "apps[0].max_connections: expected a non-negative integer"},
        BadFile{"AppFlagAsString", OneApp(R"(, "enabled": "yes")"),
                "apps[0].enabled: expected true or false"},
        BadFile{"ClientMessagesAsNumber", OneApp(R"(, "enable_client_messages": 1)"),
                "apps[0].enable_client_messages: expected true or false"},
        BadFile{"ZeroPayloadLimit", OneApp(R"(, "max_event_payload_kb": 0)"),
                "apps[0].max_event_payload_kb: expected a positive integer"},
        BadFile{"ZeroActivityTimeout", OneApp(R"(, "activity_timeout": 0)"),
                "apps[0].activity_timeout: expected a positive integer"},
        BadFile{"OriginsAsString", OneApp(R"(, "allowed_origins": "*")"),
                "apps[0].allowed_origins: expected an array of strings"},
        BadFile{"OriginAsNumber", OneApp(R"(, "allowed_origins": ["*", 1])"),
                "apps[0].allowed_origins[1]: expected a non-empty string"},
        BadFile{"MissingSecret", R"({"apps": [{"id": "1", "key": "k"}]})",
                "apps[0].secret: required key is missing"},
        BadFile{"EmptyId", R"({"apps": [{"id": "", "key": "k", "secret": "s"}]})",
                "apps[0].id: expected a non-empty string of letters, digits, '-', '_', '.' or "
                "'~'"},
        BadFile{"KeyWithSlash", R"({"apps": [{"id": "1", "key": "a/b", "secret": "s"}]})",
                "apps[0].key: expected a non-empty string of letters, digits, '-', '_', '.' or "
                "'~'"},
        BadFile{"EmptySecret", R"({"apps": [{"id": "1", "key": "k", "secret": ""}]})",
                "apps[0].secret: expected a non-empty string"},
        BadFile{"TopLevelArray", R"([{"port": 1}])", "expected a JSON object at the top"},
        BadFile{"InvalidJson", "{\n  \"port\": 6001,\n  \"host\": localhost\n}",
                "invalid JSON at line 3, column 11: syntax error"},
        BadFile{"TruncatedJson", R"({"port": 6001)",
                "invalid JSON at line 1, column 14: incomplete JSON"},
        BadFile{"EmptyFile", " \n", "file is empty, expected a JSON object"},
        BadFile{"DuplicateAppIds",
                R"({"apps": [{"id": "1", "key": "a", "secret": "s"},
                             {"id": "1", "key": "b", "secret": "s"}]})",
                "apps[1].id: duplicate app id \"1\", already used by apps[0]"},
        BadFile{"DuplicateAppKeys",
                R"({"apps": [{"id": "1", "key": "a", "secret": "s"},
                             {"id": "2", "key": "b", "secret": "s"},
                             {"id": "3", "key": "a", "secret": "s"}]})",
                "apps[2].key: duplicate app key \"a\", already used by apps[0]"}),
    [](const testing::TestParamInfo<BadFile>& info) { return info.param.name; });

TEST(LoadConfig, MissingFileIsRejectedNamingIt) {
  const std::string path = TempPath("_does_not_exist.json");
  EXPECT_EQ(ErrorOf(LoadFile(path)), absl::StrCat("config file ", path, ": no such file"));
}

TEST(LoadConfig, DirectoryGivenAsConfigFileIsRejected) {
  EXPECT_THAT(ErrorOf(LoadFile(testing::TempDir())), HasSubstr("is a directory"));
}

TEST(LoadConfig, EmptyAppListWithNothingElseIsRejected) {
  EXPECT_THAT(ErrorOf(LoadFile(WriteConfigFile(R"({"apps": []})"))),
              HasSubstr("no apps configured"));
}

TEST(LoadConfig, PusherVariablesReplaceTheDemoAppKeepingItsSettings) {
  const absl::StatusOr<Config> config = LoadConfig({}, AppVariables("PUSHER", "123", "pk", "ps"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 1u);
  EXPECT_EQ(config->apps[0].id, "123");
  EXPECT_EQ(config->apps[0].key, "pk");
  EXPECT_EQ(config->apps[0].secret, "ps");
  EXPECT_TRUE(config->apps[0].enable_client_messages);
}

TEST(LoadConfig, ReverbVariablesReplaceTheDemoApp) {
  const absl::StatusOr<Config> config = LoadConfig({}, AppVariables("REVERB", "9", "rk", "rs"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 1u);
  EXPECT_EQ(config->apps[0].id, "9");
  EXPECT_EQ(config->apps[0].key, "rk");
  EXPECT_EQ(config->apps[0].secret, "rs");
}

TEST(LoadConfig, PusherAndReverbVariablesWithDifferentIdsDefineTwoApps) {
  const absl::StatusOr<Config> config = LoadConfig(
      {}, Merged(AppVariables("PUSHER", "1", "pk", "ps"), AppVariables("REVERB", "2", "rk", "rs")));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 2u);
  EXPECT_EQ(config->apps[0].key, "pk");
  EXPECT_EQ(config->apps[1].key, "rk");
  EXPECT_TRUE(config->apps[1].enable_client_messages);
}

TEST(LoadConfig, ReverbVariablesWithThePusherIdReplaceItsKeyAndSecret) {
  const absl::StatusOr<Config> config = LoadConfig(
      {}, Merged(AppVariables("PUSHER", "1", "pk", "ps"), AppVariables("REVERB", "1", "rk", "rs")));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 1u);
  EXPECT_EQ(config->apps[0].key, "rk");
  EXPECT_EQ(config->apps[0].secret, "rs");
}

TEST(LoadConfig, VariablesWithTheDemoIdReplaceOnlyTheDemoKeyAndSecret) {
  const absl::StatusOr<Config> config =
      LoadConfig({}, Merged(AppVariables("PUSHER", "app-id", "pk", "ps"),
                            AppVariables("REVERB", "2", "rk", "rs")));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 2u);
  EXPECT_EQ(config->apps[0].id, "app-id");
  EXPECT_EQ(config->apps[0].key, "pk");
  EXPECT_EQ(config->apps[1].id, "2");
}

TEST(LoadConfig, VariablesWithAFileAppIdReplaceOnlyItsKeyAndSecret) {
  const std::string path = WriteConfigFile(R"({"apps": [
    {"id": "1", "key": "old", "secret": "old", "max_connections": 5}
  ]})");
  const absl::StatusOr<Config> config = LoadFile(path, AppVariables("REVERB", "1", "new", "new-s"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 1u);
  EXPECT_EQ(config->apps[0].key, "new");
  EXPECT_EQ(config->apps[0].secret, "new-s");
  EXPECT_EQ(config->apps[0].limits.max_connections, 5u);
}

TEST(LoadConfig, VariablesWithANewIdAddAnAppAfterTheFileApps) {
  const std::string path =
      WriteConfigFile(R"({"apps": [{"id": "1", "key": "k1", "secret": "s"}]})");
  const absl::StatusOr<Config> config = LoadFile(path, AppVariables("PUSHER", "2", "k2", "s2"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 2u);
  EXPECT_EQ(config->apps[0].id, "1");
  EXPECT_EQ(config->apps[1].id, "2");
  EXPECT_EQ(config->apps[1].key, "k2");
  EXPECT_FALSE(config->apps[1].enable_client_messages);
}

TEST(LoadConfig, VariablesFillAnEmptyFileAppList) {
  const absl::StatusOr<Config> config =
      LoadFile(WriteConfigFile(R"({"apps": []})"), AppVariables("PUSHER", "2", "k2", "s2"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->apps.size(), 1u);
  EXPECT_EQ(config->apps[0].id, "2");
}

TEST(LoadConfig, PartialVariableSetIsRejectedNamingTheMissingVariables) {
  EXPECT_EQ(ErrorOf(LoadConfig({}, {{"PUSHER_APP_KEY", "k"}})),
            "environment: PUSHER_APP_KEY is set but PUSHER_APP_ID and PUSHER_APP_SECRET are not; "
            "set all three to define an app, or none");
  EXPECT_THAT(ErrorOf(LoadConfig({}, {{"REVERB_APP_ID", "1"}, {"REVERB_APP_KEY", "k"}})),
              HasSubstr("REVERB_APP_ID and REVERB_APP_KEY are set but REVERB_APP_SECRET is not"));
}

TEST(LoadConfig, EmptyVariablesCountAsUnset) {
  const absl::StatusOr<Config> config = LoadConfig({}, {{"PUSHER_APP_ID", ""},
                                                        {"PUSHER_APP_KEY", ""},
                                                        {"PUSHER_APP_SECRET", "s"},
                                                        {"PUSHER_PORT", ""},
                                                        {"REALTIME_HOST", ""}});
  EXPECT_THAT(ErrorOf(config), HasSubstr("PUSHER_APP_SECRET is set but"));
  const absl::StatusOr<Config> unset =
      LoadConfig({}, {{"PUSHER_APP_ID", ""}, {"PUSHER_PORT", ""}, {"REALTIME_HOST", ""}});
  ASSERT_TRUE(unset.ok()) << unset.status();
  EXPECT_EQ(unset->apps[0].id, "app-id");
  EXPECT_EQ(unset->port, 6001);
  EXPECT_EQ(unset->host, "0.0.0.0");
}

TEST(LoadConfig, VariableAppKeyNotFitForAUrlIsRejectedNamingTheVariable) {
  EXPECT_THAT(ErrorOf(LoadConfig({}, AppVariables("PUSHER", "1", "a key", "s"))),
              HasSubstr("environment variable PUSHER_APP_KEY: expected a non-empty string"));
}

TEST(LoadConfig, VariableAppTakingAFileAppKeyIsRejected) {
  const std::string path = WriteConfigFile(R"({"apps": [{"id": "1", "key": "k", "secret": "s"}]})");
  EXPECT_EQ(ErrorOf(LoadFile(path, AppVariables("PUSHER", "2", "k", "s2"))),
            "duplicate app key \"k\": used by apps \"1\" and \"2\"");
}

TEST(LoadConfig, PusherPortSetsThePort) {
  const absl::StatusOr<Config> config = LoadConfig({}, {{"PUSHER_PORT", "6002"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->port, 6002);
}

TEST(LoadConfig, ReverbServerVariablesBeatPusherPort) {
  const absl::StatusOr<Config> config = LoadConfig({}, {{"REVERB_SERVER_HOST", "10.0.0.1"},
                                                        {"REVERB_SERVER_PORT", "8080"},
                                                        {"PUSHER_PORT", "6002"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host, "10.0.0.1");
  EXPECT_EQ(config->port, 8080);
}

TEST(LoadConfig, RealtimeVariablesBeatReverbServerVariables) {
  const absl::StatusOr<Config> config = LoadConfig({}, {{"REALTIME_HOST", "127.0.0.1"},
                                                        {"REALTIME_PORT", "7000"},
                                                        {"REALTIME_GRPC_PORT", "7001"},
                                                        {"REVERB_SERVER_HOST", "10.0.0.1"},
                                                        {"REVERB_SERVER_PORT", "8080"},
                                                        {"PUSHER_PORT", "6002"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->port, 7000);
  EXPECT_EQ(config->grpc_port, 7001);
}

TEST(LoadConfig, OnlyTheWinningPortVariableIsChecked) {
  const absl::StatusOr<Config> config =
      LoadConfig({}, {{"REALTIME_PORT", "7000"}, {"PUSHER_PORT", "not-a-port"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->port, 7000);
}

TEST(LoadConfig, EnvironmentOverridesTheFile) {
  const std::string path = WriteConfigFile(R"({"host": "::1", "port": 7001, "grpc_port": 7002})");
  const absl::StatusOr<Config> config = LoadFile(
      path,
      {{"REALTIME_HOST", "127.0.0.1"}, {"REALTIME_PORT", "8001"}, {"REALTIME_GRPC_PORT", "8002"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->port, 8001);
  EXPECT_EQ(config->grpc_port, 8002);
}

TEST(LoadConfig, InvalidPortVariableIsRejectedNamingIt) {
  for (const auto& [variable, value] :
       std::vector<std::pair<std::string, std::string>>{{"REALTIME_PORT", "abc"},
                                                        {"REALTIME_GRPC_PORT", "65536"},
                                                        {"REVERB_SERVER_PORT", "-1"},
                                                        {"PUSHER_PORT", "80 "}}) {
    SCOPED_TRACE(variable);
    EXPECT_EQ(ErrorOf(LoadConfig({}, {{variable, value}})),
              absl::StrCat("environment variable ", variable,
                           ": expected an integer from 0 to 65535, got \"", value, "\""));
  }
}

TEST(LoadConfig, FlagsOverrideEnvironmentAndFile) {
  const std::string path =
      WriteConfigFile(R"({"host": "::1", "port": 7001, "threads": 2, "log_level": "warn"})");
  const absl::StatusOr<Config> config = LoadConfig(
      {"--config", path, "--host", "127.0.0.1", "--port", "9001", "--grpc-port", "9002",
       "--threads", "4", "--log-level", "error"},
      {{"REALTIME_HOST", "10.0.0.1"}, {"REALTIME_PORT", "8001"}, {"REALTIME_GRPC_PORT", "8002"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->port, 9001);
  EXPECT_EQ(config->grpc_port, 9002);
  EXPECT_EQ(config->threads, 4u);
  EXPECT_EQ(config->log_level, "error");
}

TEST(LoadConfig, FlagsAcceptTheEqualsFormAndTheLastOneWins) {
  const absl::StatusOr<Config> config = LoadConfig({"--port=7000", "--port=7100", "--grpc-port=0",
                                                    "--host=::", "--threads=1", "--log-level=warn"},
                                                   {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->port, 7100);
  EXPECT_EQ(config->grpc_port, 0);
  EXPECT_EQ(config->host, "::");
  EXPECT_EQ(config->threads, 1u);
  EXPECT_EQ(config->log_level, "warn");
}

TEST(LoadConfig, UnknownFlagIsRejectedNamingIt) {
  EXPECT_EQ(ErrorOf(LoadConfig({"--prot", "1"}, {})), "unknown flag --prot; see --help");
  EXPECT_EQ(ErrorOf(LoadConfig({"--prot=1"}, {})), "unknown flag --prot; see --help");
  EXPECT_EQ(ErrorOf(LoadConfig({"-p"}, {})), "unknown flag -p; see --help");
}

TEST(LoadConfig, FlagWithoutValueIsRejectedNamingIt) {
  EXPECT_EQ(ErrorOf(LoadConfig({"--port"}, {})), "flag --port: missing value");
  EXPECT_EQ(ErrorOf(LoadConfig({"--host", "--port", "1"}, {})), "flag --host: missing value");
  EXPECT_EQ(ErrorOf(LoadConfig({"--config="}, {})), "flag --config: missing value");
}

TEST(LoadConfig, InvalidFlagValueIsRejectedNamingTheFlag) {
  EXPECT_EQ(ErrorOf(LoadConfig({"--port", "http"}, {})),
            "flag --port: expected an integer from 0 to 65535, got \"http\"");
  EXPECT_EQ(ErrorOf(LoadConfig({"--port", "+80"}, {})),
            "flag --port: expected an integer from 0 to 65535, got \"+80\"");
  EXPECT_EQ(ErrorOf(LoadConfig({"--grpc-port=65536"}, {})),
            "flag --grpc-port: expected an integer from 0 to 65535, got \"65536\"");
  EXPECT_EQ(ErrorOf(LoadConfig({"--threads", "-1"}, {})),
            "flag --threads: expected a non-negative integer, got \"-1\"");
  EXPECT_EQ(ErrorOf(LoadConfig({"--log-level", "trace"}, {})),
            "flag --log-level: expected one of debug, info, warn, error, got \"trace\"");
}

TEST(LoadConfig, PositionalArgumentIsRejected) {
  EXPECT_THAT(ErrorOf(LoadConfig({"serve"}, {})), HasSubstr("unexpected argument \"serve\""));
}

TEST(LoadConfig, HelpSetsShowHelpAndSucceeds) {
  for (const std::string flag : {"--help", "-h"}) {
    SCOPED_TRACE(flag);
    const absl::StatusOr<Config> config = LoadConfig({flag}, {});
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_TRUE(config->show_help);
  }
}

TEST(LoadConfig, HelpSucceedsWhateverElseIsBroken) {
  const absl::StatusOr<Config> config =
      LoadConfig({"--bogus", "--config", TempPath("_missing.json"), "--help"},
                 {{"PUSHER_APP_KEY", "only-the-key"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->show_help);
}

TEST(LoadConfig, SamePortForWebSocketAndGrpcIsRejected) {
  EXPECT_EQ(ErrorOf(LoadConfig({"--port", "7000", "--grpc-port", "7000"}, {})),
            "port and grpc_port are both 7000; give them different values (0 picks any free "
            "port)");
}

TEST(LoadConfig, FileSetsTheLimitsAndTheOperatorListener) {
  const absl::StatusOr<Config> config = LoadFile(WriteConfigFile(R"({
    "max_message_kb": 64, "message_timeout_ms": 2500, "reserved_descriptors": 100,
    "operator_host": "0.0.0.0", "operator_port": 9700, "operator_token": "t"
  })"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->max_message_kb, 64u);
  EXPECT_EQ(config->message_timeout_ms, 2500u);
  EXPECT_EQ(config->reserved_descriptors, 100u);
  EXPECT_EQ(config->operator_host, "0.0.0.0");
  EXPECT_EQ(config->operator_port, 9700);
  EXPECT_EQ(config->operator_token, "t");
}

TEST(LoadConfig, OperatorFlagsAndTokenVariable) {
  const absl::StatusOr<Config> config =
      LoadConfig({"--operator-host", "127.0.0.2", "--operator-port=0"},
                 {{"REALTIME_OPERATOR_TOKEN", "from-env"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->operator_host, "127.0.0.2");
  EXPECT_EQ(config->operator_port, 0);
  EXPECT_EQ(config->operator_token, "from-env");
}

TEST(LoadConfig, OperatorPortSharedWithAnotherListenerIsRejected) {
  EXPECT_THAT(ErrorOf(LoadConfig({"--port", "7000", "--operator-port", "7000"}, {})),
              HasSubstr("operator_port 7000 is also port or grpc_port"));
}

TEST(LoadConfig, AppPayloadLimitAboveTheMessageLimitIsRejected) {
  EXPECT_EQ(ErrorOf(LoadFile(WriteConfigFile(
                R"({"max_message_kb": 16, "apps": [{"id": "a", "key": "k", "secret": "s",
                     "max_event_payload_kb": 20}]})"))),
            "apps[0].max_event_payload_kb (20) is more than max_message_kb (16): client events "
            "that large could not arrive; raise max_message_kb");
}

TEST(LoadConfig, ZeroMessageLimitsAreRejected) {
  for (const char* key : {"max_message_kb", "message_timeout_ms"}) {
    EXPECT_THAT(ErrorOf(LoadFile(WriteConfigFile(absl::StrCat("{\"", key, "\": 0}")))),
                HasSubstr(absl::StrCat(key, ": expected a positive integer")));
  }
}

TEST(LoadConfig, PortZeroForBothIsAllowed) {
  const absl::StatusOr<Config> config = LoadConfig({"--port", "0", "--grpc-port", "0"}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->port, 0);
  EXPECT_EQ(config->grpc_port, 0);
}

TEST(Usage, NamesEveryFlagVariableAndConfigKey) {
  const std::string usage = Usage();
  for (const char* name : {"--config",
                           "--host",
                           "--port",
                           "--grpc-port",
                           "--threads",
                           "--log-level",
                           "--help",
                           "PUSHER_APP_ID",
                           "PUSHER_APP_KEY",
                           "PUSHER_APP_SECRET",
                           "REVERB_APP_ID",
                           "REVERB_APP_KEY",
                           "REVERB_APP_SECRET",
                           "REALTIME_HOST",
                           "REALTIME_PORT",
                           "REALTIME_GRPC_PORT",
                           "REVERB_SERVER_HOST",
                           "REVERB_SERVER_PORT",
                           "PUSHER_PORT",
                           "host",
                           "port",
                           "grpc_port",
                           "threads",
                           "max_connections",
                           "max_write_buffer_kb",
                           "max_request_kb",
                           "max_message_kb",
                           "message_timeout_ms",
                           "reserved_descriptors",
                           "operator_host",
                           "operator_port",
                           "operator_token",
                           "REALTIME_OPERATOR_TOKEN",
                           "--operator-port",
                           "max_publish_backlog",
                           "shutdown_grace_seconds",
                           "log_level",
                           "apps",
                           "id",
                           "key",
                           "secret",
                           "enabled",
                           "enable_client_messages",
                           "max_client_events_per_second",
                           "max_channels_per_connection",
                           "max_subscriptions_per_second",
                           "max_presence_joins_per_second",
                           "max_presence_members",
                           "max_presence_member_size_kb",
                           "max_event_payload_kb",
                           "activity_timeout",
                           "allowed_origins"}) {
    EXPECT_THAT(usage, HasSubstr(name));
  }
}

TEST(Usage, ShowsTheDefaults) {
  const std::string usage = Usage();
  for (const char* text : {"0.0.0.0", "6001", "50051", "1024", "256", "\"info\"", "app-id",
                           "app-key", "app-secret", "[\"*\"]"}) {
    EXPECT_THAT(usage, HasSubstr(text));
  }
}

TEST(Usage, ExampleConfigFileLoads) {
  const std::string usage = Usage();
  const size_t start = usage.find("Example config file:\n");
  ASSERT_NE(start, std::string::npos);
  const absl::StatusOr<Config> config =
      LoadFile(WriteConfigFile(usage.substr(start + std::string("Example config file:\n").size())));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->apps[0].key, "my-key");
}

}  // namespace
}  // namespace gw::config

namespace gw::config {
namespace {

absl::StatusOr<Config> LoadAppJson(const std::string& app_json) {
  const std::string path = TempPath("_control_plane_keys.json");
  std::ofstream(path) << R"({"apps":[)" << app_json << "]}";
  return LoadConfig({"--config", path}, {});
}

TEST(ConfigControlPlaneKeys, ReadsTokenMasterKeyAndAuthorizer) {
  // 32 bytes of 0x01, base64.
  auto config = LoadAppJson(R"({"id":"a","key":"k","secret":"s","grpc_token":"tok",
      "encryption_master_key_base64":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
      "authorizer":{"target":"127.0.0.1:9000","timeout_ms":250,"forward_headers":["X-User"],
                    "forward_cookies":["session"],"forward_query":["token"]}})");
  ASSERT_TRUE(config.ok()) << config.status();
  const core::App& app = config->apps.at(0);
  EXPECT_EQ(app.grpc_token, "tok");
  EXPECT_EQ(app.encryption_master_key, std::string(32, '\x01'));
  EXPECT_EQ(app.authorizer.target, "127.0.0.1:9000");
  EXPECT_EQ(app.authorizer.timeout_ms, 250u);
  EXPECT_EQ(app.authorizer.forward_headers, std::vector<std::string>{"x-user"});
  EXPECT_EQ(app.authorizer.forward_cookies, std::vector<std::string>{"session"});
  EXPECT_EQ(app.authorizer.forward_query, std::vector<std::string>{"token"});
}

TEST(ConfigControlPlaneKeys, MasterKeyMustBe32BytesOfBase64) {
  auto config =
      LoadAppJson(R"({"id":"a","key":"k","secret":"s","encryption_master_key_base64":"AQID"})");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              ::testing::HasSubstr("apps[0].encryption_master_key_base64"));
}

TEST(ConfigControlPlaneKeys, AuthorizerNeedsATargetAndKnownKeys) {
  auto no_target = LoadAppJson(R"({"id":"a","key":"k","secret":"s","authorizer":{}})");
  ASSERT_FALSE(no_target.ok());
  EXPECT_THAT(std::string(no_target.status().message()),
              ::testing::HasSubstr("apps[0].authorizer.target"));
  auto unknown =
      LoadAppJson(R"({"id":"a","key":"k","secret":"s","authorizer":{"target":"x:1","timeout":5}})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()),
              ::testing::HasSubstr("apps[0].authorizer.timeout: unknown key"));
}

}  // namespace
}  // namespace gw::config

namespace gw::config {
namespace {

absl::StatusOr<Config> LoadServerJson(const std::string& settings_json) {
  const std::string path = TempPath("_server_keys.json");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << settings_json;
  return LoadConfig({"--config", path}, {});
}

TEST(ConfigWebhookKeys, DefaultsAreThoseOfPusher) {
  const absl::StatusOr<Config> config = LoadConfig({}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->webhook_vacate_delay_ms, 3000u);
  EXPECT_EQ(config->webhook_timeout_ms, 10000u);
  EXPECT_EQ(config->webhook_retry_max_seconds, 300u);
  EXPECT_EQ(config->webhook_max_queued_events, 10000u);
}

TEST(ConfigWebhookKeys, ReadsEveryKey) {
  const absl::StatusOr<Config> config = LoadServerJson(
      R"({"webhook_vacate_delay_ms": 0, "webhook_timeout_ms": 250,
          "webhook_retry_max_seconds": 0, "webhook_max_queued_events": 5})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->webhook_vacate_delay_ms, 0u);
  EXPECT_EQ(config->webhook_timeout_ms, 250u);
  EXPECT_EQ(config->webhook_retry_max_seconds, 0u);
  EXPECT_EQ(config->webhook_max_queued_events, 5u);
}

TEST(ConfigWebhookKeys, TheClusterWebhookStreamBoundDefaultsTo100kAndMustBePositive) {
  const absl::StatusOr<Config> defaults = LoadConfig({}, {});
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->redis_webhook_stream_max_events, 100000u);
  const absl::StatusOr<Config> set = LoadServerJson(R"({"redis_webhook_stream_max_events": 50})");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->redis_webhook_stream_max_events, 50u);
  const absl::StatusOr<Config> zero = LoadServerJson(R"({"redis_webhook_stream_max_events": 0})");
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(std::string(zero.status().message()), HasSubstr("redis_webhook_stream_max_events"));
}

TEST(ConfigWebhookKeys, TimeoutAndQueueBoundMustBePositive) {
  for (const char* key : {"webhook_timeout_ms", "webhook_max_queued_events"}) {
    const absl::StatusOr<Config> config = LoadServerJson(absl::StrCat("{\"", key, "\": 0}"));
    ASSERT_FALSE(config.ok()) << key;
    EXPECT_THAT(std::string(config.status().message()),
                HasSubstr(absl::StrCat(key, ": expected a positive integer")));
  }
}

TEST(ConfigWebhookKeys, NegativeOrNonIntegerValuesAreRejectedNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {{"webhook_vacate_delay_ms", "-1"},
                                                       {"webhook_retry_max_seconds", "1.5"},
                                                       {"webhook_timeout_ms", "\"10\""},
                                                       {"webhook_max_queued_events", "4294967296"}};
  for (const auto& [key, value] : cases) {
    const absl::StatusOr<Config> config =
        LoadServerJson(absl::StrCat("{\"", key, "\": ", value, "}"));
    ASSERT_FALSE(config.ok()) << key;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(absl::StrCat(": ", key, ": ")))
        << key;
  }
}

TEST(ConfigWebhookKeys, UsageNamesEveryKeyWithItsDefault) {
  const std::string usage = Usage();
  const std::pair<const char*, const char*> rows[] = {{"webhook_vacate_delay_ms", "3000"},
                                                      {"webhook_timeout_ms", "10000"},
                                                      {"webhook_retry_max_seconds", "300"},
                                                      {"webhook_max_queued_events", "10000"}};
  for (const auto& [key, default_value] : rows) {
    const size_t start = usage.find(absl::StrCat("  ", key, " "));
    ASSERT_NE(start, std::string::npos) << key;
    const std::string line = usage.substr(start, usage.find('\n', start) - start);
    EXPECT_THAT(line, ::testing::ContainsRegex(absl::StrCat(" ", default_value, " "))) << line;
  }
}

TEST(ConfigCompressionKeys, CompressionIsOnAbove256BytesForEveryAppByDefault) {
  const absl::StatusOr<Config> config = LoadConfig({}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->websocket_compression);
  EXPECT_EQ(config->websocket_compression_min_bytes, 256u);
  EXPECT_TRUE(config->apps[0].enable_websocket_compression);
}

TEST(ConfigCompressionKeys, ReadsTheServerAndAppSwitchesAndTheThreshold) {
  const absl::StatusOr<Config> config = LoadServerJson(
      R"({"websocket_compression": false, "websocket_compression_min_bytes": 0,
          "apps": [{"id": "a", "key": "k", "secret": "s",
                    "enable_websocket_compression": false}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->websocket_compression);
  EXPECT_EQ(config->websocket_compression_min_bytes, 0u);
  EXPECT_FALSE(config->apps[0].enable_websocket_compression);
}

TEST(ConfigCompressionKeys, BadValuesAreRejectedNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"websocket_compression": "yes"})", "websocket_compression: expected true or false"},
      {R"({"websocket_compression_min_bytes": -1})", "websocket_compression_min_bytes: expected"},
      {R"({"apps": [{"id": "a", "key": "k", "secret": "s", "enable_websocket_compression": 1}]})",
       "apps[0].enable_websocket_compression: expected true or false"}};
  for (const auto& [json, message] : cases) {
    const absl::StatusOr<Config> config = LoadServerJson(json);
    ASSERT_FALSE(config.ok()) << json;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(message));
  }
}

TEST(ConfigCompressionKeys, UsageNamesEveryKeyWithItsDefault) {
  const std::string usage = Usage();
  const std::pair<const char*, const char*> rows[] = {{"websocket_compression", "true"},
                                                      {"websocket_compression_min_bytes", "256"},
                                                      {"enable_websocket_compression", "true"}};
  for (const auto& [key, default_value] : rows) {
    const size_t start = usage.find(absl::StrCat("  ", key, " "));
    ASSERT_NE(start, std::string::npos) << key;
    const std::string line = usage.substr(start, usage.find('\n', start) - start);
    EXPECT_THAT(line, ::testing::ContainsRegex(absl::StrCat(" ", default_value, " "))) << line;
  }
}

}  // namespace
}  // namespace gw::config

namespace gw::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Env = std::map<std::string, std::string>;

absl::StatusOr<Config> LoadRedisJson(const std::string& settings_json, const Env& env = {}) {
  const std::string path = TempPath("_redis_keys.json");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << settings_json;
  return LoadConfig({"--config", path}, env);
}

std::string ErrorMessage(const absl::StatusOr<Config>& result) {
  if (result.ok()) {
    ADD_FAILURE() << "expected an error, got a config";
    return "";
  }
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(result.status().message());
}

TEST(ConfigRedisKeys, WithoutAnyASingleNodeNeedsNoRedis) {
  // A Laravel .env names a Redis host for cache and queues; that alone does not make a cluster.
  const absl::StatusOr<Config> config =
      LoadConfig({}, {{"REDIS_HOST", "cache"}, {"REDIS_PASSWORD", "x"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "");
  EXPECT_EQ(config->redis_prefix, "realtime");
  EXPECT_EQ(config->node_lease_seconds, 10u);
  EXPECT_EQ(config->redis_tls_ca_file, "");
}

TEST(ConfigRedisKeys, FileSetsEveryKey) {
  const absl::StatusOr<Config> config = LoadRedisJson(R"({
    "redis_url": "rediss://:pw@redis.internal:6380/2", "redis_prefix": "staging:rt",
    "node_lease_seconds": 30, "redis_tls_ca_file": "/etc/ssl/private-ca.pem"})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "rediss://:pw@redis.internal:6380/2");
  EXPECT_EQ(config->redis_prefix, "staging:rt");
  EXPECT_EQ(config->node_lease_seconds, 30u);
  EXPECT_EQ(config->redis_tls_ca_file, "/etc/ssl/private-ca.pem");
}

TEST(ConfigRedisKeys, EmptyUrlInTheFileIsASingleNode) {
  const absl::StatusOr<Config> config = LoadRedisJson(R"({"redis_url": ""})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "");
}

TEST(ConfigRedisKeys, FileValuesAreCheckedNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"redis_url": "http://:hunter2@h"})", "redis_url: the scheme must be redis://"},
      {R"({"redis_url": "redis://:hunter2@h:0"})", "redis_url: the port must be from 1 to 65535"},
      {R"({"redis_url": "redis://h/x"})", "redis_url: the path must be a database number"},
      {R"({"redis_url": 6379})", "redis_url: expected a string"},
      {R"({"redis_prefix": "a b"})", "redis_prefix: expected 1 to 64 letters"},
      {R"({"redis_prefix": ""})", "redis_prefix: expected 1 to 64 letters"},
      {R"({"redis_prefix": "{tag}"})", "redis_prefix: expected 1 to 64 letters"},
      {R"({"node_lease_seconds": 2})", "node_lease_seconds: expected an integer from 3 to 600"},
      {R"({"node_lease_seconds": 601})", "node_lease_seconds: expected an integer from 3 to 600"},
      {R"({"node_lease_seconds": "10"})", "node_lease_seconds: expected an integer from 3 to 600"},
      {R"({"redis_tls_ca_file": ""})", "redis_tls_ca_file: expected a non-empty string"},
  };
  for (const auto& [json, error] : cases) {
    SCOPED_TRACE(json);
    const std::string message = ErrorMessage(LoadRedisJson(json));
    EXPECT_THAT(message, HasSubstr(error));
    EXPECT_THAT(message, Not(HasSubstr("hunter2")));
  }
}

TEST(ConfigRedisKeys, RealtimeVariablesSetEveryKey) {
  const absl::StatusOr<Config> config = LoadConfig({}, {{"REALTIME_REDIS_URL", "rediss://10.0.0.7"},
                                                        {"REALTIME_REDIS_PREFIX", "prod"},
                                                        {"REALTIME_NODE_LEASE_SECONDS", "15"},
                                                        {"REALTIME_REDIS_TLS_CA_FILE", "/ca.pem"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "rediss://10.0.0.7");
  EXPECT_EQ(config->redis_prefix, "prod");
  EXPECT_EQ(config->node_lease_seconds, 15u);
  EXPECT_EQ(config->redis_tls_ca_file, "/ca.pem");
}

TEST(ConfigRedisKeys, ReverbScalingUsesRedisUrlAndTheScalingChannel) {
  const absl::StatusOr<Config> config =
      LoadConfig({}, {{"REVERB_SCALING_ENABLED", "true"},
                      {"REDIS_URL", "redis://:pw@redis:6379/1"},
                      {"REDIS_HOST", "ignored-when-the-url-is-set"},
                      {"REVERB_SCALING_CHANNEL", "reverb"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "redis://:pw@redis:6379/1");
  EXPECT_EQ(config->redis_prefix, "reverb");
}

TEST(ConfigRedisKeys, ReverbScalingBuildsTheUrlFromTheRedisParts) {
  const absl::StatusOr<Config> config = LoadConfig({}, {{"REVERB_SCALING_ENABLED", "(true)"},
                                                        {"REDIS_HOST", "redis.internal"},
                                                        {"REDIS_PORT", "6380"},
                                                        {"REDIS_USERNAME", "gateway"},
                                                        {"REDIS_PASSWORD", "p@ss:w/rd"},
                                                        {"REDIS_DB", "4"}});
  ASSERT_TRUE(config.ok()) << config.status();
  const absl::StatusOr<cluster::RedisUrl> url = cluster::ParseRedisUrl(config->redis_url);
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "redis.internal");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->username, "gateway");
  EXPECT_EQ(url->password, "p@ss:w/rd");
  EXPECT_EQ(url->db, 4u);
}

TEST(ConfigRedisKeys, ReverbScalingDefaultsAreThoseOfLaravel) {
  // Laravel's own .env writes REDIS_PASSWORD=null.
  const absl::StatusOr<Config> config = LoadConfig(
      {},
      {{"REVERB_SCALING_ENABLED", "1"}, {"REDIS_PASSWORD", "null"}, {"REDIS_USERNAME", "(null)"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(config->redis_prefix, "realtime");
}

TEST(ConfigRedisKeys, TlsSchemeInRedisHostMeansRediss) {
  const absl::StatusOr<Config> config = LoadConfig(
      {}, {{"REVERB_SCALING_ENABLED", "true"}, {"REDIS_HOST", "tls://cache.example.com"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "rediss://cache.example.com:6379/0");
}

TEST(ConfigRedisKeys, ALaravelRedisUrlScalesOutOnItsOwn) {
  const absl::StatusOr<Config> config = LoadConfig({}, {{"REDIS_URL", "redis://cache:6379"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "redis://cache:6379");
}

TEST(ConfigRedisKeys, ScalingDisabledLeavesTheRedisVariablesAlone) {
  const absl::StatusOr<Config> config =
      LoadConfig({}, {{"REVERB_SCALING_ENABLED", "false"}, {"REDIS_URL", "redis://x"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "");
}

TEST(ConfigRedisKeys, RealtimeVariablesBeatReverbOnes) {
  const absl::StatusOr<Config> config = LoadConfig({}, {{"REALTIME_REDIS_URL", "redis://mine"},
                                                        {"REVERB_SCALING_ENABLED", "true"},
                                                        {"REDIS_URL", "redis://theirs"},
                                                        {"REALTIME_REDIS_PREFIX", "mine"},
                                                        {"REVERB_SCALING_CHANNEL", "theirs"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "redis://mine");
  EXPECT_EQ(config->redis_prefix, "mine");
}

TEST(ConfigRedisKeys, BadVariablesAreRejectedNamingThem) {
  const std::pair<Env, const char*> cases[] = {
      {{{"REALTIME_REDIS_URL", "localhost:6379"}},
       "environment variable REALTIME_REDIS_URL: the scheme must be"},
      {{{"REVERB_SCALING_ENABLED", "yes"}},
       "environment variable REVERB_SCALING_ENABLED: expected true or false, got \"yes\""},
      {{{"REVERB_SCALING_ENABLED", "true"}, {"REDIS_URL", "redis://h:99999"}},
       "environment variable REDIS_URL: the port must be"},
      {{{"REVERB_SCALING_ENABLED", "true"}, {"REDIS_PORT", "0"}},
       "environment variable REDIS_PORT: expected an integer from 1 to 65535, got \"0\""},
      {{{"REVERB_SCALING_ENABLED", "true"}, {"REDIS_DB", "one"}},
       "environment variable REDIS_DB: expected a non-negative integer, got \"one\""},
      {{{"REVERB_SCALING_ENABLED", "true"}, {"REDIS_USERNAME", "u"}},
       "environment variable REDIS_USERNAME: is set but REDIS_PASSWORD is not"},
      {{{"REVERB_SCALING_ENABLED", "true"}, {"REDIS_HOST", "a b"}},
       "environment variable REDIS_HOST: expected a host name or IP address"},
      {{{"REVERB_SCALING_CHANNEL", "my channel"}},
       "environment variable REVERB_SCALING_CHANNEL: expected 1 to 64 letters"},
      {{{"REALTIME_NODE_LEASE_SECONDS", "1"}},
       "environment variable REALTIME_NODE_LEASE_SECONDS: expected an integer from 3 to 600"},
  };
  for (const auto& [env, error] : cases) {
    SCOPED_TRACE(error);
    EXPECT_THAT(ErrorMessage(LoadConfig({}, env)), HasSubstr(error));
  }
}

TEST(ConfigRedisKeys, FlagsOverrideEnvironmentAndFile) {
  const absl::StatusOr<Config> config = LoadConfig(
      {"--redis-url", "redis://flag:1", "--redis-prefix=flag", "--node-lease-seconds", "20"},
      {{"REALTIME_REDIS_URL", "redis://env"}, {"REALTIME_REDIS_PREFIX", "env"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "redis://flag:1");
  EXPECT_EQ(config->redis_prefix, "flag");
  EXPECT_EQ(config->node_lease_seconds, 20u);
}

TEST(ConfigRedisKeys, BadFlagsAreRejectedNamingThem) {
  EXPECT_THAT(ErrorMessage(LoadConfig({"--redis-url", "redis://:pw@h/x"}, {})),
              HasSubstr("flag --redis-url: the path must be a database number"));
  EXPECT_THAT(ErrorMessage(LoadConfig({"--redis-prefix", "a/b"}, {})),
              HasSubstr("flag --redis-prefix: expected 1 to 64 letters"));
  EXPECT_THAT(ErrorMessage(LoadConfig({"--node-lease-seconds", "0"}, {})),
              HasSubstr("flag --node-lease-seconds: expected an integer from 3 to 600"));
}

TEST(ConfigRedisKeys, CaFileNeedsATlsUrl) {
  EXPECT_THAT(
      ErrorMessage(LoadRedisJson(R"({"redis_url": "redis://h", "redis_tls_ca_file": "/ca.pem"})")),
      HasSubstr("redis_tls_ca_file: set, but redis_url is redis://"));
  EXPECT_TRUE(LoadRedisJson(R"({"redis_url": "REDISS://h", "redis_tls_ca_file": "/ca.pem"})").ok());
  EXPECT_TRUE(LoadRedisJson(R"({"redis_tls_ca_file": "/ca.pem"})").ok());
}

TEST(ConfigRedisKeys, UsageNamesEveryFlagVariableAndKeyWithItsDefault) {
  const std::string usage = Usage();
  for (const char* name :
       {"--redis-url", "--redis-prefix", "--node-lease-seconds", "REALTIME_REDIS_URL",
        "REVERB_SCALING_ENABLED", "REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_USERNAME",
        "REDIS_PASSWORD", "REDIS_DB", "REALTIME_REDIS_PREFIX", "REVERB_SCALING_CHANNEL",
        "REALTIME_NODE_LEASE_SECONDS", "REALTIME_REDIS_TLS_CA_FILE", "redis_tls_ca_file"}) {
    EXPECT_THAT(usage, HasSubstr(name));
  }
  const std::pair<const char*, const char*> rows[] = {
      {"redis_url", "none"}, {"redis_prefix", "\"realtime\""}, {"node_lease_seconds", "10"}};
  for (const auto& [key, default_value] : rows) {
    const size_t start = usage.find(absl::StrCat("  ", key, " "));
    ASSERT_NE(start, std::string::npos) << key;
    const std::string line = usage.substr(start, usage.find('\n', start) - start);
    EXPECT_THAT(line, ::testing::ContainsRegex(absl::StrCat(" ", default_value, " "))) << line;
  }
}

}  // namespace
}  // namespace gw::config

namespace gw::config {
namespace {

TEST(DashboardConfig, IsOffByDefault) {
  const absl::StatusOr<Config> config = LoadConfig({}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->dashboard);
  EXPECT_EQ(config->dashboard_user, "admin");
  EXPECT_EQ(config->dashboard_password, "");
}

TEST(DashboardConfig, TheFileAndTheEnvironmentTurnItOnWithCredentials) {
  absl::StatusOr<Config> config = LoadConfig(
      {"--config",
       WriteConfigFile(
           R"({"dashboard": true, "dashboard_user": "ops", "dashboard_password": "f"})")},
      {{"REALTIME_DASHBOARD_PASSWORD", "from-env"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->dashboard);
  EXPECT_EQ(config->dashboard_user, "ops");
  EXPECT_EQ(config->dashboard_password, "from-env");
  config = LoadConfig({}, {{"REALTIME_DASHBOARD", "true"},
                           {"REALTIME_DASHBOARD_USER", "me"},
                           {"REALTIME_DASHBOARD_PASSWORD", "pw"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->dashboard);
  EXPECT_EQ(config->dashboard_user, "me");
}

TEST(DashboardConfig, OnWithoutAPasswordIsRefused) {
  const absl::StatusOr<Config> config = LoadConfig({}, {{"REALTIME_DASHBOARD", "true"}});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), ::testing::HasSubstr("dashboard_password"));
}

TEST(DashboardConfig, BadValuesAreRefusedNamingThem) {
  absl::StatusOr<Config> config = LoadConfig({}, {{"REALTIME_DASHBOARD", "yes please"}});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), ::testing::HasSubstr("REALTIME_DASHBOARD"));
  config = LoadConfig({}, {{"REALTIME_DASHBOARD", "1"},
                           {"REALTIME_DASHBOARD_USER", "a:b"},
                           {"REALTIME_DASHBOARD_PASSWORD", "pw"}});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), ::testing::HasSubstr("dashboard_user"));
}

}  // namespace
}  // namespace gw::config
