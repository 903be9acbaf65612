#include "gateway/observability/log.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::observability {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Log, WritesOneJsonObjectPerLineWithLevelMessageAndFields) {
  ::testing::internal::CaptureStdout();
  LogInfo("connection opened", {{"socket_id", "1.2"}, {"count", 3}, {"ok", true}});
  const std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "exactly one line";
  EXPECT_THAT(out, HasSubstr(R"("level":"info")"));
  EXPECT_THAT(out, HasSubstr(R"("msg":"connection opened")"));
  EXPECT_THAT(out, HasSubstr(R"("socket_id":"1.2")"));
  EXPECT_THAT(out, HasSubstr(R"("count":3)"));
}

TEST(Log, LinesCarryTheCurrentTraceIdsWhenTracingProvidesThem) {
  SetTraceIdsProvider([](std::string* trace_id, std::string* span_id) {
    *trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    *span_id = "00f067aa0ba902b7";
    return true;
  });
  ::testing::internal::CaptureStdout();
  LogWarn("inside a request");
  const std::string traced = ::testing::internal::GetCapturedStdout();
  SetTraceIdsProvider([](std::string*, std::string*) { return false; });
  ::testing::internal::CaptureStdout();
  LogWarn("outside a request");
  const std::string untraced = ::testing::internal::GetCapturedStdout();
  SetTraceIdsProvider(nullptr);
  EXPECT_THAT(traced, HasSubstr(R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736")"));
  EXPECT_THAT(traced, HasSubstr(R"("span_id":"00f067aa0ba902b7")"));
  EXPECT_THAT(untraced, Not(HasSubstr("trace_id")));
}

TEST(Log, LevelsBelowTheThresholdAreDropped) {
  SetLogLevel(LogLevel::kWarn);
  ::testing::internal::CaptureStdout();
  LogInfo("hidden");
  LogDebug("hidden too");
  const std::string out = ::testing::internal::GetCapturedStdout();
  SetLogLevel(LogLevel::kInfo);
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace gw::observability
