#include "gateway/observability/tracer_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::tracing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

using Env = std::map<std::string, std::string>;

TEST(TracerConfig, IsOffWithoutAnEndpoint) {
  const TracerConfig config = TracerConfigFromEnvironment({{"PATH", "/usr/bin"}});
  EXPECT_FALSE(config.enabled);
  EXPECT_EQ(config.service_name, "realtime-gateway");
  EXPECT_EQ(config.sampler.kind(), Sampler::Kind::kParentBasedAlwaysOn);
  EXPECT_THAT(config.warnings, IsEmpty());
}

TEST(TracerConfig, HttpEndpointBecomesAPlainGrpcTarget) {
  const TracerConfig config =
      TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"}});
  EXPECT_TRUE(config.enabled);
  EXPECT_EQ(config.target, "collector:4317");
  EXPECT_FALSE(config.use_tls);
  EXPECT_EQ(config.endpoint, "http://collector:4317");
  EXPECT_THAT(config.warnings, IsEmpty());
}

TEST(TracerConfig, HttpsEndpointUsesTlsAndTheDefaultPort) {
  const TracerConfig config =
      TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://otel.example.com/"}});
  EXPECT_TRUE(config.enabled);
  EXPECT_EQ(config.target, "otel.example.com:4317");
  EXPECT_TRUE(config.use_tls);
  EXPECT_THAT(config.warnings, IsEmpty());
}

TEST(TracerConfig, Ipv6LiteralsKeepTheirBrackets) {
  EXPECT_EQ(
      TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1]:4318"}}).target,
      "[::1]:4318");
  EXPECT_EQ(TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1]"}}).target,
            "[::1]:4317");
}

TEST(TracerConfig, TracesEndpointWinsOverTheGeneralOne) {
  const TracerConfig config =
      TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://general:4317"},
                                   {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:5317"}});
  EXPECT_EQ(config.target, "traces:5317");
}

TEST(TracerConfig, EndpointWithoutSchemeIsSecureUnlessInsecureIsTrue) {
  EXPECT_TRUE(
      TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"}}).use_tls);
  const TracerConfig insecure = TracerConfigFromEnvironment(
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"}, {"OTEL_EXPORTER_OTLP_INSECURE", "TRUE"}});
  EXPECT_TRUE(insecure.enabled);
  EXPECT_FALSE(insecure.use_tls);
  EXPECT_EQ(insecure.target, "collector:4317");
}

TEST(TracerConfig, APathIsIgnoredWithAWarning) {
  const TracerConfig config =
      TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317/v1"}});
  EXPECT_TRUE(config.enabled);
  EXPECT_EQ(config.target, "collector:4317");
  EXPECT_THAT(config.warnings, ElementsAre(HasSubstr("is ignored")));
}

TEST(TracerConfig, UnusableEndpointsTurnTracingOffWithAWarning) {
  for (const char* endpoint :
       {"ftp://collector:21", "http://collector:99999", "http://", "http://collector:port"}) {
    const TracerConfig config =
        TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", endpoint}});
    EXPECT_FALSE(config.enabled) << endpoint;
    EXPECT_THAT(config.warnings, ElementsAre(HasSubstr("tracing is off"))) << endpoint;
  }
}

TEST(TracerConfig, GrpcProtocolIsAcceptedAndOthersTurnTracingOff) {
  const Env grpc{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"},
                 {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}};
  EXPECT_TRUE(TracerConfigFromEnvironment(grpc).enabled);
  for (const char* protocol : {"http/protobuf", "http/json"}) {
    const TracerConfig config =
        TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                                     {"OTEL_EXPORTER_OTLP_PROTOCOL", protocol}});
    EXPECT_FALSE(config.enabled) << protocol;
    EXPECT_THAT(config.warnings, ElementsAre(HasSubstr("not supported"))) << protocol;
  }
}

TEST(TracerConfig, TracesProtocolWinsOverTheGeneralOne) {
  const TracerConfig config =
      TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"},
                                   {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
                                   {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"}});
  EXPECT_TRUE(config.enabled);
}

TEST(TracerConfig, SdkDisabledAndExporterNoneTurnTracingOff) {
  EXPECT_FALSE(TracerConfigFromEnvironment({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"},
                                            {"OTEL_SDK_DISABLED", "true"}})
                   .enabled);
  const TracerConfig none = TracerConfigFromEnvironment(
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}, {"OTEL_TRACES_EXPORTER", "none"}});
  EXPECT_FALSE(none.enabled);
  EXPECT_THAT(none.warnings, IsEmpty());
  const TracerConfig zipkin = TracerConfigFromEnvironment(
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}, {"OTEL_TRACES_EXPORTER", "zipkin"}});
  EXPECT_FALSE(zipkin.enabled);
  EXPECT_THAT(zipkin.warnings, ElementsAre(HasSubstr("unsupported exporter")));
}

TEST(TracerConfig, HeadersArePercentDecodedWithLowercaseKeys) {
  const TracerConfig config = TracerConfigFromEnvironment(
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"},
       {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret%20value, X-Tenant = acme ,broken,=x"}});
  EXPECT_THAT(config.headers,
              ElementsAre(Pair("api-key", "secret value"), Pair("x-tenant", "acme")));
  EXPECT_THAT(config.warnings, ElementsAre(HasSubstr("'broken'"), HasSubstr("'=x'")));
}

TEST(TracerConfig, TracesHeadersWinOverTheGeneralOnes) {
  const TracerConfig config = TracerConfigFromEnvironment(
      {{"OTEL_EXPORTER_OTLP_HEADERS", "a=1"}, {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2"}});
  EXPECT_THAT(config.headers, ElementsAre(Pair("b", "2")));
}

TEST(TracerConfig, ServiceNameComesFromTheVariableThenTheResourceAttributes) {
  EXPECT_EQ(TracerConfigFromEnvironment({{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs"}})
                .service_name,
            "from-attrs");
  const TracerConfig config = TracerConfigFromEnvironment(
      {{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs"}, {"OTEL_SERVICE_NAME", "gw-test"}});
  EXPECT_EQ(config.service_name, "gw-test");
}

TEST(TracerConfig, ResourceAttributesKeepTheirOrderAndDecodeValues) {
  const TracerConfig config = TracerConfigFromEnvironment(
      {{"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,k8s.pod.name=gw%2D0"}});
  EXPECT_THAT(config.resource_attributes,
              ElementsAre(Pair("deployment.environment", "prod"), Pair("k8s.pod.name", "gw-0")));
}

TEST(TracerConfig, ReadsTheSamplerAndFallsBackOnBadOnes) {
  const TracerConfig ratio = TracerConfigFromEnvironment(
      {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.25"}});
  EXPECT_EQ(ratio.sampler.kind(), Sampler::Kind::kTraceIdRatio);
  EXPECT_DOUBLE_EQ(ratio.sampler.ratio(), 0.25);
  const TracerConfig unknown = TracerConfigFromEnvironment({{"OTEL_TRACES_SAMPLER", "sometimes"}});
  EXPECT_EQ(unknown.sampler.kind(), Sampler::Kind::kParentBasedAlwaysOn);
  EXPECT_THAT(unknown.warnings, ElementsAre(HasSubstr("unknown sampler")));
  const TracerConfig bad_arg = TracerConfigFromEnvironment(
      {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "2"}});
  EXPECT_EQ(bad_arg.sampler.kind(), Sampler::Kind::kParentBasedAlwaysOn);
  EXPECT_THAT(bad_arg.warnings, ElementsAre(HasSubstr("OTEL_TRACES_SAMPLER_ARG")));
}

TEST(TracerConfig, BatchLimitsHaveTheDocumentedDefaultsAndCanBeSet) {
  const TracerConfig defaults = TracerConfigFromEnvironment({});
  EXPECT_EQ(defaults.batch.max_queue_size, 2048u);
  EXPECT_EQ(defaults.batch.max_batch_size, 512u);
  EXPECT_EQ(defaults.batch.schedule_delay, std::chrono::milliseconds(1000));
  EXPECT_EQ(defaults.batch.export_timeout, std::chrono::milliseconds(10000));
  const TracerConfig set = TracerConfigFromEnvironment({{"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
                                                        {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "500"},
                                                        {"OTEL_BSP_SCHEDULE_DELAY", "50"},
                                                        {"OTEL_EXPORTER_OTLP_TIMEOUT", "2000"}});
  EXPECT_EQ(set.batch.max_queue_size, 100u);
  EXPECT_EQ(set.batch.max_batch_size, 100u);  // never more than the queue holds
  EXPECT_EQ(set.batch.schedule_delay, std::chrono::milliseconds(50));
  EXPECT_EQ(set.batch.export_timeout, std::chrono::milliseconds(2000));
  const TracerConfig bad = TracerConfigFromEnvironment({{"OTEL_BSP_MAX_QUEUE_SIZE", "-1"}});
  EXPECT_EQ(bad.batch.max_queue_size, 2048u);
  EXPECT_THAT(bad.warnings, ElementsAre(HasSubstr("OTEL_BSP_MAX_QUEUE_SIZE")));
}

}  // namespace
}  // namespace gw::tracing
