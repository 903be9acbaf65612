#include "clients/bench/floor_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "clients/bench/floor_protocol.h"
#include "clients/bench/wire_format.h"
#include "gateway/websocket/handshake.h"

namespace gw::bench {
namespace {

// Unsent bytes after which a subscriber is cut (it is not reading), and the largest request or
// message read.
constexpr size_t kMaxUnsent = 1 << 20;
constexpr size_t kMaxUnread = 1 << 20;
// epoll data of the two descriptors that are not connections; connection ids start above.
constexpr uint64_t kListenerId = 0;
constexpr uint64_t kWakeId = 1;
constexpr std::string_view kPublishAnswer =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

std::string HttpAnswer(int status, std::string_view body) {
  return absl::StrCat("HTTP/1.1 ", status, status == 200 ? " OK" : " Error",
                      "\r\nContent-Type: text/plain\r\nContent-Length: ", body.size(), "\r\n\r\n",
                      Absl(body));
}

class Loop;

// One publish on its way through every loop; the last loop to queue it has it answered.
struct Publish {
  std::vector<FloorDelivery> deliveries;
  std::atomic<size_t> loops_left{0};
  Loop* origin = nullptr;
  uint64_t connection = 0;
};

struct Connection {
  int fd = -1;
  uint64_t id = 0;
  bool websocket = false;
  bool awaiting_answer = false;  // its publish is being fanned out; read nothing more until then
  bool in_flush_list = false;
  std::string unread;
  std::string unsent;
  std::vector<std::string> channels;
};

// One thread's event loop. Everything but Enqueue/Answer/Wake runs on that thread only.
class Loop {
 public:
  Loop(size_t index, const std::vector<std::unique_ptr<Loop>>& loops,
       const std::atomic<bool>& stopping)
      : index_(index), loops_(loops), stopping_(stopping), buffer_(64 * 1024) {}

  ~Loop() {
    for (auto& [id, connection] : connections_) close(connection->fd);
    for (int fd : {listen_fd_, wake_fd_, epoll_fd_}) {
      if (fd >= 0) close(fd);
    }
  }

  absl::Status Listen(const sockaddr_storage& address, socklen_t size) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    listen_fd_ = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (epoll_fd_ < 0 || wake_fd_ < 0 || listen_fd_ < 0) return Failed("socket");
    const int on = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
    if (bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), size) != 0) {
      return Failed("bind");
    }
    if (listen(listen_fd_, 4096) != 0) return Failed("listen");
    epoll_event listener{};
    listener.events = EPOLLIN;
    listener.data.u64 = kListenerId;
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.u64 = kWakeId;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listener) != 0 ||
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0) {
      return Failed("epoll_ctl");
    }
    return absl::OkStatus();
  }

  // A turn: whatever epoll_wait returned, then one write per connection with something to send,
  // then the answers to publishes every loop has queued.
  void Run() {
    epoll_event events[256];
    while (!stopping_.load(std::memory_order_relaxed)) {
      const int ready = epoll_wait(epoll_fd_, events, 256, -1);
      if (ready < 0 && errno != EINTR) break;
      for (int i = 0; i < ready; ++i) Dispatch(events[i]);
      for (Connection* connection : flush_list_) {
        connection->in_flush_list = false;
        if (connection->fd >= 0) Write(connection);
      }
      flush_list_.clear();
      for (const std::shared_ptr<Publish>& publish : queued_) {
        if (publish->loops_left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          publish->origin->Answer(publish->connection);
        }
      }
      queued_.clear();
      closed_.clear();
    }
  }

  // From any thread.
  void Enqueue(std::shared_ptr<Publish> publish) {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    const bool was_empty = inbox_publishes_.empty() && inbox_answers_.empty();
    inbox_publishes_.push_back(std::move(publish));
    if (was_empty) Wake();
  }
  void Answer(uint64_t connection) {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    const bool was_empty = inbox_publishes_.empty() && inbox_answers_.empty();
    inbox_answers_.push_back(connection);
    if (was_empty) Wake();
  }
  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof(one));
  }

 private:
  absl::Status Failed(std::string_view what) {
    return absl::UnavailableError(absl::StrCat(Absl(what), ": ", std::strerror(errno)));
  }

  void Dispatch(const epoll_event& event) {
    if (event.data.u64 == kListenerId) return AcceptAll();
    if (event.data.u64 == kWakeId) return DrainInbox();
    auto it = connections_.find(event.data.u64);
    if (it == connections_.end()) return;
    Connection* connection = it->second.get();
    if (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) ReadAll(connection);
    if (connection->fd >= 0 && (event.events & EPOLLOUT) && !connection->unsent.empty()) {
      MarkForFlush(connection);
    }
  }

  void AcceptAll() {
    while (true) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or out of descriptors: the listener stays ready
      const int on = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
      auto connection = std::make_unique<Connection>();
      connection->fd = fd;
      connection->id = next_id_++;
      epoll_event event{};
      event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      event.data.u64 = connection->id;
      if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
        close(fd);
        continue;
      }
      connections_.emplace(connection->id, std::move(connection));
    }
  }

  void DrainInbox() {
    uint64_t count = 0;
    [[maybe_unused]] ssize_t read_bytes = read(wake_fd_, &count, sizeof(count));
    {
      std::lock_guard<std::mutex> lock(inbox_mutex_);
      publishes_.swap(inbox_publishes_);
      answers_.swap(inbox_answers_);
    }
    for (std::shared_ptr<Publish>& publish : publishes_) {
      for (const FloorDelivery& delivery : publish->deliveries) {
        auto subscribers = channels_.find(delivery.channel);
        if (subscribers == channels_.end()) continue;
        for (Connection* subscriber : subscribers->second) {
          subscriber->unsent.append(delivery.frame);
          MarkForFlush(subscriber);
        }
      }
      queued_.push_back(std::move(publish));
    }
    publishes_.clear();
    for (uint64_t id : answers_) {
      auto it = connections_.find(id);
      if (it == connections_.end()) continue;
      Connection* connection = it->second.get();
      connection->awaiting_answer = false;
      Queue(connection, kPublishAnswer);
      Process(connection);
    }
    answers_.clear();
  }

  void ReadAll(Connection* connection) {
    while (connection->fd >= 0) {
      const ssize_t size = read(connection->fd, buffer_.data(), buffer_.size());
      if (size > 0) {
        connection->unread.append(buffer_.data(), static_cast<size_t>(size));
        if (connection->unread.size() > kMaxUnread) return Close(connection);
        Process(connection);
      } else if (size < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (errno == EAGAIN) return;
      } else {
        return Close(connection);  // end of stream or error
      }
    }
  }

  void Process(Connection* connection) {
    while (connection->fd >= 0 && !connection->awaiting_answer) {
      const bool more = connection->websocket ? ReadFrame(connection) : ReadRequest(connection);
      if (!more) return;
    }
  }

  // One HTTP request from the front of `unread`; false when it is not complete yet.
  bool ReadRequest(Connection* connection) {
    std::string& unread = connection->unread;
    const size_t head_end = unread.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    const std::string_view head(unread.data(), head_end);
    const size_t line_end = head.find("\r\n");
    const std::string_view request_line = head.substr(0, line_end);
    const std::string_view method = request_line.substr(0, request_line.find(' '));
    std::string_view target = request_line.substr(std::min(request_line.size(), method.size() + 1));
    target = target.substr(0, target.find(' '));
    target = target.substr(0, target.find('?'));
    size_t content_length = 0;
    std::string websocket_key;
    size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string_view::npos) end = head.size();
      const std::string_view line = head.substr(pos, end - pos);
      pos = end + 2;
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name = absl::AsciiStrToLower(Absl(line.substr(0, colon)));
      const absl::string_view value = absl::StripAsciiWhitespace(Absl(line.substr(colon + 1)));
      if (name == "content-length" && !absl::SimpleAtoi(value, &content_length)) {
        Close(connection);
        return false;
      }
      if (name == "sec-websocket-key") websocket_key = std::string(value);
    }
    const size_t body_start = head_end + 4;
    if (!websocket_key.empty()) {
      unread.erase(0, body_start);
      connection->websocket = true;
      Queue(connection, absl::StrCat("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                     "Connection: Upgrade\r\nSec-WebSocket-Accept: ",
                                     websocket::AcceptKeyFor(websocket_key), "\r\n\r\n"));
      Queue(
          connection,
          ServerFrame(ConnectionEstablishedMessage(absl::StrCat(index_ + 1, ".", connection->id))));
      return true;
    }
    if (content_length > kMaxUnread) {
      Close(connection);
      return false;
    }
    if (unread.size() < body_start + content_length) return false;
    // `method` and `target` point into `unread`: read them before it changes.
    const bool batch = absl::EndsWith(Absl(target), "/batch_events");
    const bool publishes = method == "POST" && (batch || absl::EndsWith(Absl(target), "/events"));
    const bool get = method == "GET";
    const std::string body = unread.substr(body_start, content_length);
    unread.erase(0, body_start + content_length);
    if (!publishes) {
      Queue(connection, get ? HttpAnswer(200, "ok") : HttpAnswer(404, "not found"));
      return true;
    }
    absl::StatusOr<std::vector<FloorDelivery>> deliveries = DeliveriesOfPublish(body, batch);
    if (!deliveries.ok()) {
      Queue(connection, HttpAnswer(400, std::string(deliveries.status().message())));
      return true;
    }
    auto publish = std::make_shared<Publish>();
    publish->deliveries = *std::move(deliveries);
    publish->loops_left.store(loops_.size(), std::memory_order_relaxed);
    publish->origin = this;
    publish->connection = connection->id;
    connection->awaiting_answer = true;
    for (const std::unique_ptr<Loop>& loop : loops_) loop->Enqueue(publish);
    return false;
  }

  // One WebSocket frame from the front of `unread`; false when it is not complete yet.
  bool ReadFrame(Connection* connection) {
    std::string& unread = connection->unread;
    std::optional<WsFrameHeader> header = ParseWsFrameHeader(unread);
    if (!header) return false;
    if (header->payload_length > kMaxUnread) {
      Close(connection);
      return false;
    }
    const size_t length = static_cast<size_t>(header->payload_length);
    if (unread.size() < header->header_length + length) return false;
    char* payload = unread.data() + header->header_length;
    if (header->masked) ApplyWsMask(payload, length, header->mask);
    const std::string_view message(payload, length);
    switch (header->opcode) {
      case kWsText:
        if (std::optional<std::string> channel = SubscribedChannel(message)) {
          Subscribe(connection, *channel);
          Queue(connection, ServerFrame(SubscriptionSucceededMessage(*channel)));
        } else if (IsPusherPing(message)) {
          Queue(connection, ServerFrame(kFloorPongMessage));
        }
        break;
      case kWsPing:
        Queue(connection, ServerFrame(message, kWsPong));
        break;
      case kWsClose:
        connection->unsent.append(ServerFrame(message.substr(0, 2), kWsClose));
        Write(connection);
        Close(connection);
        return false;
      default:
        break;
    }
    unread.erase(0, header->header_length + length);
    return true;
  }

  void Subscribe(Connection* connection, const std::string& channel) {
    if (std::find(connection->channels.begin(), connection->channels.end(), channel) !=
        connection->channels.end()) {
      return;
    }
    connection->channels.push_back(channel);
    channels_[channel].push_back(connection);
  }

  void Queue(Connection* connection, std::string_view bytes) {
    connection->unsent.append(bytes);
    MarkForFlush(connection);
  }

  void MarkForFlush(Connection* connection) {
    if (connection->in_flush_list) return;
    connection->in_flush_list = true;
    flush_list_.push_back(connection);
  }

  // One send() of everything unsent; what the kernel does not take waits for EPOLLOUT.
  void Write(Connection* connection) {
    std::string& unsent = connection->unsent;
    if (unsent.empty()) return;
    const ssize_t sent = send(connection->fd, unsent.data(), unsent.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN && errno != EINTR) return Close(connection);
    if (sent > 0) unsent.erase(0, static_cast<size_t>(sent));
    if (unsent.size() > kMaxUnsent) Close(connection);
  }

  void Close(Connection* connection) {
    if (connection->fd < 0) return;
    close(connection->fd);
    connection->fd = -1;
    for (const std::string& channel : connection->channels) {
      auto it = channels_.find(channel);
      if (it == channels_.end()) continue;
      std::vector<Connection*>& subscribers = it->second;
      auto self = std::find(subscribers.begin(), subscribers.end(), connection);
      if (self != subscribers.end()) {
        *self = subscribers.back();
        subscribers.pop_back();
      }
      if (subscribers.empty()) channels_.erase(it);
    }
    // Freed at the end of the turn: the flush list or a publish being delivered may point to it.
    auto it = connections_.find(connection->id);
    closed_.push_back(std::move(it->second));
    connections_.erase(it);
  }

  const size_t index_;
  const std::vector<std::unique_ptr<Loop>>& loops_;
  const std::atomic<bool>& stopping_;
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  uint64_t next_id_ = kWakeId + 1;
  std::vector<char> buffer_;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::unordered_map<std::string, std::vector<Connection*>> channels_;
  std::vector<Connection*> flush_list_;
  std::vector<std::shared_ptr<Publish>> queued_;
  std::vector<std::unique_ptr<Connection>> closed_;
  std::vector<std::shared_ptr<Publish>> publishes_;
  std::vector<uint64_t> answers_;

  std::mutex inbox_mutex_;
  std::vector<std::shared_ptr<Publish>> inbox_publishes_;
  std::vector<uint64_t> inbox_answers_;
};

absl::StatusOr<std::pair<sockaddr_storage, socklen_t>> ListenAddress(const BenchOptions& options) {
  sockaddr_storage address{};
  if (options.host.find(':') != std::string::npos) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(options.port);
    if (inet_pton(AF_INET6, options.host.c_str(), &v6->sin6_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("bad address ", options.host));
    }
    return std::make_pair(address, static_cast<socklen_t>(sizeof(sockaddr_in6)));
  }
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  v4->sin_family = AF_INET;
  v4->sin_port = htons(options.port);
  if (inet_pton(AF_INET, options.host.c_str(), &v4->sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("bad address ", options.host));
  }
  return std::make_pair(address, static_cast<socklen_t>(sizeof(sockaddr_in)));
}

}  // namespace

absl::Status RunFloorServer(const BenchOptions& options) {
  absl::StatusOr<std::pair<sockaddr_storage, socklen_t>> address = ListenAddress(options);
  if (!address.ok()) return address.status();
  // Only the main thread takes the stop signals; the loops inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::atomic<bool> stopping{false};
  std::vector<std::unique_ptr<Loop>> loops;
  for (uint32_t i = 0; i < options.threads; ++i) {
    loops.push_back(std::make_unique<Loop>(i, loops, stopping));
    if (absl::Status listening = loops.back()->Listen(address->first, address->second);
        !listening.ok()) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options.host, ":",
                                                 options.port, ": ", listening.message()));
    }
  }
  std::vector<std::thread> threads;
  for (auto& loop : loops) threads.emplace_back([&loop] { loop->Run(); });
  std::cout << "realtime-bench floor: listening on ws://" << options.label << " with "
            << options.threads << " loop(s); SIGINT or SIGTERM stops it" << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  stopping.store(true);
  for (auto& loop : loops) loop->Wake();
  for (std::thread& thread : threads) thread.join();
  return absl::OkStatus();
}

}  // namespace gw::bench
