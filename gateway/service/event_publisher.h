#ifndef GATEWAY_SERVICE_EVENT_PUBLISHER_H_
#define GATEWAY_SERVICE_EVENT_PUBLISHER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/core/app_state.h"
#include "gateway/core/cluster.h"
#include "gateway/core/fanout.h"
#include "gateway/core/publish_receipt.h"

namespace gw::service {

// One event from a backend, whichever door it came through (Pusher HTTP API or gRPC).
struct PublishCommand {
  std::string name;
  std::string data;
  std::vector<std::string> channels;
  std::string socket_id;  // "" = deliver to everyone
  bool want_counts = false;  // the answer reports the channels' counts (HTTP `info`, gRPC)
  // Which door it came through, for the dashboard's debug console: "http", "grpc", "dashboard".
  std::string_view door = "http";
};

// Validates and publishes backend events with the Pusher HTTP API's rules, so the HTTP API and
// the gRPC control plane cannot drift apart. Thread-safe; callable from any thread.
//
// Errors: PermissionDenied (app disabled), InvalidArgument (event name, channel names or count,
// socket id; the message names the field), ResourceExhausted (payload over the app's limit),
// Unavailable (the shards are behind by more than the fan-out's ceiling: retry later). On an
// error nothing was published.
class EventPublisher {
 public:
  EventPublisher(core::Fanout& fanout, core::Cluster& cluster)
      : fanout_(fanout), cluster_(cluster) {}

  absl::Status Validate(const core::AppState& app, const PublishCommand& command) const;
  // Validates, asks the fan-out for room, encodes one frame per channel and hands each to the
  // cluster. The receipt (one counts slot per channel, in command order) says when the publish
  // may be acknowledged: call its Then once.
  absl::StatusOr<std::shared_ptr<core::PublishReceipt>> Publish(core::AppState& app,
                                                                const PublishCommand& command);
  // All or nothing: every command is validated, and room asked for once, before any is
  // published. Errors name the event as `<list_field>[i].<field>` ("batch" for the HTTP API,
  // "events" for gRPC); each event has one channel, named `channel`, and one counts slot.
  absl::StatusOr<std::shared_ptr<core::PublishReceipt>> PublishBatch(
      core::AppState& app, const std::vector<PublishCommand>& commands,
      std::string_view list_field);

 private:
  absl::Status ValidateNamed(const core::AppState& app, const PublishCommand& command,
                             std::string_view channels_field) const;
  // Publishes each channel of `command`, its counts into consecutive slots from `first_slot`.
  void PublishValidated(core::AppState& app, const PublishCommand& command,
                        const std::shared_ptr<core::PublishReceipt>& receipt, size_t first_slot);
  core::Fanout& fanout_;
  core::Cluster& cluster_;
};

// True for Pusher socket ids: digits, a dot, digits.
bool IsValidSocketId(std::string_view socket_id);

}  // namespace gw::service

#endif  // GATEWAY_SERVICE_EVENT_PUBLISHER_H_
