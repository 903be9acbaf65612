#include "gateway/observability/tracer_config.h"

#include <cstdint>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gw::tracing {
namespace {

using Env = std::map<std::string, std::string>;

absl::string_view Absl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// The first of `names` that is set to something other than whitespace, and its name.
std::pair<std::string_view, std::string_view> Lookup(
    const Env& env, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    auto it = env.find(std::string(name));
    if (it != env.end() && !Trim(it->second).empty()) return {name, Trim(it->second)};
  }
  return {"", ""};
}

bool IsTrue(std::string_view value) { return absl::EqualsIgnoreCase(Absl(value), "true"); }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view text, std::string& out) {
  out.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int high = i + 1 < text.size() ? HexDigit(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<char>(high << 4 | low));
    i += 2;
  }
  return true;
}

// A positive integer variable, else its default (and a warning when it was set).
template <typename T>
T PositiveNumber(const Env& env, std::initializer_list<std::string_view> names, T fallback,
                 std::vector<std::string>& warnings) {
  auto [name, text] = Lookup(env, names);
  if (name.empty()) return fallback;
  uint64_t value = 0;
  if (!absl::SimpleAtoi(Absl(text), &value) || value == 0 || value > (1ull << 31)) {
    warnings.push_back(absl::StrCat(Absl(name), ": expected a positive integer, got '", Absl(text),
                                    "'; using ", static_cast<uint64_t>(fallback)));
    return fallback;
  }
  return static_cast<T>(value);
}

// Fills target / use_tls from an OTLP/gRPC endpoint URL; false (with a warning) when unusable.
bool ParseEndpoint(std::string_view name, std::string_view endpoint, const Env& env,
                   TracerConfig& config) {
  std::string_view rest = endpoint;
  const size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string scheme = absl::AsciiStrToLower(Absl(rest.substr(0, scheme_end)));
    if (scheme == "http") {
      config.use_tls = false;
    } else if (scheme == "https") {
      config.use_tls = true;
    } else {
      config.warnings.push_back(absl::StrCat(Absl(name), ": unsupported scheme '", scheme,
                                             "' (use http:// or https://); tracing is off"));
      return false;
    }
    rest.remove_prefix(scheme_end + 3);
  } else {
    config.use_tls = !IsTrue(
        Lookup(env, {"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE"}).second);
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && rest.substr(slash) != "/") {
    config.warnings.push_back(absl::StrCat(Absl(name), ": the path '", Absl(rest.substr(slash)),
                                           "' is ignored (OTLP/gRPC has a fixed path)"));
  }
  if (authority.empty()) {
    config.warnings.push_back(
        absl::StrCat(Absl(name), ": no host in '", Absl(endpoint), "'; tracing is off"));
    return false;
  }
  // host, host:port, [v6], [v6]:port
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  const bool has_port =
      colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  if (has_port) {
    uint32_t port = 0;
    if (!absl::SimpleAtoi(Absl(authority.substr(colon + 1)), &port) || port == 0 || port > 65535) {
      config.warnings.push_back(
          absl::StrCat(Absl(name), ": bad port in '", Absl(endpoint), "'; tracing is off"));
      return false;
    }
    config.target = std::string(authority);
  } else {
    config.target = absl::StrCat(Absl(authority), ":4317");
  }
  return true;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseKeyValueList(
    std::string_view variable, std::string_view text, std::vector<std::string>& warnings) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view piece : absl::StrSplit(Absl(text), ',')) {
    const std::string_view member = Trim(std::string_view(piece.data(), piece.size()));
    if (member.empty()) continue;
    const size_t eq = member.find('=');
    std::string key;
    std::string value;
    if (eq == std::string_view::npos || Trim(member.substr(0, eq)).empty() ||
        !PercentDecode(Trim(member.substr(0, eq)), key) ||
        !PercentDecode(Trim(member.substr(eq + 1)), value)) {
      warnings.push_back(absl::StrCat(Absl(variable), ": ignored malformed entry '", Absl(member),
                                      "' (expected key=value)"));
      continue;
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

TracerConfig TracerConfigFromEnvironment(const Env& env) {
  TracerConfig config;
  std::vector<std::string>& warnings = config.warnings;

  // Resource and sampler first: they are reported even when tracing is off.
  if (auto [name, text] = Lookup(env, {"OTEL_RESOURCE_ATTRIBUTES"}); !name.empty()) {
    config.resource_attributes = ParseKeyValueList(name, text, warnings);
  }
  if (auto [name, text] = Lookup(env, {"OTEL_SERVICE_NAME"}); !name.empty()) {
    config.service_name = std::string(text);
  } else {
    for (const auto& [key, value] : config.resource_attributes) {
      if (key == "service.name" && !value.empty()) config.service_name = value;
    }
  }
  if (auto [name, text] = Lookup(env, {"OTEL_TRACES_SAMPLER"}); !name.empty()) {
    auto sampler = Sampler::FromName(absl::AsciiStrToLower(Absl(text)),
                                     Lookup(env, {"OTEL_TRACES_SAMPLER_ARG"}).second);
    if (sampler.ok()) {
      config.sampler = *sampler;
    } else {
      warnings.push_back(
          absl::StrCat(sampler.status().message(), "; using ", config.sampler.Describe()));
    }
  }
  BatchOptions& batch = config.batch;
  batch.max_queue_size =
      PositiveNumber(env, {"OTEL_BSP_MAX_QUEUE_SIZE"}, batch.max_queue_size, warnings);
  batch.max_batch_size =
      PositiveNumber(env, {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE"}, batch.max_batch_size, warnings);
  if (batch.max_batch_size > batch.max_queue_size) batch.max_batch_size = batch.max_queue_size;
  batch.schedule_delay = std::chrono::milliseconds(
      PositiveNumber(env, {"OTEL_BSP_SCHEDULE_DELAY"}, batch.schedule_delay.count(), warnings));
  batch.export_timeout = std::chrono::milliseconds(
      PositiveNumber(env, {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"},
                     batch.export_timeout.count(), warnings));
  if (auto [name, text] =
          Lookup(env, {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"});
      !name.empty()) {
    for (auto& [key, value] : ParseKeyValueList(name, text, warnings)) {
      config.headers.emplace_back(absl::AsciiStrToLower(key), std::move(value));
    }
  }
  config.certificate_file = std::string(
      Lookup(env, {"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "OTEL_EXPORTER_OTLP_CERTIFICATE"})
          .second);

  // Then whether to export at all.
  if (IsTrue(Lookup(env, {"OTEL_SDK_DISABLED"}).second)) return config;
  if (auto [name, text] = Lookup(env, {"OTEL_TRACES_EXPORTER"}); !name.empty()) {
    const std::string exporter = absl::AsciiStrToLower(Absl(text));
    if (exporter == "none") return config;
    if (exporter != "otlp") {
      warnings.push_back(absl::StrCat("OTEL_TRACES_EXPORTER: unsupported exporter '", exporter,
                                      "' (only otlp); tracing is off"));
      return config;
    }
  }
  auto [endpoint_name, endpoint] =
      Lookup(env, {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"});
  if (endpoint_name.empty()) return config;
  if (auto [name, text] =
          Lookup(env, {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"});
      !name.empty() && text != "grpc") {
    warnings.push_back(absl::StrCat(Absl(name), ": protocol '", Absl(text),
                                    "' is not supported (only grpc); tracing is off"));
    return config;
  }
  config.endpoint = std::string(endpoint);
  config.enabled = ParseEndpoint(endpoint_name, endpoint, env, config);
  return config;
}

}  // namespace gw::tracing
