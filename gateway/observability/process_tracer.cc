#include "gateway/observability/process_tracer.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "gateway/observability/log.h"
#include "gateway/observability/otlp_grpc_exporter.h"
#include "gateway/observability/span.h"
#include "gateway/observability/span_ids.h"

#ifndef GW_SERVICE_VERSION
#define GW_SERVICE_VERSION "0.0.0"
#endif

namespace gw::tracing {
namespace {

namespace obs = observability;

constexpr std::string_view kScopeName = "realtime-gateway";

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  std::ostringstream text;
  text << file.rdbuf();
  out = text.str();
  return true;
}

std::unique_ptr<Tracer> Build(TracerConfig& config, std::string_view version) {
  if (!config.enabled) return std::make_unique<Tracer>();
  OtlpGrpcSettings settings{config.target, config.use_tls, "", config.headers};
  if (config.use_tls && !config.certificate_file.empty() &&
      !ReadFile(config.certificate_file, settings.root_certificates_pem)) {
    config.warnings.push_back("OTEL_EXPORTER_OTLP_CERTIFICATE: cannot read '" +
                              config.certificate_file + "'; tracing is off");
    config.enabled = false;
    return std::make_unique<Tracer>();
  }
  return std::make_unique<Tracer>(
      config.sampler,
      std::make_unique<OtlpGrpcExporter>(std::move(settings), BuildResource(config, version)),
      config.batch);
}

}  // namespace

OtlpResource BuildResource(const TracerConfig& config, std::string_view service_version) {
  OtlpResource resource;
  resource.scope_name = std::string(kScopeName);
  resource.scope_version = std::string(service_version);
  const auto configured = [&config](std::string_view key) -> const std::string* {
    for (const auto& [k, v] : config.resource_attributes) {
      if (k == key) return &v;
    }
    return nullptr;
  };
  const auto add = [&resource](std::string_view key, std::string value) {
    resource.attributes.push_back(Attribute{std::string(key), std::move(value)});
  };
  add("service.name", config.service_name);
  const std::string* version = configured("service.version");
  add("service.version", version != nullptr ? *version : std::string(service_version));
  const std::string* instance = configured("service.instance.id");
  add("service.instance.id", instance != nullptr ? *instance : NewUuid());
  add("telemetry.sdk.name", std::string(kScopeName));
  add("telemetry.sdk.language", "cpp");
  add("telemetry.sdk.version", std::string(service_version));
  for (const auto& [key, value] : config.resource_attributes) {
    const bool taken = key == "service.name" || key == "service.version" ||
                       key == "service.instance.id" || key.starts_with("telemetry.sdk.");
    if (!taken) add(key, value);
  }
  return resource;
}

ProcessTracer::ProcessTracer(const std::map<std::string, std::string>& env,
                             std::string_view service_version)
    : config_(TracerConfigFromEnvironment(env)) {
  const std::string_view version =
      service_version.empty() ? std::string_view(GW_SERVICE_VERSION) : service_version;
  tracer_ = Build(config_, version);
  obs::SetTraceIdsProvider([](std::string* trace_id, std::string* span_id) {
    const TraceContext& current = CurrentTraceContext();
    if (!current.valid()) return false;
    *trace_id = ToHex(current.trace_id);
    *span_id = ToHex(current.span_id);
    return true;
  });
  for (const std::string& warning : config_.warnings) {
    obs::LogWarn("tracing configuration", {{"problem", warning}});
  }
  if (config_.enabled) {
    obs::LogInfo("tracing on", {{"exporter", "otlp/grpc"},
                                {"endpoint", config_.endpoint},
                                {"target", config_.target},
                                {"tls", config_.use_tls},
                                {"service_name", config_.service_name},
                                {"sampler", config_.sampler.Describe()}});
  } else {
    obs::LogInfo("tracing off", {{"hint", "set OTEL_EXPORTER_OTLP_ENDPOINT to export traces"}});
  }
  SetGlobalTracer(tracer_.get());
}

ProcessTracer::~ProcessTracer() {
  SetGlobalTracer(nullptr);
  obs::SetTraceIdsProvider(nullptr);
  if (!shut_down_) tracer_->Shutdown(std::chrono::steady_clock::now());
}

void ProcessTracer::Shutdown(std::chrono::steady_clock::time_point deadline) {
  if (shut_down_) return;
  shut_down_ = true;
  tracer_->Shutdown(deadline);
  if (!config_.enabled) return;
  const ExportCounters counters = tracer_->counters();
  obs::LogInfo("tracing stopped", {{"spans_exported", counters.exported},
                                   {"spans_dropped", counters.dropped},
                                   {"spans_failed", counters.failed},
                                   {"export_errors", counters.export_errors}});
}

}  // namespace gw::tracing
