#ifndef GATEWAY_CONFIG_COMMAND_LINE_H_
#define GATEWAY_CONFIG_COMMAND_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/config/config.h"

namespace gw::config {

// The flags as given, each checked on its own; unset ones stay empty. Internal to gateway/config.
struct CommandLine {
  std::optional<std::string> config_file;
  std::optional<std::string> host;
  std::optional<uint16_t> port;
  std::optional<uint16_t> grpc_port;
  std::optional<std::string> operator_host;
  std::optional<uint16_t> operator_port;
  std::optional<uint32_t> threads;
  std::optional<std::string> log_level;
  std::optional<std::string> redis_url;
  std::optional<std::string> redis_prefix;
  std::optional<uint32_t> node_lease_seconds;
  bool show_help = false;
};

// `args` excludes argv[0]. Flags take "--name value" or "--name=value"; a later one wins.
// --help (or -h) anywhere returns just show_help, however broken the rest is, so that help is
// always reachable. Errors are InvalidArgument and name the flag.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// Writes the flags that were given into `config`.
void ApplyCommandLine(const CommandLine& flags, Config* config);

}  // namespace gw::config

#endif  // GATEWAY_CONFIG_COMMAND_LINE_H_
