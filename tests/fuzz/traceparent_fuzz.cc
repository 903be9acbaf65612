// W3C trace context headers from HTTP requests and gRPC metadata
// (gateway/observability/trace_context.h). Input fields: traceparent, tracestate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/observability/trace_context.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gw::fuzz::FuzzInput input(data, size);
  const std::string_view traceparent = input.NextField();
  auto context = gw::tracing::ParseTraceparent(traceparent);
  // What was accepted must survive a round trip unchanged.
  if (context &&
      gw::tracing::ParseTraceparent(gw::tracing::FormatTraceparent(*context)) == std::nullopt) {
    __builtin_trap();
  }
  (void)gw::tracing::NormalizeTracestate(input.Rest());
  return 0;
}
