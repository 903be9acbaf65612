#include "gateway/config/command_line.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gateway/config/value_checks.h"

namespace gw::config {
namespace {

absl::Status Problem(absl::string_view flag, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("flag ", flag, ": ", what));
}

bool IsHelp(absl::string_view arg) { return arg == "--help" || arg == "-h"; }

// One flag that takes a value, and where that value goes. Errors say what was expected, without
// the flag's name, which the caller adds.
struct Flag {
  absl::string_view name;
  absl::Status (*store)(absl::string_view value, CommandLine* flags);
};

template <auto Member>
absl::Status StoreText(absl::string_view value, CommandLine* flags) {
  flags->*Member = std::string(value);
  return absl::OkStatus();
}

template <auto Member, auto Parse>
absl::Status StoreParsed(absl::string_view value, CommandLine* flags) {
  auto parsed = Parse(value);
  if (!parsed.ok()) return parsed.status();
  flags->*Member = *std::move(parsed);
  return absl::OkStatus();
}

const Flag kFlags[] = {
    {"--config", StoreText<&CommandLine::config_file>},
    {"--host", StoreText<&CommandLine::host>},
    {"--port", StoreParsed<&CommandLine::port, ParsePort>},
    {"--grpc-port", StoreParsed<&CommandLine::grpc_port, ParsePort>},
    {"--operator-host", StoreText<&CommandLine::operator_host>},
    {"--operator-port", StoreParsed<&CommandLine::operator_port, ParsePort>},
    {"--threads", StoreParsed<&CommandLine::threads, ParseCount>},
    {"--log-level", StoreParsed<&CommandLine::log_level, ParseLogLevel>},
    {"--redis-url", StoreParsed<&CommandLine::redis_url, ParseRedisUrlText>},
    {"--redis-prefix", StoreParsed<&CommandLine::redis_prefix, ParseRedisPrefix>},
    {"--node-lease-seconds", StoreParsed<&CommandLine::node_lease_seconds, ParseLeaseSeconds>},
};

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine flags;
  if (std::ranges::any_of(args, IsHelp)) {
    flags.show_help = true;
    return flags;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const absl::string_view arg = args[i];
    if (!absl::StartsWith(arg, "-") || arg == "-") {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\"; flags start with --, see --help"));
    }
    const size_t equals = arg.find('=');
    const absl::string_view name = arg.substr(0, equals);
    const auto flag = std::ranges::find(kFlags, name, &Flag::name);
    if (flag == std::end(kFlags)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", name, "; see --help"));
    }
    absl::string_view value;
    if (equals != absl::string_view::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--")) {
      // A following "--something" is taken for the next flag, not for this one's value.
      value = args[++i];
    }
    if (value.empty()) return Problem(name, "missing value");
    absl::Status status = flag->store(value, &flags);
    if (!status.ok()) return Problem(name, status.message());
  }
  return flags;
}

void ApplyCommandLine(const CommandLine& flags, Config* config) {
  if (flags.host) config->host = *flags.host;
  if (flags.port) config->port = *flags.port;
  if (flags.grpc_port) config->grpc_port = *flags.grpc_port;
  if (flags.operator_host) config->operator_host = *flags.operator_host;
  if (flags.operator_port) config->operator_port = *flags.operator_port;
  if (flags.threads) config->threads = *flags.threads;
  if (flags.log_level) config->log_level = *flags.log_level;
  if (flags.redis_url) config->redis_url = *flags.redis_url;
  if (flags.redis_prefix) config->redis_prefix = *flags.redis_prefix;
  if (flags.node_lease_seconds) config->node_lease_seconds = *flags.node_lease_seconds;
}

}  // namespace gw::config
