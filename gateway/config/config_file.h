#ifndef GATEWAY_CONFIG_CONFIG_FILE_H_
#define GATEWAY_CONFIG_CONFIG_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "gateway/config/config.h"

namespace gw::config {

// Reads the JSON config file at `path` and writes every setting it names into `config`; settings
// it leaves out keep their current values. An "apps" array replaces config->apps as a whole, and
// *sets_apps says whether the file had one. Internal to gateway/config.
//
// Errors are InvalidArgument, start "config file <path>: " and name the key path
// ("apps[1].max_connections: expected a non-negative integer"). On error `config` may be
// partly written.
absl::Status ApplyConfigFile(const std::string& path, Config* config, bool* sets_apps);

}  // namespace gw::config

#endif  // GATEWAY_CONFIG_CONFIG_FILE_H_
