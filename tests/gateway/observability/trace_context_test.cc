#include "gateway/observability/trace_context.h"

#include <string>

#include "gtest/gtest.h"

namespace gw::tracing {
namespace {

// Vectors from the W3C Trace Context specification and its test suite.
constexpr std::string_view kValid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

TEST(Traceparent, ParsesTheSpecExample) {
  auto context = ParseTraceparent(kValid);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(ToHex(context->trace_id), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(ToHex(context->span_id), "b7ad6b7169203331");
  EXPECT_TRUE(context->sampled());
  EXPECT_TRUE(context->remote);
  EXPECT_TRUE(context->trace_state.empty());
}

TEST(Traceparent, ReadsTheSampledFlag) {
  auto context = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(context.has_value());
  EXPECT_FALSE(context->sampled());
}

TEST(Traceparent, FormatsWhatItParses) {
  auto context = ParseTraceparent(kValid);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(FormatTraceparent(*context), kValid);
}

TEST(Traceparent, FormatPropagatesOnlyTheSampledBit) {
  auto context = ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03");
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(FormatTraceparent(*context), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
}

TEST(Traceparent, TrimsSurroundingWhitespace) {
  EXPECT_TRUE(ParseTraceparent(std::string(" \t") + std::string(kValid) + " ").has_value());
}

TEST(Traceparent, AcceptsALaterVersionAndIgnoresWhatItAppends) {
  auto context = ParseTraceparent(
      "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-the-future-will-be-like");
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(ToHex(context->span_id), "b7ad6b7169203331");
  EXPECT_TRUE(ParseTraceparent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
}

class InvalidTraceparent : public testing::TestWithParam<std::string_view> {};

TEST_P(InvalidTraceparent, IsIgnored) { EXPECT_FALSE(ParseTraceparent(GetParam()).has_value()); }

INSTANTIATE_TEST_SUITE_P(
    W3cVectors, InvalidTraceparent,
    testing::Values(
        "",                                                           // absent
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",    // forbidden version
        "0-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",     // short version
        "0g-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",    // version not hex
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-",   // 00 with a suffix
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x",   // 00, 56 chars
        "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01.x",  // later version, no '-'
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",    // zero trace id
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",    // zero parent id
        "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",    // uppercase
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0A",    // uppercase flags
        "00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01",      // short trace id
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b71692033-0100",    // short parent id
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0",     // short flags
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0g",    // flags not hex
        "00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01",    // wrong delimiter
        "00-0af7651916cd43dd8448eb211c80319z-b7ad6b7169203331-01",    // trace id not hex
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333z-01"));  // parent id not hex

TEST(Tracestate, KeepsValidMembersInOrder) {
  EXPECT_EQ(NormalizeTracestate("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
}

TEST(Tracestate, DropsOptionalWhitespaceAndEmptyMembers) {
  EXPECT_EQ(NormalizeTracestate(" foo=1 ,\t, bar=2 ,"), "foo=1,bar=2");
  EXPECT_EQ(NormalizeTracestate(""), "");
}

TEST(Tracestate, AcceptsMultiTenantKeysAndDigitFirstKeys) {
  EXPECT_EQ(NormalizeTracestate("tenant@vendor=x,1foo=y"), "tenant@vendor=x,1foo=y");
}

TEST(Tracestate, AcceptsValuesWithInnerSpaces) {
  EXPECT_EQ(NormalizeTracestate("foo=a b"), "foo=a b");
}

TEST(Tracestate, KeepsThirtyTwoMembersAndDiscardsThirtyThree) {
  std::string list;
  for (int i = 0; i < 32; ++i) list += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  EXPECT_EQ(NormalizeTracestate(list), list);
  EXPECT_EQ(NormalizeTracestate(list + ",k32=v"), "");
}

TEST(Tracestate, KeyLengthLimitIs256) {
  EXPECT_EQ(NormalizeTracestate(std::string(256, 'a') + "=v"), std::string(256, 'a') + "=v");
  EXPECT_EQ(NormalizeTracestate(std::string(257, 'a') + "=v"), "");
}

class InvalidTracestate : public testing::TestWithParam<std::string_view> {};

TEST_P(InvalidTracestate, DiscardsTheWholeHeader) {
  EXPECT_EQ(NormalizeTracestate(GetParam()), "");
}

INSTANTIATE_TEST_SUITE_P(W3cVectors, InvalidTracestate,
                         testing::Values("foo=1,FOO=2",  // uppercase key
                                         "foo=1,foo=2",  // duplicate key
                                         "foo",          // no '='
                                         "foo=",         // empty value
                                         "foo=bar=baz",  // '=' in the value
                                         "=bar",         // empty key
                                         "foo@1bar=x",   // system id starts with a digit
                                         "foo=\x7f",     // not printable
                                         "_foo=1",       // key starts with '_'
                                         "foo=1,bar"));  // one bad member spoils all

}  // namespace
}  // namespace gw::tracing
