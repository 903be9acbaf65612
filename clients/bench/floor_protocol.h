#ifndef CLIENTS_BENCH_FLOOR_PROTOCOL_H_
#define CLIENTS_BENCH_FLOOR_PROTOCOL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace gw::bench {

// The few bytes of Pusher and RFC 6455 the reference server (`realtime-bench floor`) speaks, as
// pure functions: no signatures are checked and nothing is validated beyond what is needed to
// answer, because the floor measures the cost of fan-out and nothing else.

// A whole unmasked server frame (FIN, `opcode`, 2-10 byte header, then `payload`).
std::string ServerFrame(std::string_view payload, uint8_t opcode = 0x1);

// One published event as every subscriber of `channel` will read it: the text frame of
// {"event":NAME,"channel":CHANNEL,"data":DATA}, built once.
struct FloorDelivery {
  std::string channel;
  std::string frame;
};

// The deliveries of one Pusher HTTP API request body: `batch` false for POST .../events
// ({"name","channels"|"channel","data"}), true for POST .../batch_events ({"batch":[{"name",
// "channel","data"}, ...]}). `data` that is not a string is sent as its JSON text. INVALID_ARGUMENT
// when the body is not such an object.
absl::StatusOr<std::vector<FloorDelivery>> DeliveriesOfPublish(std::string_view body, bool batch);

// The channel a client message subscribes to, if it is a pusher:subscribe.
std::optional<std::string> SubscribedChannel(std::string_view message);
// Whether a client message is a pusher:ping.
bool IsPusherPing(std::string_view message);

// What the floor sends on its own: connection_established, subscription_succeeded, pong.
std::string ConnectionEstablishedMessage(std::string_view socket_id);
std::string SubscriptionSucceededMessage(std::string_view channel);
inline constexpr std::string_view kFloorPongMessage = R"({"event":"pusher:pong","data":"{}"})";

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_FLOOR_PROTOCOL_H_
