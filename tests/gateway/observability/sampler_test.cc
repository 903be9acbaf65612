#include "gateway/observability/sampler.h"

#include "gateway/observability/span_ids.h"
#include "gtest/gtest.h"

namespace gw::tracing {
namespace {

TraceContext Parent(bool sampled) {
  TraceContext parent;
  parent.trace_id = NewTraceId();
  parent.span_id = NewSpanId();
  parent.flags = sampled ? kSampledFlag : 0;
  return parent;
}

// A trace id whose low 56 bits (the part ratio sampling reads) are `low`.
TraceId WithLowBits(uint64_t low) {
  TraceId id{};
  id[0] = 0xff;  // the high bytes do not matter
  for (int i = 15; i >= 9; --i, low >>= 8) id[i] = static_cast<uint8_t>(low & 0xff);
  return id;
}

TEST(Sampler, DefaultIsParentBasedAlwaysOn) {
  Sampler sampler;
  EXPECT_EQ(sampler.kind(), Sampler::Kind::kParentBasedAlwaysOn);
  EXPECT_TRUE(sampler.ShouldSample(TraceContext{}, NewTraceId()));
  EXPECT_TRUE(sampler.ShouldSample(Parent(true), NewTraceId()));
  EXPECT_FALSE(sampler.ShouldSample(Parent(false), NewTraceId()));
}

TEST(Sampler, AlwaysOnAndAlwaysOffIgnoreTheParent) {
  const Sampler on(Sampler::Kind::kAlwaysOn, 1.0);
  const Sampler off(Sampler::Kind::kAlwaysOff, 1.0);
  EXPECT_TRUE(on.ShouldSample(Parent(false), NewTraceId()));
  EXPECT_FALSE(off.ShouldSample(Parent(true), NewTraceId()));
  EXPECT_FALSE(off.ShouldSample(TraceContext{}, NewTraceId()));
}

TEST(Sampler, ParentBasedAlwaysOffFollowsASampledParentButDropsRoots) {
  const Sampler sampler(Sampler::Kind::kParentBasedAlwaysOff, 1.0);
  EXPECT_FALSE(sampler.ShouldSample(TraceContext{}, NewTraceId()));
  EXPECT_TRUE(sampler.ShouldSample(Parent(true), NewTraceId()));
  EXPECT_FALSE(sampler.ShouldSample(Parent(false), NewTraceId()));
}

TEST(Sampler, TraceIdRatioComparesTheLowFiftySixBits) {
  const Sampler half(Sampler::Kind::kTraceIdRatio, 0.5);
  EXPECT_TRUE(half.ShouldSample(TraceContext{}, WithLowBits(0)));
  EXPECT_TRUE(half.ShouldSample(TraceContext{}, WithLowBits((1ull << 55) - 1)));
  EXPECT_FALSE(half.ShouldSample(TraceContext{}, WithLowBits(1ull << 55)));
  EXPECT_FALSE(half.ShouldSample(TraceContext{}, WithLowBits((1ull << 56) - 1)));
}

TEST(Sampler, TraceIdRatioIgnoresTheParentButParentBasedRatioFollowsIt) {
  const Sampler ratio(Sampler::Kind::kTraceIdRatio, 0.0);
  const Sampler parent_based(Sampler::Kind::kParentBasedTraceIdRatio, 0.0);
  EXPECT_FALSE(ratio.ShouldSample(Parent(true), WithLowBits(0)));
  EXPECT_TRUE(parent_based.ShouldSample(Parent(true), WithLowBits(0)));
  EXPECT_FALSE(parent_based.ShouldSample(TraceContext{}, WithLowBits(0)));
}

TEST(Sampler, TraceIdRatioKeepsAboutThatShareOfRandomTraces) {
  const Sampler quarter(Sampler::Kind::kTraceIdRatio, 0.25);
  int kept = 0;
  constexpr int kTraces = 20000;
  for (int i = 0; i < kTraces; ++i) kept += quarter.ShouldSample(TraceContext{}, NewTraceId());
  EXPECT_NEAR(static_cast<double>(kept) / kTraces, 0.25, 0.03);
}

TEST(Sampler, FromNameReadsEveryStandardName) {
  for (auto [name, kind] : std::vector<std::pair<std::string_view, Sampler::Kind>>{
           {"always_on", Sampler::Kind::kAlwaysOn},
           {"always_off", Sampler::Kind::kAlwaysOff},
           {"traceidratio", Sampler::Kind::kTraceIdRatio},
           {"parentbased_always_on", Sampler::Kind::kParentBasedAlwaysOn},
           {"parentbased_always_off", Sampler::Kind::kParentBasedAlwaysOff},
           {"parentbased_traceidratio", Sampler::Kind::kParentBasedTraceIdRatio}}) {
    auto sampler = Sampler::FromName(name, "");
    ASSERT_TRUE(sampler.ok()) << name;
    EXPECT_EQ(sampler->kind(), kind) << name;
    EXPECT_EQ(sampler->Describe().substr(0, name.size()), name);
  }
}

TEST(Sampler, FromNameReadsTheRatioArgument) {
  auto sampler = Sampler::FromName("parentbased_traceidratio", "0.1");
  ASSERT_TRUE(sampler.ok());
  EXPECT_DOUBLE_EQ(sampler->ratio(), 0.1);
  EXPECT_DOUBLE_EQ(Sampler::FromName("traceidratio", "")->ratio(), 1.0);
}

TEST(Sampler, FromNameRejectsUnknownNamesAndBadRatios) {
  EXPECT_FALSE(Sampler::FromName("jaeger_remote", "").ok());
  EXPECT_FALSE(Sampler::FromName("traceidratio", "1.5").ok());
  EXPECT_FALSE(Sampler::FromName("traceidratio", "-0.1").ok());
  EXPECT_FALSE(Sampler::FromName("traceidratio", "half").ok());
}

}  // namespace
}  // namespace gw::tracing
