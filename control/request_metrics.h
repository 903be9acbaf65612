#ifndef CONTROL_REQUEST_METRICS_H_
#define CONTROL_REQUEST_METRICS_H_

#include <memory>

#include <grpcpp/support/server_interceptor.h>

#include "gateway/observability/metrics.h"

namespace gw::control {

// Counts every gRPC call by method and status code (realtime_grpc_requests_total) with a server
// interceptor, so no handler has to remember to.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> RequestMetricsInterceptor(
    observability::MetricsRegistry& registry);

}  // namespace gw::control

#endif  // CONTROL_REQUEST_METRICS_H_
