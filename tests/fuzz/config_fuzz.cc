// The configuration (gateway/config/config.h): flags, environment and the JSON file, through
// LoadConfig as main calls it. Input: the flags on the first line (split at spaces), then
// NAME=value lines of environment up to an empty line, then the config file's text (none when
// empty).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gateway/config/config.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
// Debian's abseil has its own string_view (gateway/README.md, "Layers").
absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gw::fuzz::FuzzInput input(data, size);
  std::vector<std::string> args;
  for (absl::string_view flag : absl::StrSplit(ToAbsl(input.NextField()), ' ', absl::SkipEmpty())) {
    // A config file named by the input would be read from anywhere on the machine.
    if (flag.find("config") != absl::string_view::npos) return 0;
    args.emplace_back(flag);
  }
  std::map<std::string, std::string> env;
  for (std::string_view line = input.NextField(); !line.empty(); line = input.NextField()) {
    const size_t eq = line.find('=');
    if (eq != std::string_view::npos) env[std::string(line.substr(0, eq))] = line.substr(eq + 1);
  }
  const std::string_view file = input.Rest();
  if (!file.empty()) {
    static const std::string path = "/tmp/config_fuzz." + std::to_string(getpid()) + ".json";
    FILE* out = std::fopen(path.c_str(), "wb");
    if (out == nullptr) return 0;
    std::fwrite(file.data(), 1, file.size(), out);
    std::fclose(out);
    args.push_back("--config");
    args.push_back(path);
  }
  (void)gw::config::LoadConfig(args, env);
  return 0;
}
