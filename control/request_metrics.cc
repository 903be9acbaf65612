#include "control/request_metrics.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace gw::control {
namespace {

namespace exp = grpc::experimental;

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

class Interceptor final : public exp::Interceptor {
 public:
  Interceptor(observability::MetricsRegistry& registry, std::string method)
      : registry_(registry), method_(std::move(method)) {}

  void Intercept(exp::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(exp::InterceptionHookPoints::PRE_SEND_STATUS)) {
      registry_
          .GetCounter("realtime_grpc_requests_total", "gRPC calls, by method and status code.",
                      {{"method", method_}, {"code", CodeName(methods->GetSendStatus().error_code())}})
          .Add();
    }
    methods->Proceed();
  }

 private:
  observability::MetricsRegistry& registry_;
  const std::string method_;
};

class Factory final : public exp::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(observability::MetricsRegistry& registry) : registry_(registry) {}
  exp::Interceptor* CreateServerInterceptor(exp::ServerRpcInfo* info) override {
    return new Interceptor(registry_, info->method() == nullptr ? "" : info->method());
  }

 private:
  observability::MetricsRegistry& registry_;
};

}  // namespace

std::unique_ptr<exp::ServerInterceptorFactoryInterface> RequestMetricsInterceptor(
    observability::MetricsRegistry& registry) {
  return std::make_unique<Factory>(registry);
}

}  // namespace gw::control
