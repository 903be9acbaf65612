#ifndef GATEWAY_SERVICE_EVENT_PUBLISHER_H_
#define GATEWAY_SERVICE_EVENT_PUBLISHER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/core/app_state.h"
#include "gateway/core/channel_registry.h"
#include "gateway/core/fanout.h"
#include "gateway/core/fanout_barrier.h"

namespace gw::service {

// One event from a backend, whichever door it came through (Pusher HTTP API or gRPC).
struct PublishCommand {
  std::string name;
  std::string data;
  std::vector<std::string> channels;
  std::string socket_id;  // "" = deliver to everyone
};

// A publish the fan-out took.
struct Published {
  // Each channel's counts as they stood when it was published: in command order, or one per
  // event for a batch.
  std::vector<core::ChannelCounts> counts;
  // Call `delivered->Then(done)` once: `done` runs when every shard has fanned out every event
  // (at once, or later on a shard's thread), which is when the publish may be acknowledged.
  std::shared_ptr<core::FanoutBarrier> delivered;
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
  explicit EventPublisher(core::Fanout& fanout) : fanout_(fanout) {}

  absl::Status Validate(const core::AppState& app, const PublishCommand& command) const;
  // Validates, asks the fan-out for room, encodes one frame per channel and hands each to the
  // fan-out.
  absl::StatusOr<Published> Publish(core::AppState& app, const PublishCommand& command);
  // All or nothing: every command is validated, and room asked for once, before any is
  // published. Errors name the event as `<list_field>[i].<field>` ("batch" for the HTTP API,
  // "events" for gRPC); each event has one channel, named `channel`.
  absl::StatusOr<Published> PublishBatch(core::AppState& app,
                                         const std::vector<PublishCommand>& commands,
                                         std::string_view list_field);

 private:
  absl::Status ValidateNamed(const core::AppState& app, const PublishCommand& command,
                             std::string_view channels_field) const;
  void PublishValidated(core::AppState& app, const PublishCommand& command,
                        const std::shared_ptr<core::FanoutBarrier>& barrier,
                        std::vector<core::ChannelCounts>* counts);
  core::Fanout& fanout_;
};

// True for Pusher socket ids: digits, a dot, digits.
bool IsValidSocketId(std::string_view socket_id);

}  // namespace gw::service

#endif  // GATEWAY_SERVICE_EVENT_PUBLISHER_H_
