#include "gateway/observability/process_tracer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::tracing {
namespace {

using ::testing::MatchesRegex;

std::string Value(const OtlpResource& resource, std::string_view key) {
  for (const Attribute& attribute : resource.attributes) {
    if (attribute.key == key) return std::get<std::string>(attribute.value);
  }
  return "<absent>";
}

TEST(BuildResource, NamesTheServiceItsVersionAndARandomInstance) {
  TracerConfig config;
  const OtlpResource resource = BuildResource(config, "0.1.0");
  EXPECT_EQ(Value(resource, "service.name"), "realtime-gateway");
  EXPECT_EQ(Value(resource, "service.version"), "0.1.0");
  EXPECT_THAT(Value(resource, "service.instance.id"),
              MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  EXPECT_NE(Value(resource, "service.instance.id"),
            Value(BuildResource(config, "0.1.0"), "service.instance.id"));
  EXPECT_EQ(Value(resource, "telemetry.sdk.language"), "cpp");
  EXPECT_EQ(resource.scope_name, "realtime-gateway");
  EXPECT_EQ(resource.scope_version, "0.1.0");
}

TEST(BuildResource, ConfiguredAttributesJoinAndMayOverrideVersionAndInstance) {
  TracerConfig config = TracerConfigFromEnvironment(
      {{"OTEL_SERVICE_NAME", "gw-test"},
       {"OTEL_RESOURCE_ATTRIBUTES",
        "service.name=ignored,service.version=9,service.instance.id=pod-7,region=eu"}});
  const OtlpResource resource = BuildResource(config, "0.1.0");
  EXPECT_EQ(Value(resource, "service.name"), "gw-test");
  EXPECT_EQ(Value(resource, "service.version"), "9");
  EXPECT_EQ(Value(resource, "service.instance.id"), "pod-7");
  EXPECT_EQ(Value(resource, "region"), "eu");
  int names = 0;
  for (const Attribute& attribute : resource.attributes) names += attribute.key == "service.name";
  EXPECT_EQ(names, 1);
}

TEST(ProcessTracer, InstallsAnOffTracerWithoutAnEndpoint) {
  {
    ProcessTracer tracing(std::map<std::string, std::string>{});
    EXPECT_FALSE(tracing.config().enabled);
    EXPECT_FALSE(GlobalTracer().enabled());
  }
  EXPECT_FALSE(GlobalTracer().enabled());
}

TEST(ProcessTracer, InstallsItsTracerWhileItLives) {
  {
    const std::map<std::string, std::string> env{
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"}};
    ProcessTracer tracing(env);
    EXPECT_TRUE(tracing.config().enabled);
    EXPECT_EQ(&GlobalTracer(), &tracing.tracer());
    EXPECT_TRUE(GlobalTracer().enabled());
    tracing.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
  EXPECT_FALSE(GlobalTracer().enabled());
}

}  // namespace
}  // namespace gw::tracing
