#include "clients/bench/connection_worker.h"

#include <netinet/in.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <future>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "clients/bench/monotonic_clock.h"
#include "clients/bench/pusher_frames.h"
#include "clients/bench/wire_format.h"
#include "gateway/pusher/signature.h"

namespace gw::bench {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr size_t kInitialBuffer = 2048;
constexpr size_t kMaxBuffer = 64 * 1024;
// Larger frames than this end the connection: nothing the bench asks for comes close.
constexpr uint64_t kMaxFrame = 16 * 1024 * 1024;
constexpr size_t kMaxHandshake = 16 * 1024;

}  // namespace

PusherConnection::PusherConnection(ConnectionWorker& worker, uint32_t global_index)
    : worker_(worker),
      global_index_(global_index),
      channel_(worker.plan_.channels.empty()
                   ? 0
                   : global_index % static_cast<uint32_t>(worker.plan_.channels.size())),
      socket_(worker.context_) {}

void PusherConnection::Start() {
  state_ = State::kConnecting;
  handshaking_ = true;
  started_ns_ = MonotonicNanos();
  const ConnectionPlan& plan = worker_.plan_;
  const asio::ip::tcp::endpoint& server = plan.servers[global_index_ % plan.servers.size()];
  error_code ec;
  socket_.open(server.protocol(), ec);
  if (ec) return Fail(absl::StrCat("socket: ", ec.message()));
  if (plan.source_addresses > 0 && server.address().is_v4()) {
    // Without IP_BIND_ADDRESS_NO_PORT, bind() would reserve a port for any destination and one
    // source address would again cap the run at ~28k connections; with it the port is picked at
    // connect time, per (source, destination) pair.
    int one = 1;
    setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    const uint32_t host_part = 1 + global_index_ % plan.source_addresses;
    asio::ip::address_v4 source((127u << 24) | host_part);
    socket_.bind(asio::ip::tcp::endpoint(source, 0), ec);
    if (ec) return Fail(absl::StrCat("bind: ", ec.message()));
  }
  socket_.async_connect(server, [this](const error_code& ec) { OnConnect(ec); });
}

void PusherConnection::OnConnect(const error_code& ec) {
  if (state_ != State::kConnecting) return;
  if (ec) return Fail(absl::StrCat("connect: ", ec.message()));
  error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  state_ = State::kHandshake;
  buffer_ = std::make_unique<char[]>(kInitialBuffer);
  capacity_ = kInitialBuffer;
  pending_.append(worker_.plan_.upgrade_request);
  Flush();
  ReadSome();
}

void PusherConnection::ReadSome() {
  if (filled_ == capacity_) EnsureCapacity(capacity_ * 2);
  socket_.async_read_some(asio::buffer(buffer_.get() + filled_, capacity_ - filled_),
                          [this](const error_code& ec, size_t bytes) { OnRead(ec, bytes); });
}

void PusherConnection::OnRead(const error_code& ec, size_t bytes) {
  if (state_ == State::kClosed) return;
  if (ec) {
    if (state_ == State::kOpen) return Drop(1006);
    return Fail(absl::StrCat("handshake: ", ec.message()));
  }
  const bool was_full = filled_ + bytes == capacity_;
  filled_ += bytes;
  if (state_ == State::kHandshake && !HandleHandshake()) return;
  if (state_ == State::kOpen && !HandleFrames()) return;
  // A read that filled the buffer means more is waiting: read in bigger bites.
  if (was_full && capacity_ < kMaxBuffer) EnsureCapacity(capacity_ * 2);
  ReadSome();
}

bool PusherConnection::HandleHandshake() {
  std::optional<HttpResponseHead> head =
      ParseHttpResponseHead(std::string_view(buffer_.get(), filled_));
  if (!head) {
    if (filled_ >= kMaxHandshake) {
      Fail("handshake: response head too large");
      return false;
    }
    return true;
  }
  if (head->status != 101) {
    Fail(absl::StrCat("handshake: HTTP ", head->status));
    return false;
  }
  std::memmove(buffer_.get(), buffer_.get() + head->head_length, filled_ - head->head_length);
  filled_ -= head->head_length;
  state_ = State::kOpen;
  deflate_ = head->permessage_deflate;
  if (deflate_) ConnectionWorker::Bump(worker_.counters_.deflate_agreed);
  return true;
}

bool PusherConnection::HandleFrames() {
  size_t pos = 0;
  while (state_ == State::kOpen) {
    std::optional<WsFrameHeader> header =
        ParseWsFrameHeader(std::string_view(buffer_.get() + pos, filled_ - pos));
    if (!header) break;
    if (header->payload_length > kMaxFrame) {
      worker_.CountIncident("frame too large");
      Drop(1009);
      return false;
    }
    const size_t total = header->header_length + static_cast<size_t>(header->payload_length);
    if (filled_ - pos < total) {
      if (total > capacity_) {
        // Keep the partial frame at the front, then grow to hold all of it.
        std::memmove(buffer_.get(), buffer_.get() + pos, filled_ - pos);
        filled_ -= pos;
        pos = 0;
        EnsureCapacity(total);
      }
      break;
    }
    char* payload = buffer_.get() + pos + header->header_length;
    const size_t length = static_cast<size_t>(header->payload_length);
    if (header->masked) ApplyWsMask(payload, length, header->mask);
    const std::string_view body(payload, length);
    pos += total;
    switch (header->opcode) {
      case kWsText:
      case kWsBinary:
        if (header->fin) {
          if (!HandleData(body, total, header->rsv1)) return false;
        } else {
          fragments_.assign(body);
          fragments_wire_bytes_ = total;
          fragments_compressed_ = header->rsv1;
        }
        break;
      case kWsContinuation:
        fragments_.append(body);
        fragments_wire_bytes_ += total;
        if (header->fin) {
          const bool go_on = HandleData(fragments_, fragments_wire_bytes_, fragments_compressed_);
          fragments_.clear();
          if (!go_on) return false;
        }
        break;
      case kWsPing:
        SendFrame(kWsPong, body);
        break;
      case kWsClose: {
        int code = 1005;
        if (length >= 2) {
          code = (static_cast<uint8_t>(payload[0]) << 8) | static_cast<uint8_t>(payload[1]);
        }
        Drop(code);
        return false;
      }
      default:
        break;
    }
  }
  if (state_ != State::kOpen) return false;
  if (pos > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos, filled_ - pos);
    filled_ -= pos;
  }
  return true;
}

bool PusherConnection::HandleData(std::string_view payload, size_t wire_bytes, bool compressed) {
  if (!compressed) {
    HandleMessage(payload, wire_bytes, false);
    return true;
  }
  if (!deflate_) {
    worker_.CountIncident("RSV1 without permessage-deflate");
    Drop(1002);
    return false;
  }
  std::optional<std::string_view> text = worker_.Inflate(payload);
  if (!text) {
    worker_.CountIncident("compressed frame did not inflate");
    Drop(1007);
    return false;
  }
  HandleMessage(*text, wire_bytes, true);
  return true;
}

void PusherConnection::HandleMessage(std::string_view text, size_t wire_bytes, bool compressed) {
  switch (ClassifyFrame(text)) {
    case FrameKind::kTimed:
      if (std::optional<Stamp> stamp = FindStamp(text)) {
        ++received_;
        worker_.OnTimedMessage(stamp->send_ns, wire_bytes, compressed);
      }
      return;
    case FrameKind::kConnectionEstablished: {
      if (established_) return;
      established_ = true;
      EndHandshake();
      std::optional<std::string_view> socket_id = FindSocketId(text);
      worker_.OnEstablished(*this, socket_id.value_or(""), started_ns_);
      return;
    }
    case FrameKind::kSubscriptionSucceeded:
      if (!subscribed_) {
        subscribed_ = true;
        worker_.OnSubscribed(started_ns_);
      }
      return;
    case FrameKind::kSubscriptionError:
      worker_.CountIncident("pusher:subscription_error");
      return;
    case FrameKind::kPing:
      SendText(kPongMessage);
      return;
    case FrameKind::kError: {
      std::optional<int> code = FindErrorCode(text);
      worker_.CountIncident(code ? absl::StrCat("pusher:error ", *code) : "pusher:error");
      return;
    }
    case FrameKind::kOther:
      return;
  }
}

void PusherConnection::SendText(std::string_view text) {
  if (state_ != State::kOpen) return;
  SendFrame(kWsText, text);
}

void PusherConnection::SendFrame(uint8_t opcode, std::string_view payload) {
  AppendWsClientFrame(static_cast<WsOpcode>(opcode), payload, worker_.NextMaskKey(), &pending_);
  if (!writing_) Flush();
}

void PusherConnection::Flush() {
  if (pending_.empty() || state_ == State::kClosed) return;
  writing_ = true;
  writing_buffer_.swap(pending_);
  asio::async_write(socket_, asio::buffer(writing_buffer_), [this](const error_code& ec, size_t) {
    writing_ = false;
    writing_buffer_.clear();
    if (state_ == State::kClosed) return;
    if (ec) {
      if (state_ == State::kOpen) return Drop(1006);
      return Fail(absl::StrCat("write: ", ec.message()));
    }
    Flush();
  });
}

void PusherConnection::EnsureCapacity(size_t needed) {
  if (needed <= capacity_) return;
  auto bigger = std::make_unique<char[]>(needed);
  std::memcpy(bigger.get(), buffer_.get(), filled_);
  buffer_ = std::move(bigger);
  capacity_ = needed;
}

void PusherConnection::EndHandshake() {
  if (!handshaking_) return;
  handshaking_ = false;
  worker_.OnHandshakeDone();
}

void PusherConnection::Fail(std::string_view reason) {
  state_ = State::kClosed;
  error_code ignored;
  socket_.close(ignored);
  worker_.CountIncident(reason);
  ConnectionWorker::Bump(worker_.counters_.failed);
  EndHandshake();
}

void PusherConnection::Drop(int close_code) {
  if (!established_)
    return Fail(absl::StrCat("close ", close_code, " before connection_established"));
  state_ = State::kClosed;
  error_code ignored;
  socket_.close(ignored);
  worker_.CountIncident(absl::StrCat("close ", close_code));
  ConnectionWorker::Bump(worker_.counters_.dropped);
}

void PusherConnection::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  error_code ignored;
  socket_.close(ignored);
}

ConnectionWorker::ConnectionWorker(const ConnectionPlan& plan, uint32_t index,
                                   uint32_t thread_count)
    : plan_(plan),
      index_(index),
      thread_count_(thread_count),
      // Only this worker's thread touches its sockets (they are even created there), so the
      // reactor's per-descriptor locking can go; posts from the main thread stay locked.
      context_(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO),
      mask_state_(0x9E3779B9u ^ (index + 1)),
      timer_(context_) {
  sent_per_channel_.assign(plan.channels.empty() ? 1 : plan.channels.size(), 0);
}

ConnectionWorker::~ConnectionWorker() { Stop(); }

void ConnectionWorker::Run() {
  guard_.emplace(context_.get_executor());
  thread_ = std::thread([this] { context_.run(); });
}

void ConnectionWorker::Stop() {
  if (!thread_.joinable()) return;
  asio::post(context_, [this] {
    timer_.cancel();
    for (auto& connection : connections_) connection->Close();
    guard_.reset();
    context_.stop();
  });
  thread_.join();
}

void ConnectionWorker::OpenConnections(uint32_t first, uint32_t end) {
  asio::post(context_, [this, first, end] {
    uint32_t g = first + (index_ + thread_count_ - first % thread_count_) % thread_count_;
    for (; g < end; g += thread_count_) {
      connections_.push_back(std::make_unique<PusherConnection>(*this, g));
    }
    StartMore();
  });
}

std::vector<uint64_t> ConnectionWorker::SubscribedPerChannel() {
  std::promise<std::vector<uint64_t>> counted;
  std::future<std::vector<uint64_t>> result = counted.get_future();
  asio::post(context_, [this, &counted] {
    std::vector<uint64_t> per_channel(plan_.channels.empty() ? 1 : plan_.channels.size(), 0);
    for (const auto& connection : connections_) {
      if (connection->open() && connection->subscribed()) ++per_channel[connection->channel()];
    }
    counted.set_value(std::move(per_channel));
  });
  return result.get();
}

void ConnectionWorker::StartMore() {
  while (handshakes_in_flight_ < plan_.connect_concurrency &&
         next_to_start_ < connections_.size()) {
    ++handshakes_in_flight_;
    connections_[next_to_start_++]->Start();
  }
}

void ConnectionWorker::OnHandshakeDone() {
  --handshakes_in_flight_;
  // Started from a fresh handler, not from inside the finishing connection's callback.
  asio::post(context_, [this] { StartMore(); });
}

void ConnectionWorker::OnEstablished(PusherConnection& connection, std::string_view socket_id,
                                     int64_t started_ns) {
  Bump(counters_.established);
  last_established_ns_ = MonotonicNanos();
  established_latency_.Record(last_established_ns_ - started_ns);
  if (plan_.channels.empty()) return;
  const std::string& channel = plan_.channels[connection.channel()];
  if (!plan_.presence) {
    connection.SendText(SubscribeMessage(channel, "", ""));
    return;
  }
  const std::string channel_data =
      absl::StrCat(R"({"user_id":"u)", connection.global_index(), R"("})");
  const std::string auth =
      pusher::SignChannelAuth(plan_.app_key, plan_.app_secret, socket_id, channel, channel_data);
  connection.SendText(SubscribeMessage(channel, auth, channel_data));
}

void ConnectionWorker::OnSubscribed(int64_t started_ns) {
  Bump(counters_.subscribed);
  last_subscribed_ns_ = MonotonicNanos();
  subscribed_latency_.Record(last_subscribed_ns_ - started_ns);
}

void ConnectionWorker::OnTimedMessage(int64_t send_ns, size_t wire_bytes, bool compressed) {
  const int64_t now = MonotonicNanos();
  delivery_latency_.Record(now - send_ns);
  last_delivery_ns_ = now;
  Bump(counters_.delivered);
  Add(counters_.wire_bytes, wire_bytes);
  if (compressed) Bump(counters_.compressed);
}

std::optional<std::string_view> ConnectionWorker::Inflate(std::string_view compressed) {
  if (const std::string* known = inflated_.Find(compressed)) return *known;
  const websocket::MessageInflater::Result result = inflater_.Inflate(compressed);
  if (result.close_code != 0) return std::nullopt;
  return inflated_.Insert(compressed, result.message);
}

void ConnectionWorker::CountIncident(std::string_view what) {
  if (what.substr(0, 7) == "pusher:") Bump(counters_.errors);
  ++incidents_[std::string(what)];
}

uint32_t ConnectionWorker::NextMaskKey() {
  // xorshift32: masking needs no cryptographic randomness from a load generator.
  uint32_t x = mask_state_;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  mask_state_ = x;
  return x;
}

void ConnectionWorker::StartClientEvents(double rate, int64_t start_ns, int64_t deadline_ns,
                                         uint64_t max_messages, uint32_t payload_bytes) {
  asio::post(context_, [=, this] {
    pacer_.emplace(rate, start_ns);
    events_deadline_ns_ = deadline_ns;
    events_max_ = max_messages;
    events_payload_bytes_ = payload_bytes;
    timer_.expires_at(MonotonicTimePoint(start_ns));
    timer_.async_wait([this](const error_code& ec) {
      if (!ec) SendClientEvents();
    });
  });
}

void ConnectionWorker::SendClientEvents() {
  const int64_t now = MonotonicNanos();
  if (now >= events_deadline_ns_ || events_sent_ >= events_max_ || connections_.empty()) return;
  const uint64_t due = std::min(pacer_->DueCount(now), events_max_);
  size_t skipped = 0;
  while (events_sent_ < due && skipped < connections_.size()) {
    PusherConnection& sender = *connections_[next_sender_];
    next_sender_ = (next_sender_ + 1) % connections_.size();
    if (!sender.open() || !sender.subscribed()) {
      ++skipped;
      continue;
    }
    skipped = 0;
    // Sequence numbers unique across workers: this worker's count, interleaved by index.
    const uint64_t seq = events_sent_ * thread_count_ + index_;
    WriteTimedPayload(seq, MonotonicNanos(), events_payload_bytes_, &payload_);
    WriteClientEvent(plan_.channels[sender.channel()], payload_, &message_);
    sender.SendText(message_);
    sender.CountSent();
    ++sent_per_channel_[sender.channel()];
    ++events_sent_;
    Bump(counters_.sent);
  }
  if (skipped >= connections_.size()) return;  // nobody left to send
  const int64_t next = pacer_->DueAt(events_sent_);
  if (next >= events_deadline_ns_) return;
  timer_.expires_at(MonotonicTimePoint(next));
  timer_.async_wait([this](const error_code& ec) {
    if (!ec) SendClientEvents();
  });
}

}  // namespace gw::bench
