#include "gateway/observability/otlp_grpc_exporter.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gateway/observability/tracer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::tracing {
namespace {

namespace collector = opentelemetry::proto::collector::trace::v1;
namespace common = opentelemetry::proto::common::v1;
namespace otlp = opentelemetry::proto::trace::v1;

using ::testing::SizeIs;
using Clock = std::chrono::steady_clock;

// An in-process OTLP/gRPC receiver: records every Export request and the metadata it came with.
class FakeCollector final : public collector::TraceService::Service {
 public:
  FakeCollector() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~FakeCollector() override { server_->Shutdown(std::chrono::system_clock::now()); }

  grpc::Status Export(grpc::ServerContext* context,
                      const collector::ExportTraceServiceRequest* request,
                      collector::ExportTraceServiceResponse* response) override {
    absl::MutexLock lock(&mu_);
    requests_.push_back(*request);
    auto key = context->client_metadata().find("api-key");
    if (key != context->client_metadata().end()) {
      api_key_ = std::string(key->second.data(), key->second.size());
    }
    if (rejected_ > 0) response->mutable_partial_success()->set_rejected_spans(rejected_);
    return grpc::Status::OK;
  }

  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<collector::ExportTraceServiceRequest> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  std::string api_key() {
    absl::MutexLock lock(&mu_);
    return api_key_;
  }
  void RejectSpans(int64_t count) {
    absl::MutexLock lock(&mu_);
    rejected_ = count;
  }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  absl::Mutex mu_;
  std::vector<collector::ExportTraceServiceRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::string api_key_ ABSL_GUARDED_BY(mu_);
  int64_t rejected_ ABSL_GUARDED_BY(mu_) = 0;
};

OtlpResource TestResource() {
  return OtlpResource{{Attribute{"service.name", std::string("gw-test")},
                       Attribute{"service.instance.id", std::string("instance-1")}},
                      "realtime-gateway",
                      "1.2.3"};
}

// Plain (no TLS) settings for a receiver at `target`, without headers.
OtlpGrpcSettings Plain(std::string target) {
  OtlpGrpcSettings settings;
  settings.target = std::move(target);
  return settings;
}

std::string Bytes(const TraceId& id) { return std::string(id.begin(), id.end()); }
std::string Bytes(const SpanId& id) { return std::string(id.begin(), id.end()); }

const common::AnyValue* Find(const google::protobuf::RepeatedPtrField<common::KeyValue>& attributes,
                             std::string_view key) {
  for (const common::KeyValue& kv : attributes) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

TEST(OtlpGrpcExporter, SendsSpansWithOtlpWireFields) {
  FakeCollector receiver;
  BatchOptions options;
  options.schedule_delay = std::chrono::hours(1);
  Tracer tracer(
      Sampler(),
      std::make_unique<OtlpGrpcExporter>(
          OtlpGrpcSettings{receiver.target(), false, "", {{"api-key", "secret"}}}, TestResource()),
      options);

  auto remote = ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  ASSERT_TRUE(remote.has_value());
  remote->trace_state = "rojo=1";
  TraceContext server_context;
  TraceContext child_context;
  {
    Span server = tracer.StartSpan("realtime.v1.ControlPlane/Publish", SpanKind::kServer, *remote);
    server_context = server.context();
    SpanScope scope(server);
    server.SetAttribute("rpc.system", "grpc");
    server.SetAttribute("rpc.grpc.status_code", 0);
    server.SetAttribute("ratio", 0.25);
    server.SetAttribute("cached", false);
    server.AddEvent("admitted", {Attribute{"app", std::string("test-app")}});
    server.SetStatus(SpanStatus::kError, "boom");
    Span child = tracer.StartSpan("publish public", SpanKind::kProducer);
    child_context = child.context();
  }
  tracer.Shutdown(Clock::now() + std::chrono::seconds(20));
  EXPECT_EQ(tracer.counters().exported, 2u);
  EXPECT_EQ(tracer.counters().export_errors, 0u);

  const auto requests = receiver.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(receiver.api_key(), "secret");
  ASSERT_THAT(requests[0].resource_spans(), SizeIs(1));
  const otlp::ResourceSpans& resource_spans = requests[0].resource_spans(0);
  const common::AnyValue* service = Find(resource_spans.resource().attributes(), "service.name");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->string_value(), "gw-test");
  ASSERT_THAT(resource_spans.scope_spans(), SizeIs(1));
  EXPECT_EQ(resource_spans.scope_spans(0).scope().name(), "realtime-gateway");
  EXPECT_EQ(resource_spans.scope_spans(0).scope().version(), "1.2.3");
  const auto& spans = resource_spans.scope_spans(0).spans();
  ASSERT_THAT(spans, SizeIs(2));

  const otlp::Span& child = spans[0];
  const otlp::Span& server = spans[1];
  EXPECT_EQ(server.name(), "realtime.v1.ControlPlane/Publish");
  EXPECT_EQ(server.kind(), otlp::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(server.trace_id(), Bytes(remote->trace_id));
  EXPECT_EQ(server.trace_id().size(), 16u);
  EXPECT_EQ(server.span_id(), Bytes(server_context.span_id));
  EXPECT_EQ(server.span_id().size(), 8u);
  EXPECT_EQ(server.parent_span_id(), Bytes(remote->span_id));
  EXPECT_EQ(server.trace_state(), "rojo=1");
  EXPECT_EQ(server.flags(), 0x301u);  // sampled, parent known to be remote
  EXPECT_GT(server.start_time_unix_nano(), 0u);
  EXPECT_LE(server.start_time_unix_nano(), server.end_time_unix_nano());
  EXPECT_EQ(Find(server.attributes(), "rpc.system")->string_value(), "grpc");
  EXPECT_EQ(Find(server.attributes(), "rpc.grpc.status_code")->value_case(),
            common::AnyValue::kIntValue);
  EXPECT_EQ(Find(server.attributes(), "ratio")->double_value(), 0.25);
  EXPECT_EQ(Find(server.attributes(), "cached")->value_case(), common::AnyValue::kBoolValue);
  ASSERT_THAT(server.events(), SizeIs(1));
  EXPECT_EQ(server.events(0).name(), "admitted");
  EXPECT_GE(server.events(0).time_unix_nano(), server.start_time_unix_nano());
  EXPECT_EQ(Find(server.events(0).attributes(), "app")->string_value(), "test-app");
  EXPECT_EQ(server.status().code(), otlp::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(server.status().message(), "boom");

  EXPECT_EQ(child.name(), "publish public");
  EXPECT_EQ(child.kind(), otlp::Span::SPAN_KIND_PRODUCER);
  EXPECT_EQ(child.trace_id(), Bytes(remote->trace_id));
  EXPECT_EQ(child.span_id(), Bytes(child_context.span_id));
  EXPECT_EQ(child.parent_span_id(), server.span_id());
  EXPECT_EQ(child.flags(), 0x101u);  // sampled, parent known to be local
  EXPECT_FALSE(child.has_status());
}

TEST(OtlpGrpcExporter, ARootSpanHasNoParentId) {
  FakeCollector receiver;
  OtlpGrpcExporter exporter(Plain(receiver.target()), TestResource());
  SpanData span;
  span.context.trace_id = TraceId{1};
  span.context.span_id = SpanId{2};
  span.name = "root";
  auto rejected =
      exporter.Export({span}, std::chrono::system_clock::now() + std::chrono::seconds(20));
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(*rejected, 0u);
  const auto requests = receiver.requests();
  ASSERT_THAT(requests, SizeIs(1));
  const otlp::Span& sent = requests[0].resource_spans(0).scope_spans(0).spans(0);
  EXPECT_TRUE(sent.parent_span_id().empty());
  EXPECT_EQ(sent.kind(), otlp::Span::SPAN_KIND_INTERNAL);
  EXPECT_EQ(sent.flags(), 0x100u);
}

TEST(OtlpGrpcExporter, ReportsSpansTheCollectorRejected) {
  FakeCollector receiver;
  receiver.RejectSpans(1);
  OtlpGrpcExporter exporter(Plain(receiver.target()), TestResource());
  auto rejected = exporter.Export(std::vector<SpanData>(3),
                                  std::chrono::system_clock::now() + std::chrono::seconds(20));
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(*rejected, 1u);
}

TEST(OtlpGrpcExporter, FailsFastWhenNoCollectorListens) {
  std::string target;
  {
    FakeCollector gone;  // a port that was just free again
    target = gone.target();
  }
  OtlpGrpcExporter exporter(Plain(target), TestResource());
  const auto started = Clock::now();
  auto rejected = exporter.Export(std::vector<SpanData>(1),
                                  std::chrono::system_clock::now() + std::chrono::seconds(10));
  EXPECT_FALSE(rejected.ok());
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(5));
}

TEST(OtlpGrpcExporter, ExportAfterCancelReturnsAtOnce) {
  FakeCollector receiver;
  OtlpGrpcExporter exporter(Plain(receiver.target()), TestResource());
  exporter.CancelExport();
  auto rejected = exporter.Export(std::vector<SpanData>(1),
                                  std::chrono::system_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(receiver.requests(), SizeIs(0));
}

}  // namespace
}  // namespace gw::tracing
