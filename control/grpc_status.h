#ifndef CONTROL_GRPC_STATUS_H_
#define CONTROL_GRPC_STATUS_H_

#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace gw::control {

// absl and gRPC share the canonical code numbering, so the code carries over as is.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace gw::control

#endif  // CONTROL_GRPC_STATUS_H_
