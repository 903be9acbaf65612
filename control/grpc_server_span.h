#ifndef CONTROL_GRPC_SERVER_SPAN_H_
#define CONTROL_GRPC_SERVER_SPAN_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <optional>
#include <string_view>

#include "gateway/observability/span.h"

namespace gw::control {

// The SERVER span of one unary gRPC call handled synchronously by a callback handler:
// "<service>/<method>", continuing the caller's trace from its `traceparent` / `tracestate`
// metadata, with rpc.system, rpc.service, rpc.method, realtime.app_id and, at the end,
// rpc.grpc.status_code. While it lives it is this thread's current span, so the spans the
// handler causes (a publish's) are its children.
//
// Declare one first thing in a handler; the handler records its answer with RecordStatus just
// before finishing the reactor, and the span ends when the handler returns, unless the handler
// Detaches it to answer later (a publish is answered after its fan-out). Costs one branch when
// tracing is off. Handler thread only.
class GrpcServerSpan {
 public:
  GrpcServerSpan(const grpc::ServerContextBase& context, std::string_view service,
                 std::string_view method, std::string_view app_id);
  GrpcServerSpan(const GrpcServerSpan&) = delete;
  GrpcServerSpan& operator=(const GrpcServerSpan&) = delete;
  ~GrpcServerSpan();

  // Records `status` on the span of the call this thread is handling (if any).
  static void RecordStatus(const grpc::Status& status);
  // Records `status` on a span that Detach handed out.
  static void RecordStatus(tracing::Span& span, const grpc::Status& status);

  // Ends the scope (this thread handles no call any more) and returns the span, for an answer
  // given later, possibly on another thread. The span ends when the returned one does.
  tracing::Span Detach();

 private:
  tracing::Span span_;
  std::optional<tracing::SpanScope> scope_;  // after span_: ends before it
  GrpcServerSpan* previous_ = nullptr;
};

}  // namespace gw::control

#endif  // CONTROL_GRPC_SERVER_SPAN_H_
