#ifndef CLIENTS_BENCH_PUSHER_FRAMES_H_
#define CLIENTS_BENCH_PUSHER_FRAMES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::bench {

// What the bench reads from and writes to a Pusher connection. Incoming frames are scanned, not
// parsed: the bench looks only for the event name and, in its own events, the stamp, so reading a
// delivery costs a couple of short searches and no allocation. The text is the JSON a Pusher
// server sends; both realtime-gateway and soketi escape `data` the same way (JSON string), and the
// stamp uses no character that escaping changes.

// The event name every publish and client event of the bench carries.
inline constexpr std::string_view kBenchEvent = "bench";
inline constexpr std::string_view kBenchClientEvent = "client-bench";

// A timed message's data: "rtb:<seq>:<send_ns>:" padded with 'x' to `payload_bytes` (never
// shorter than the stamp itself). `send_ns` is CLOCK_MONOTONIC of the sender, which shares the
// machine and the process with the receivers. Replaces the contents of `out`, reusing its capacity.
void WriteTimedPayload(uint64_t seq, int64_t send_ns, size_t payload_bytes, std::string* out);

// The same stamp inside a realistic broadcast: JSON text ({"stamp":"rtb:<seq>:<send_ns>:",
// "messages":[chat messages with their authors],"note":"..."}) of exactly `payload_bytes`
// (never shorter than the stamp and the JSON around it), what a Laravel chat app broadcasts.
// Unlike the 'x' padding it compresses as real traffic does. Raw JSON: it needs escaping
// (AppendJsonEscaped) to become a Pusher `data` string.
void WriteTimedJsonPayload(uint64_t seq, int64_t send_ns, size_t payload_bytes, std::string* out);

// Appends `text` as the inside of a JSON string (", \ and control characters escaped).
void AppendJsonEscaped(std::string_view text, std::string* out);

struct Stamp {
  uint64_t seq = 0;
  int64_t send_ns = 0;
};
// The first stamp in `text` (a whole frame or just its data), or nullopt.
std::optional<Stamp> FindStamp(std::string_view text);

enum class FrameKind {
  kTimed,                  // a bench event (publish or client event): carries a Stamp
  kConnectionEstablished,  // pusher:connection_established
  kSubscriptionSucceeded,  // pusher_internal:subscription_succeeded
  kSubscriptionError,      // pusher:subscription_error
  kPing,                   // pusher:ping (answer with pusher:pong)
  kError,                  // pusher:error
  kOther,                  // anything else: member_added, cache_miss, ...
};

// The event name of a frame ({"event":"NAME",...}), as a view into it; nullopt if absent.
std::optional<std::string_view> FindEventName(std::string_view frame);
FrameKind ClassifyFrame(std::string_view frame);

// The socket id of a connection_established frame (data "{\"socket_id\":\"123.456\",...}").
std::optional<std::string_view> FindSocketId(std::string_view frame);
// The `code` of a pusher:error frame; nullopt when absent or null.
std::optional<int> FindErrorCode(std::string_view frame);

// Messages the bench sends. `channel_data` and `auth` are included when not empty.
std::string SubscribeMessage(std::string_view channel, std::string_view auth,
                             std::string_view channel_data);
inline constexpr std::string_view kPongMessage = R"({"event":"pusher:pong","data":{}})";
// {"event":"client-bench","channel":CHANNEL,"data":"PAYLOAD"}, written into `out` (reused),
// with PAYLOAD escaped as a JSON string.
void WriteClientEvent(std::string_view channel, std::string_view payload, std::string* out);

// The Pusher HTTP API body of one publish: {"name":"bench","channels":[CHANNEL],"data":PAYLOAD},
// written into `out` (reused), with PAYLOAD escaped as a JSON string.
void WritePublishBody(std::string_view channel, std::string_view payload, std::string* out);

// The body of POST /apps/ID/batch_events: {"batch":[{"name":"bench","channel":C,"data":P},...]},
// one event per (channel, payload), written into `out` (reused). Same escaping rule.
void WriteBatchPublishBody(const std::vector<std::pair<std::string_view, std::string_view>>& events,
                           std::string* out);

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_PUSHER_FRAMES_H_
