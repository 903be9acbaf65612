#include "clients/ctl/ctl_args.h"

#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace gw::ctl {
namespace {

namespace v1 = ::realtime::v1;

struct FlagSpec {
  std::string_view name;        // without the leading "--"
  std::string_view value_name;  // empty: a boolean flag
  std::string_view help;
  bool required = false;
  bool repeatable = false;
};

struct CommandSpec {
  std::string_view name;
  std::string_view summary;
  std::vector<FlagSpec> flags;
  std::string_view examples;
};

const std::vector<FlagSpec>& GlobalFlags() {
  static const std::vector<FlagSpec> flags = {
      {"target", "HOST:PORT",
       "gateway gRPC address (env REALTIME_TARGET; default 127.0.0.1:50051)"},
      {"app-id", "ID", "the app to act on (env REALTIME_APP_ID; required)"},
      {"token", "TOKEN", "the app's gRPC token (env REALTIME_TOKEN)"},
      {"secret", "SECRET", "the app secret; the token is derived from it (env REALTIME_SECRET)"},
      {"timeout", "SECONDS", "deadline of a command, retries included: 5, 2.5, 500ms (default 5)"},
      {"retries", "N", "retries while the gateway answers UNAVAILABLE (default 3)"},
      {"json", "", "print the response as JSON (watch always prints JSON lines)"},
      {"tls", "", "connect with TLS (gRPC's default roots unless --ca-file)"},
      {"ca-file", "FILE", "PEM roots that verify the gateway (implies --tls)"},
      {"cert-file", "FILE", "PEM client certificate for mutual TLS (implies --tls)"},
      {"key-file", "FILE", "PEM private key of --cert-file"},
  };
  return flags;
}

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> commands = {
      {"publish",
       "publish an event to one or more channels",
       {{"channel", "NAME", "a target channel; repeat for up to 100", true, true},
        {"event", "NAME", "the event name", true},
        {"data", "TEXT", "the payload, delivered verbatim (usually JSON; default empty)"},
        {"socket-id", "ID", "a connection that must not receive the event"},
        {"info", "", "print each channel's subscription (and user) count"}},
       "  realtime-ctl publish --channel orders --event order.shipped --data '{\"id\":42}'\n"
       "  realtime-ctl publish --channel a --channel b --event ping --info --json\n"},
      {"channels",
       "list the occupied channels",
       {{"prefix", "TEXT", "only channels whose name starts with TEXT"}},
       "  realtime-ctl channels\n"
       "  realtime-ctl channels --prefix presence- --json\n"},
      {"channel",
       "show whether a channel is occupied and its counts",
       {{"channel", "NAME", "the channel", true}},
       "  realtime-ctl channel --channel presence-room\n"},
      {"members",
       "list the members of a presence channel",
       {{"channel", "NAME", "a presence- channel", true}},
       "  realtime-ctl members --channel presence-room\n"},
      {"authorize",
       "sign a subscription to a private-, presence- or private-encrypted- channel",
       {{"socket-id", "ID", "the socket id of the subscribing connection", true},
        {"channel", "NAME", "the channel", true},
        {"user-id", "ID", "presence channels: the member's id"},
        {"user-info", "JSON", "presence channels: the member's user_info"}},
       "  realtime-ctl authorize --socket-id 1234.5678 --channel private-orders --json\n"
       "  realtime-ctl authorize --socket-id 1234.5678 --channel presence-room \\\n"
       "      --user-id 42 --user-info '{\"name\":\"Ada\"}' --json\n"
       "With --json the output is the body a Pusher channel-auth endpoint returns.\n"},
      {"authenticate",
       "sign a user sign-in (pusher:signin)",
       {{"socket-id", "ID", "the socket id of the connection signing in", true},
        {"user-id", "ID", "the user's id", true},
        {"user-info", "JSON", "the user's user_info"},
        {"watchlist", "ID", "a user id to watch; repeatable", false, true}},
       "  realtime-ctl authenticate --socket-id 1234.5678 --user-id 42 --json\n"
       "With --json the output is the body a Pusher user-auth endpoint returns.\n"},
      {"terminate",
       "close every connection signed in as a user",
       {{"user-id", "ID", "the user", true}},
       "  realtime-ctl terminate --user-id 42\n"},
      {"send-to-user",
       "send an event to every connection signed in as a user",
       {{"user-id", "ID", "the user", true},
        {"event", "NAME", "the event name", true},
        {"data", "TEXT", "the payload (default empty)"}},
       "  realtime-ctl send-to-user --user-id 42 --event notice --data '{\"text\":\"hi\"}'\n"},
      {"watch",
       "print the app's channel events as JSON lines until interrupted",
       {{"kind", "KIND",
         "only this kind; repeatable: channel_occupied, channel_vacated, member_added, "
         "member_removed, client_event, cache_miss, subscription_count",
         false, true},
        {"prefix", "TEXT", "only channels whose name starts with TEXT"}},
       "  realtime-ctl watch\n"
       "  realtime-ctl watch --kind member_added --kind member_removed --prefix presence-\n"
       "Each line: {\"kind\":\"member_added\",\"channel\":\"presence-room\",\"time_ms\":...,"
       "\"user_id\":\"42\"}\n"
       "Ctrl-C (or SIGTERM) ends it with status 0. If the watcher falls behind, an \"overflow\"\n"
       "line is printed and the command fails with RESOURCE_EXHAUSTED.\n"},
  };
  return commands;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& command : Commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags, std::string_view name) {
  for (const FlagSpec& flag : flags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

std::string FlagLines(const std::vector<FlagSpec>& flags) {
  std::string out;
  for (const FlagSpec& flag : flags) {
    std::string left = "  --" + std::string(flag.name);
    if (!flag.value_name.empty()) left += " " + std::string(flag.value_name);
    if (left.size() < 24)
      left.resize(24, ' ');
    else
      left += "  ";
    out += left + std::string(flag.help) + (flag.required ? " (required)" : "") + "\n";
  }
  return out;
}

// Parses "5", "2.5", "5s" or "500ms" into a positive duration.
std::optional<std::chrono::milliseconds> ParseTimeout(std::string text) {
  double scale = 1000;
  if (text.size() > 2 && text.substr(text.size() - 2) == "ms") {
    scale = 1;
    text.resize(text.size() - 2);
  } else if (text.size() > 1 && text.back() == 's') {
    text.pop_back();
  }
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value) || value <= 0) return std::nullopt;
  const auto ms = static_cast<int64_t>(std::ceil(value * scale));
  return std::chrono::milliseconds(ms);
}

using FlagValues = std::map<std::string, std::vector<std::string>, std::less<>>;

class ArgReader {
 public:
  explicit ArgReader(const FlagValues& values) : values_(values) {}
  bool Has(std::string_view name) const { return values_.find(name) != values_.end(); }
  std::string Get(std::string_view name, std::string fallback = "") const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second.back();
  }
  const std::vector<std::string>& All(std::string_view name) const {
    static const std::vector<std::string> kNone;
    auto it = values_.find(name);
    return it == values_.end() ? kNone : it->second;
  }

 private:
  const FlagValues& values_;
};

absl::Status UsageError(std::string message, std::string_view command) {
  std::string help =
      command.empty() ? "realtime-ctl --help" : "realtime-ctl " + std::string(command) + " --help";
  return absl::InvalidArgumentError(message + " (see '" + help + "')");
}

absl::StatusOr<client::RealtimeClientOptions> ClientOptions(const ArgReader& flags,
                                                            const EnvLookup& env,
                                                            std::string_view command) {
  auto from = [&](std::string_view flag, std::string_view variable) -> std::optional<std::string> {
    if (flags.Has(flag)) return flags.Get(flag);
    return env(variable);
  };
  client::RealtimeClientOptions options;
  options.target = from("target", "REALTIME_TARGET").value_or("127.0.0.1:50051");
  if (options.target.empty()) return UsageError("--target must not be empty", command);
  options.app_id = from("app-id", "REALTIME_APP_ID").value_or("");
  if (options.app_id.empty()) {
    return UsageError("--app-id (or REALTIME_APP_ID) is required", command);
  }
  // A flag beats the environment, whichever of the two credentials each of them holds.
  if (flags.Has("token") && flags.Has("secret")) {
    return UsageError("give --token or --secret, not both", command);
  }
  if (flags.Has("token")) {
    options.token = flags.Get("token");
  } else if (flags.Has("secret")) {
    options.app_secret = flags.Get("secret");
  } else if (std::optional<std::string> token = env("REALTIME_TOKEN"); token && !token->empty()) {
    options.token = *token;
  } else if (std::optional<std::string> secret = env("REALTIME_SECRET")) {
    options.app_secret = *secret;
  }
  if (options.token.empty() && options.app_secret.empty()) {
    return UsageError("--token or --secret (or REALTIME_TOKEN / REALTIME_SECRET) is required",
                      command);
  }
  if (flags.Has("timeout")) {
    std::optional<std::chrono::milliseconds> timeout = ParseTimeout(flags.Get("timeout"));
    if (!timeout) {
      return UsageError(
          "--timeout wants a positive number of seconds, got '" + flags.Get("timeout") + "'",
          command);
    }
    options.deadline = *timeout;
  }
  if (flags.Has("retries")) {
    int retries = 0;
    if (!absl::SimpleAtoi(flags.Get("retries"), &retries) || retries < 0) {
      return UsageError("--retries wants a whole number >= 0, got '" + flags.Get("retries") + "'",
                        command);
    }
    options.retry.max_retries = retries;
  }
  if (flags.Has("tls") || flags.Has("ca-file") || flags.Has("cert-file") || flags.Has("key-file")) {
    if (flags.Has("cert-file") != flags.Has("key-file")) {
      return UsageError("--cert-file and --key-file go together", command);
    }
    options.tls =
        client::TlsOptions{flags.Get("ca-file"), flags.Get("cert-file"), flags.Get("key-file")};
  }
  return options;
}

absl::StatusOr<CtlRequest> BuildRequest(std::string_view command, const ArgReader& flags) {
  if (command == "publish") {
    v1::PublishRequest request;
    for (const std::string& channel : flags.All("channel")) request.add_channels(channel);
    request.set_name(flags.Get("event"));
    request.set_data(flags.Get("data"));
    request.set_socket_id(flags.Get("socket-id"));
    request.set_include_channel_info(flags.Has("info"));
    return request;
  }
  if (command == "channels") {
    v1::ListChannelsRequest request;
    request.set_prefix(flags.Get("prefix"));
    return request;
  }
  if (command == "channel") {
    v1::GetChannelRequest request;
    request.set_channel(flags.Get("channel"));
    return request;
  }
  if (command == "members") {
    v1::ListPresenceMembersRequest request;
    request.set_channel(flags.Get("channel"));
    return request;
  }
  if (command == "authorize") {
    v1::AuthorizeChannelRequest request;
    request.set_socket_id(flags.Get("socket-id"));
    request.set_channel(flags.Get("channel"));
    request.set_user_id(flags.Get("user-id"));
    request.set_user_info_json(flags.Get("user-info"));
    return request;
  }
  if (command == "authenticate") {
    v1::AuthenticateUserRequest request;
    request.set_socket_id(flags.Get("socket-id"));
    request.set_user_id(flags.Get("user-id"));
    request.set_user_info_json(flags.Get("user-info"));
    for (const std::string& user : flags.All("watchlist")) request.add_watchlist(user);
    return request;
  }
  if (command == "terminate") {
    v1::TerminateUserConnectionsRequest request;
    request.set_user_id(flags.Get("user-id"));
    return request;
  }
  if (command == "send-to-user") {
    v1::SendToUserRequest request;
    request.set_user_id(flags.Get("user-id"));
    request.set_name(flags.Get("event"));
    request.set_data(flags.Get("data"));
    return request;
  }
  v1::WatchEventsRequest request;
  for (const std::string& kind : flags.All("kind")) {
    v1::ChannelEvent::Kind value;
    const std::string upper = absl::AsciiStrToUpper(kind);
    if (upper == "KIND_UNSPECIFIED" || upper == "OVERFLOW" ||
        !v1::ChannelEvent::Kind_Parse(upper, &value)) {
      return UsageError("unknown --kind '" + kind + "'", command);
    }
    request.add_kinds(value);
  }
  request.set_channel_prefix(flags.Get("prefix"));
  return request;
}

}  // namespace

std::string GeneralUsage() {
  std::string out =
      "realtime-ctl drives a realtime-gateway through its gRPC control plane (realtime.v1).\n"
      "\n"
      "Usage: realtime-ctl [global flags] <command> [command flags]\n"
      "\n"
      "Commands:\n";
  for (const CommandSpec& command : Commands()) {
    std::string name = "  " + std::string(command.name);
    name.resize(16, ' ');
    out += name + std::string(command.summary) + "\n";
  }
  out +=
      "\n"
      "Global flags (before or after the command; --name=value works too):\n" +
      FlagLines(GlobalFlags()) +
      "  -h, --help            this text; `realtime-ctl <command> --help` for a command\n"
      "\n"
      "Examples, against the demo app of `.ci/start`:\n"
      "  export REALTIME_APP_ID=app-id REALTIME_SECRET=app-secret\n"
      "  realtime-ctl publish --channel orders --event order.shipped --data '{\"id\":42}'\n"
      "  realtime-ctl channels\n"
      "  realtime-ctl authorize --socket-id 1234.5678 --channel private-orders --json\n"
      "  realtime-ctl watch --kind member_added\n"
      "\n"
      "Exit status: 0 done; 1 the gateway refused or could not be reached (printed as\n"
      "'realtime-ctl: CODE: message', CODE being the gRPC status, e.g. UNAUTHENTICATED);\n"
      "2 bad usage (printed as 'realtime-ctl: INVALID_ARGUMENT: ...').\n";
  return out;
}

std::string CommandUsage(std::string_view name) {
  const CommandSpec* command = FindCommand(name);
  if (command == nullptr) return "";
  return "realtime-ctl " + std::string(command->name) + ": " + std::string(command->summary) +
         "\n\nUsage: realtime-ctl [global flags] " + std::string(command->name) +
         " [flags]\n\nFlags:\n" + FlagLines(command->flags) + "\nExamples:\n" +
         std::string(command->examples) +
         "\nGlobal flags (--target, --app-id, --token/--secret, --timeout, --json, TLS): see "
         "'realtime-ctl --help'.\n";
}

absl::StatusOr<CtlInvocation> ParseCtlArgs(const std::vector<std::string>& args,
                                           const EnvLookup& env) {
  const CommandSpec* command = nullptr;
  bool help = false;
  bool help_command = false;  // `realtime-ctl help [command]`
  std::optional<absl::Status> error;
  std::optional<absl::Status> unknown_command;
  auto fail = [&](std::string message) {
    if (!error) error = UsageError(std::move(message), command ? command->name : "");
  };
  FlagValues values;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      help = true;
      continue;
    }
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      const size_t equals = arg.find('=');
      const std::string name = arg.substr(2, equals == std::string::npos ? equals : equals - 2);
      const FlagSpec* flag = FindFlag(GlobalFlags(), name);
      if (flag == nullptr && command != nullptr) flag = FindFlag(command->flags, name);
      if (flag == nullptr) {
        fail(command == nullptr ? "unknown flag --" + name + " (command flags go after the command)"
                                : "unknown flag --" + name);
        continue;
      }
      std::string value = "true";
      if (flag->value_name.empty()) {
        if (equals != std::string::npos) fail("--" + name + " takes no value");
      } else if (equals != std::string::npos) {
        value = arg.substr(equals + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        fail("--" + name + " needs a value " + std::string(flag->value_name));
        continue;
      }
      std::vector<std::string>& slot = values[name];
      if (!slot.empty() && !flag->repeatable) fail("--" + name + " given twice");
      slot.push_back(std::move(value));
      continue;
    }
    if (command == nullptr && !help_command && arg == "help") {
      help_command = true;
      continue;
    }
    if (command == nullptr) {
      command = FindCommand(arg);
      if (command == nullptr) {
        unknown_command = UsageError("unknown command '" + arg + "'", "");
        if (!error) error = unknown_command;
      }
      continue;
    }
    fail("unexpected argument '" + arg + "'");
  }

  // Help wins over every other mistake on the line, except naming a command that does not exist.
  if (help || help_command) {
    if (unknown_command) return *unknown_command;
    CtlInvocation invocation;
    invocation.help = command != nullptr ? CommandUsage(command->name) : GeneralUsage();
    return invocation;
  }
  if (error) return *error;
  if (command == nullptr) return UsageError("missing command", "");

  const ArgReader flags(values);
  for (const FlagSpec& flag : command->flags) {
    if (flag.required && flags.Get(flag.name).empty()) {
      return UsageError("--" + std::string(flag.name) + " is required", command->name);
    }
  }
  absl::StatusOr<client::RealtimeClientOptions> options = ClientOptions(flags, env, command->name);
  if (!options.ok()) return options.status();
  absl::StatusOr<CtlRequest> request = BuildRequest(command->name, flags);
  if (!request.ok()) return request.status();

  CtlInvocation invocation;
  invocation.client = *std::move(options);
  invocation.json = flags.Has("json");
  invocation.request = *std::move(request);
  return invocation;
}

}  // namespace gw::ctl
