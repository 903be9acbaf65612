#include "gateway/observability/otlp_grpc_exporter.h"

#include <algorithm>
#include <cstdint>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"

namespace gw::tracing {
namespace {

namespace collector = opentelemetry::proto::collector::trace::v1;

std::shared_ptr<grpc::ChannelCredentials> Credentials(const OtlpGrpcSettings& settings) {
  if (!settings.use_tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = settings.root_certificates_pem;
  return grpc::SslCredentials(options);
}

}  // namespace

OtlpGrpcExporter::OtlpGrpcExporter(OtlpGrpcSettings settings, OtlpResource resource)
    : settings_(std::move(settings)),
      resource_(std::move(resource)),
      stub_(collector::TraceService::NewStub(
          grpc::CreateChannel(settings_.target, Credentials(settings_)))) {}

absl::StatusOr<uint64_t> OtlpGrpcExporter::Export(const std::vector<SpanData>& spans,
                                                  std::chrono::system_clock::time_point deadline) {
  collector::ExportTraceServiceRequest request;
  EncodeExportRequest(resource_, spans, &request);
  collector::ExportTraceServiceResponse response;
  grpc::ClientContext context;
  context.set_deadline(deadline);
  for (const auto& [key, value] : settings_.headers) context.AddMetadata(key, value);
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) return absl::CancelledError("tracer is shutting down");
    active_ = &context;
  }
  const grpc::Status status = stub_->Export(&context, request, &response);
  {
    absl::MutexLock lock(&mu_);
    active_ = nullptr;
  }
  if (!status.ok()) {
    return absl::Status(
        static_cast<absl::StatusCode>(status.error_code()),
        absl::StrCat("OTLP export to ", settings_.target, ": ", status.error_message()));
  }
  if (!response.has_partial_success()) return 0;
  return static_cast<uint64_t>(std::max<int64_t>(0, response.partial_success().rejected_spans()));
}

void OtlpGrpcExporter::CancelExport() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  if (active_ != nullptr) active_->TryCancel();
}

}  // namespace gw::tracing
