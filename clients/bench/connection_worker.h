#ifndef CLIENTS_BENCH_CONNECTION_WORKER_H_
#define CLIENTS_BENCH_CONNECTION_WORKER_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "clients/bench/inflation_cache.h"
#include "clients/bench/latency_histogram.h"
#include "clients/bench/rate_pacer.h"
#include "gateway/websocket/message_inflater.h"

namespace gw::bench {

// What every connection of a run does: where it connects, which channel it joins.
struct ConnectionPlan {
  // Connection g connects to servers[g % size] (several: the nodes of a cluster).
  std::vector<boost::asio::ip::tcp::endpoint> servers;
  std::string upgrade_request;  // WsUpgradeRequest(...)
  // Connection g (global index) joins channels[g % size]; none when empty.
  std::vector<std::string> channels;
  // presence- channels: connection g joins as user "u<g>", channel_data signed with the secret.
  bool presence = false;
  std::string app_key;
  std::string app_secret;
  // Connection g binds 127.0.0.(1 + g % source_addresses) first (IPv4 targets; 0 = no bind).
  uint32_t source_addresses = 0;
  // Handshakes in flight on one worker.
  uint32_t connect_concurrency = 256;
};

// Progress of one worker, written by its thread only (relaxed load + store, no locked
// instruction on the delivery path) and read by the main thread for progress lines.
struct WorkerCounters {
  std::atomic<uint64_t> established{0};     // connection_established received
  std::atomic<uint64_t> subscribed{0};      // subscription_succeeded received
  std::atomic<uint64_t> failed{0};          // never got to connection_established
  std::atomic<uint64_t> dropped{0};         // closed by the server (or the network) once open
  std::atomic<uint64_t> delivered{0};       // timed messages received
  std::atomic<uint64_t> sent{0};            // client events sent
  std::atomic<uint64_t> errors{0};          // pusher:error and pusher:subscription_error frames
  std::atomic<uint64_t> wire_bytes{0};      // frame bytes (header + payload) of timed messages
  std::atomic<uint64_t> compressed{0};      // timed messages that arrived compressed
  std::atomic<uint64_t> deflate_agreed{0};  // connections that negotiated permessage-deflate
};

class ConnectionWorker;

// The largest message the bench inflates; its payloads are at most 64 KiB.
inline constexpr size_t kMaxInflatedBytes = 1 << 20;

// One WebSocket connection speaking the Pusher protocol, owned by a ConnectionWorker and touched
// only on its thread. It frames by itself (RFC 6455 client side): one read drains whatever the
// kernel holds into a buffer that grows only when a frame does not fit, and writes reuse two
// buffers, so steady traffic allocates nothing.
class PusherConnection {
 public:
  PusherConnection(ConnectionWorker& worker, uint32_t global_index);
  PusherConnection(const PusherConnection&) = delete;
  PusherConnection& operator=(const PusherConnection&) = delete;

  void Start();
  void Close();
  // Sends one text message (masked). Dropped when the connection is not open.
  void SendText(std::string_view text);

  uint32_t global_index() const { return global_index_; }
  uint32_t channel() const { return channel_; }
  bool open() const { return state_ == State::kOpen; }
  bool subscribed() const { return subscribed_; }
  uint64_t received() const { return received_; }
  uint64_t sent() const { return sent_; }
  void CountSent() { ++sent_; }

 private:
  enum class State { kIdle, kConnecting, kHandshake, kOpen, kClosed };

  void OnConnect(const boost::system::error_code& ec);
  void ReadSome();
  void OnRead(const boost::system::error_code& ec, size_t bytes);
  // Returns false when the connection ended while handling the bytes.
  bool HandleHandshake();
  bool HandleFrames();
  // One whole data message as it came off the wire; false when the connection ended over it.
  bool HandleData(std::string_view payload, size_t wire_bytes, bool compressed);
  // `wire_bytes`: the frame bytes that carried it; `compressed`: it arrived compressed.
  void HandleMessage(std::string_view text, size_t wire_bytes = 0, bool compressed = false);
  void SendFrame(uint8_t opcode, std::string_view payload);
  void Flush();
  // Ends the connection: `Fail` before connection_established (counted as failed), `Drop`
  // after it (counted as dropped, by close code; 1006 when no close frame came).
  void Fail(std::string_view reason);
  void Drop(int close_code);
  void EndHandshake();
  void EnsureCapacity(size_t needed);

  ConnectionWorker& worker_;
  const uint32_t global_index_;
  const uint32_t channel_;
  boost::asio::ip::tcp::socket socket_;
  State state_ = State::kIdle;
  // Counted in the worker's handshakes in flight until connection_established or failure.
  bool handshaking_ = false;
  bool established_ = false;
  bool subscribed_ = false;
  bool writing_ = false;
  int64_t started_ns_ = 0;
  uint64_t received_ = 0;
  uint64_t sent_ = 0;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t filled_ = 0;
  std::string fragments_;  // a fragmented message being reassembled (rare)
  size_t fragments_wire_bytes_ = 0;
  bool fragments_compressed_ = false;
  bool deflate_ = false;  // the server accepted permessage-deflate
  std::string pending_;   // frames waiting for the write in flight
  std::string writing_buffer_;
};

// One I/O thread with its own io_context and the connections it owns. The main thread calls the
// public methods; they post to the worker's thread. After Stop() returns, the thread has ended and
// the accessors below may be read from the caller.
class ConnectionWorker {
 public:
  ConnectionWorker(const ConnectionPlan& plan, uint32_t index, uint32_t thread_count);
  ~ConnectionWorker();
  ConnectionWorker(const ConnectionWorker&) = delete;
  ConnectionWorker& operator=(const ConnectionWorker&) = delete;

  void Run();
  // Closes every connection and joins the thread. Idempotent.
  void Stop();

  // Adds the connections with global indexes in [first, end) that belong to this worker
  // (g % thread_count == index) and starts them, connect_concurrency at a time.
  void OpenConnections(uint32_t first, uint32_t end);

  // Client events: from `start_ns` until `deadline_ns`, at `rate` per second (this worker's share)
  // and at most `max_messages`, each subscribed connection in turn sends one timed client event.
  void StartClientEvents(double rate, int64_t start_ns, int64_t deadline_ns, uint64_t max_messages,
                         uint32_t payload_bytes);

  const WorkerCounters& counters() const { return counters_; }
  // Blocks until the worker's thread has counted its subscribed, still open connections per
  // channel (plan.channels order).
  std::vector<uint64_t> SubscribedPerChannel();

  // Readable after Stop().
  const std::vector<std::unique_ptr<PusherConnection>>& connections() const { return connections_; }
  const LatencyHistogram& delivery_latency() const { return delivery_latency_; }
  const LatencyHistogram& established_latency() const { return established_latency_; }
  const LatencyHistogram& subscribed_latency() const { return subscribed_latency_; }
  int64_t last_delivery_ns() const { return last_delivery_ns_; }
  int64_t last_established_ns() const { return last_established_ns_; }
  int64_t last_subscribed_ns() const { return last_subscribed_ns_; }
  // Per channel: client events this worker sent on it.
  const std::vector<uint64_t>& sent_per_channel() const { return sent_per_channel_; }
  // "close 4100", "pusher:error 4301", "connect: Connection refused", ... with counts.
  const std::map<std::string, uint64_t>& incidents() const { return incidents_; }

 private:
  friend class PusherConnection;

  // Called by connections on this thread.
  void OnHandshakeDone();
  void OnEstablished(PusherConnection& connection, std::string_view socket_id, int64_t started_ns);
  void OnSubscribed(int64_t started_ns);
  void OnTimedMessage(int64_t send_ns, size_t wire_bytes, bool compressed);
  // The text of a compressed message, or nullopt when it does not inflate; valid until the next
  // call. Every subscriber receives the same compressed bytes for one publish, so the last 32
  // results are kept and reused for identical input (InflationCache): the bench then costs about
  // one inflate per publish per thread, as a browser costs one per delivery on its own machine.
  std::optional<std::string_view> Inflate(std::string_view compressed);
  void CountIncident(std::string_view what);
  uint32_t NextMaskKey();
  void StartMore();
  void SendClientEvents();
  static void Bump(std::atomic<uint64_t>& counter) { Add(counter, 1); }
  static void Add(std::atomic<uint64_t>& counter, uint64_t n) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  const ConnectionPlan& plan_;
  const uint32_t index_;
  const uint32_t thread_count_;
  boost::asio::io_context context_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::thread thread_;
  WorkerCounters counters_;
  uint32_t mask_state_;

  // Everything below belongs to the worker's thread.
  std::vector<std::unique_ptr<PusherConnection>> connections_;
  size_t next_to_start_ = 0;
  uint32_t handshakes_in_flight_ = 0;
  LatencyHistogram delivery_latency_;
  LatencyHistogram established_latency_;
  LatencyHistogram subscribed_latency_;
  int64_t last_delivery_ns_ = 0;
  int64_t last_established_ns_ = 0;
  int64_t last_subscribed_ns_ = 0;
  std::map<std::string, uint64_t> incidents_;
  websocket::MessageInflater inflater_{kMaxInflatedBytes};
  InflationCache inflated_;

  // Client events.
  std::optional<RatePacer> pacer_;
  boost::asio::steady_timer timer_;
  int64_t events_deadline_ns_ = 0;
  uint64_t events_max_ = 0;
  uint64_t events_sent_ = 0;
  uint32_t events_payload_bytes_ = 0;
  size_t next_sender_ = 0;
  std::vector<uint64_t> sent_per_channel_;
  std::string payload_;
  std::string message_;
};

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_CONNECTION_WORKER_H_
