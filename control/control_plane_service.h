#ifndef CONTROL_CONTROL_PLANE_SERVICE_H_
#define CONTROL_CONTROL_PLANE_SERVICE_H_

#include <atomic>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "control/caller_auth.h"
#include "gateway/core/app_directory.h"
#include "gateway/core/cluster.h"
#include "gateway/service/event_publisher.h"
#include "realtime/v1/control.grpc.pb.h"

namespace gw::control {

class WatchStream;

// realtime.v1.ControlPlane over the core and the service layer, with the HTTP API's rules.
// Handlers run on gRPC's threads and never block: a publish is answered once it is delivered
// (PublishReactor), or refused with UNAVAILABLE while the shards are too far behind; a query once
// the cluster answered, from whichever thread it answered on.
class ControlPlaneService final : public realtime::v1::ControlPlane::CallbackService {
 public:
  ControlPlaneService(core::AppDirectory& apps, core::Cluster& cluster,
                      service::EventPublisher& publisher, const std::atomic<bool>& draining);
  ~ControlPlaneService() override;

  // Ends every WatchEvents stream with UNAVAILABLE (the gateway is draining).
  void EndWatches();

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* context,
                                    const realtime::v1::PublishRequest* request,
                                    realtime::v1::PublishResponse* response) override;
  grpc::ServerUnaryReactor* PublishBatch(grpc::CallbackServerContext* context,
                                         const realtime::v1::PublishBatchRequest* request,
                                         realtime::v1::PublishBatchResponse* response) override;
  grpc::ServerUnaryReactor* AuthorizeChannel(
      grpc::CallbackServerContext* context, const realtime::v1::AuthorizeChannelRequest* request,
      realtime::v1::AuthorizeChannelResponse* response) override;
  grpc::ServerUnaryReactor* AuthenticateUser(
      grpc::CallbackServerContext* context, const realtime::v1::AuthenticateUserRequest* request,
      realtime::v1::AuthenticateUserResponse* response) override;
  grpc::ServerUnaryReactor* GetChannel(grpc::CallbackServerContext* context,
                                       const realtime::v1::GetChannelRequest* request,
                                       realtime::v1::GetChannelResponse* response) override;
  grpc::ServerUnaryReactor* ListChannels(grpc::CallbackServerContext* context,
                                         const realtime::v1::ListChannelsRequest* request,
                                         realtime::v1::ListChannelsResponse* response) override;
  grpc::ServerUnaryReactor* ListPresenceMembers(
      grpc::CallbackServerContext* context, const realtime::v1::ListPresenceMembersRequest* request,
      realtime::v1::ListPresenceMembersResponse* response) override;
  grpc::ServerUnaryReactor* TerminateUserConnections(
      grpc::CallbackServerContext* context,
      const realtime::v1::TerminateUserConnectionsRequest* request,
      realtime::v1::TerminateUserConnectionsResponse* response) override;
  grpc::ServerUnaryReactor* SendToUser(grpc::CallbackServerContext* context,
                                       const realtime::v1::SendToUserRequest* request,
                                       realtime::v1::SendToUserResponse* response) override;
  grpc::ServerWriteReactor<realtime::v1::ChannelEvent>* WatchEvents(
      grpc::CallbackServerContext* context,
      const realtime::v1::WatchEventsRequest* request) override;

 private:
  friend class WatchStream;
  // Caller authentication and the drain check every call starts with.
  absl::StatusOr<core::AppState*> Admit(grpc::CallbackServerContext* context,
                                        std::string_view app_id) const;
  void Forget(WatchStream* stream);

  core::AppDirectory& apps_;
  core::Cluster& cluster_;
  service::EventPublisher& publisher_;
  const std::atomic<bool>& draining_;
  CallerAuthenticator authenticator_;
  absl::Mutex watches_mu_;
  absl::flat_hash_set<WatchStream*> watches_ ABSL_GUARDED_BY(watches_mu_);
};

}  // namespace gw::control

#endif  // CONTROL_CONTROL_PLANE_SERVICE_H_
