#include "gateway/observability/tracer.h"

#include <chrono>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gateway/observability/test_exporter.h"

namespace gw::tracing {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::SizeIs;

class TracerTest : public testing::Test {
 protected:
  std::unique_ptr<Tracer> MakeTracer(Sampler sampler = Sampler()) {
    BatchOptions options;
    options.schedule_delay = std::chrono::hours(1);
    return std::make_unique<Tracer>(sampler, std::make_unique<RecordingExporter>(log_), options);
  }
  // Ends the tracer (flushing) and returns what it exported.
  std::vector<SpanData> Flush(Tracer& tracer) {
    tracer.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    return log_->Spans();
  }

  std::shared_ptr<ExportLog> log_ = std::make_shared<ExportLog>();
};

const Attribute* Find(const SpanData& span, std::string_view key) {
  for (const Attribute& attribute : span.attributes) {
    if (attribute.key == key) return &attribute;
  }
  return nullptr;
}

TEST_F(TracerTest, AnOffTracerHandsOutEmptySpans) {
  Tracer tracer;
  EXPECT_FALSE(tracer.enabled());
  Span span = tracer.StartSpan("anything", SpanKind::kServer);
  EXPECT_FALSE(span.recording());
  EXPECT_FALSE(span.context().valid());
  span.SetAttribute("key", "value");
  span.End();
  EXPECT_EQ(tracer.counters().exported, 0u);
}

TEST_F(TracerTest, ARootSpanStartsANewTraceAndIsExportedWhenItEnds) {
  auto tracer = MakeTracer();
  {
    Span span = tracer->StartSpan("POST /apps/{app_id}/events", SpanKind::kServer);
    EXPECT_TRUE(span.recording());
    EXPECT_TRUE(span.context().valid());
    EXPECT_TRUE(span.context().sampled());
  }  // ends on destruction
  const std::vector<SpanData> spans = Flush(*tracer);
  ASSERT_THAT(spans, SizeIs(1));
  const SpanData& span = spans[0];
  EXPECT_EQ(span.name, "POST /apps/{app_id}/events");
  EXPECT_EQ(span.kind, SpanKind::kServer);
  EXPECT_FALSE(IsValid(span.parent_span_id));
  EXPECT_GT(span.start_unix_nano, 0);
  EXPECT_LE(span.start_unix_nano, span.end_unix_nano);
  EXPECT_EQ(tracer->counters().exported, 1u);
}

TEST_F(TracerTest, ARemoteParentGivesItsTraceParentIdAndTracestate) {
  auto tracer = MakeTracer();
  auto parent = ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  ASSERT_TRUE(parent.has_value());
  parent->trace_state = "rojo=1";
  Span span = tracer->StartSpan("server", SpanKind::kServer, *parent);
  EXPECT_EQ(span.context().trace_id, parent->trace_id);
  EXPECT_NE(span.context().span_id, parent->span_id);
  EXPECT_EQ(span.context().trace_state, "rojo=1");
  EXPECT_FALSE(span.context().remote);
  span.End();
  const std::vector<SpanData> spans = Flush(*tracer);
  ASSERT_THAT(spans, SizeIs(1));
  EXPECT_EQ(ToHex(spans[0].context.trace_id), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(ToHex(spans[0].parent_span_id), "b7ad6b7169203331");
  EXPECT_TRUE(spans[0].parent_remote);
  EXPECT_EQ(spans[0].context.trace_state, "rojo=1");
}

TEST_F(TracerTest, SpansStartedInsideAScopeAreChildrenOfItsSpan) {
  auto tracer = MakeTracer();
  SpanId server_id;
  TraceId trace_id;
  {
    Span server = tracer->StartSpan("server", SpanKind::kServer);
    server_id = server.context().span_id;
    trace_id = server.context().trace_id;
    SpanScope scope(server);
    EXPECT_EQ(CurrentTraceContext().span_id, server_id);
    Span child = tracer->StartSpan("publish public", SpanKind::kProducer);
    EXPECT_EQ(child.context().trace_id, trace_id);
  }
  EXPECT_FALSE(CurrentTraceContext().valid());
  Span after = tracer->StartSpan("unrelated", SpanKind::kInternal);
  EXPECT_NE(after.context().trace_id, trace_id);
  after.End();

  const std::vector<SpanData> spans = Flush(*tracer);
  ASSERT_THAT(spans, SizeIs(3));
  // The child ends first.
  EXPECT_EQ(spans[0].name, "publish public");
  EXPECT_EQ(spans[0].parent_span_id, server_id);
  EXPECT_FALSE(spans[0].parent_remote);
  EXPECT_EQ(spans[1].name, "server");
  EXPECT_FALSE(IsValid(spans[2].parent_span_id));
}

TEST_F(TracerTest, AnUnsampledParentIsPropagatedButNothingIsRecorded) {
  auto tracer = MakeTracer();
  auto parent = ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
  ASSERT_TRUE(parent.has_value());
  Span span = tracer->StartSpan("server", SpanKind::kServer, *parent);
  EXPECT_FALSE(span.recording());
  EXPECT_TRUE(span.context().valid());
  EXPECT_EQ(span.context().trace_id, parent->trace_id);
  EXPECT_FALSE(span.context().sampled());
  const std::string traceparent = FormatTraceparent(span.context());
  EXPECT_EQ(traceparent.substr(0, 35), "00-0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(traceparent.substr(52), "-00");
  span.End();
  EXPECT_THAT(Flush(*tracer), SizeIs(0));
}

TEST_F(TracerTest, AlwaysOffStillGivesSpansAContext) {
  auto tracer = MakeTracer(Sampler(Sampler::Kind::kAlwaysOff, 1.0));
  Span span = tracer->StartSpan("server", SpanKind::kServer);
  EXPECT_FALSE(span.recording());
  EXPECT_TRUE(span.context().valid());
  span.End();
  EXPECT_THAT(Flush(*tracer), SizeIs(0));
}

TEST_F(TracerTest, RecordsTypedAttributesAndReplacesAKeySetTwice) {
  auto tracer = MakeTracer();
  Span span = tracer->StartSpan("s", SpanKind::kInternal);
  span.SetAttribute("string", "text");
  span.SetAttribute("view", std::string_view("view"));
  span.SetAttribute("int", 7);
  span.SetAttribute("unsigned", 42u);
  span.SetAttribute("size", size_t{1024});
  span.SetAttribute("double", 0.5);
  span.SetAttribute("bool", true);
  span.SetAttribute("int", 8);
  span.End();
  const std::vector<SpanData> spans = Flush(*tracer);
  ASSERT_THAT(spans, SizeIs(1));
  const SpanData& data = spans[0];
  EXPECT_THAT(data.attributes, SizeIs(7));
  EXPECT_EQ(std::get<std::string>(Find(data, "string")->value), "text");
  EXPECT_EQ(std::get<std::string>(Find(data, "view")->value), "view");
  EXPECT_EQ(std::get<int64_t>(Find(data, "int")->value), 8);
  EXPECT_EQ(std::get<int64_t>(Find(data, "unsigned")->value), 42);
  EXPECT_EQ(std::get<int64_t>(Find(data, "size")->value), 1024);
  EXPECT_EQ(std::get<double>(Find(data, "double")->value), 0.5);
  EXPECT_EQ(std::get<bool>(Find(data, "bool")->value), true);
}

TEST_F(TracerTest, CapsAttributesPerSpanAndCountsTheRest) {
  auto tracer = MakeTracer();
  Span span = tracer->StartSpan("s", SpanKind::kInternal);
  for (size_t i = 0; i < kMaxAttributesPerSpan + 3; ++i) {
    span.SetAttribute("k" + std::to_string(i), static_cast<int64_t>(i));
  }
  span.End();
  const std::vector<SpanData> spans = Flush(*tracer);
  ASSERT_THAT(spans, SizeIs(1));
  EXPECT_THAT(spans[0].attributes, SizeIs(kMaxAttributesPerSpan));
  EXPECT_EQ(spans[0].dropped_attributes, 3u);
}

TEST_F(TracerTest, RecordsEventsAndStatus) {
  auto tracer = MakeTracer();
  Span failed = tracer->StartSpan("failed", SpanKind::kClient);
  failed.AddEvent("retry", {Attribute{"attempt", int64_t{2}}});
  failed.SetStatus(SpanStatus::kError, "backend unavailable");
  failed.End();
  Span fine = tracer->StartSpan("fine", SpanKind::kClient);
  fine.SetStatus(SpanStatus::kOk, "ignored");
  fine.End();
  const std::vector<SpanData> spans = Flush(*tracer);
  ASSERT_THAT(spans, SizeIs(2));
  EXPECT_EQ(spans[0].status, SpanStatus::kError);
  EXPECT_EQ(spans[0].status_message, "backend unavailable");
  ASSERT_THAT(spans[0].events, ElementsAre(Field(&SpanEvent::name, "retry")));
  EXPECT_GE(spans[0].events[0].time_unix_nano, spans[0].start_unix_nano);
  EXPECT_EQ(spans[1].status, SpanStatus::kOk);
  EXPECT_EQ(spans[1].status_message, "");
}

TEST_F(TracerTest, EndingTwiceExportsOnce) {
  auto tracer = MakeTracer();
  Span span = tracer->StartSpan("once", SpanKind::kInternal);
  span.End();
  span.End();
  Span moved = std::move(span);
  moved.End();
  EXPECT_THAT(Flush(*tracer), SizeIs(1));
}

TEST_F(TracerTest, MovingASpanMovesWhoEndsIt) {
  auto tracer = MakeTracer();
  Span target;
  {
    Span span = tracer->StartSpan("moved", SpanKind::kClient);
    target = std::move(span);
  }
  EXPECT_THAT(log_->Spans(), SizeIs(0));
  target.End();
  EXPECT_THAT(Flush(*tracer), SizeIs(1));
}

TEST_F(TracerTest, TheGlobalTracerIsOffUntilOneIsInstalled) {
  EXPECT_FALSE(GlobalTracer().enabled());
  auto tracer = MakeTracer();
  SetGlobalTracer(tracer.get());
  EXPECT_EQ(&GlobalTracer(), tracer.get());
  SetGlobalTracer(nullptr);
  EXPECT_FALSE(GlobalTracer().enabled());
}

}  // namespace
}  // namespace gw::tracing
