// The HTTP API publisher: `concurrency` lanes on one io_context, each a TCP connection with one
// signed POST /apps/ID/events in flight.

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>
#include <ctime>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/bench/monotonic_clock.h"
#include "clients/bench/publisher.h"
#include "clients/bench/pusher_frames.h"
#include "clients/bench/wire_format.h"
#include "gateway/pusher/http_signature.h"

namespace gw::bench {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

constexpr size_t kInitialBuffer = 4096;
constexpr size_t kMaxResponse = 1024 * 1024;

// Percent-encodes a query value (signature parameters are hex and digits; app keys may not be).
void AppendQueryValue(std::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : value) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out->push_back(c);
    } else {
      out->push_back('%');
      out->push_back(kHex[static_cast<uint8_t>(c) >> 4]);
      out->push_back(kHex[static_cast<uint8_t>(c) & 15]);
    }
  }
}

struct RunState {
  RunState(const PublishJob& job, PublishProgress& progress, const BenchOptions& options)
      : job(job), progress(progress), options(options) {}

  const PublishJob& job;
  PublishProgress& progress;
  const BenchOptions& options;
  tcp::endpoint server;
  std::string host_header;
  std::string path;  // /apps/ID/events, or /apps/ID/batch_events for batches
  PublishTotals totals;
  uint64_t next_index = 0;
  bool first_sent = false;
  // Set past the deadline's grace: lanes stop wherever they are, requests in flight fail.
  bool aborted = false;
};

// How long after the deadline a request may still be answered before it counts as failed.
constexpr std::chrono::seconds kResponseGrace{5};

void Add(std::atomic<uint64_t>& counter, uint64_t count) {
  counter.store(counter.load(std::memory_order_relaxed) + count, std::memory_order_relaxed);
}

// One connection with one request in flight. Lives on the run's io_context thread only.
class HttpLane {
 public:
  HttpLane(asio::io_context& context, RunState& run)
      : run_(run), socket_(context), timer_(context), buffer_(new char[kInitialBuffer]) {}

  void Next() {
    if (run_.aborted) return;
    const PublishJob& job = run_.job;
    const int64_t now = MonotonicNanos();
    if (run_.next_index >= job.max_messages || now >= job.deadline_ns) return Finish();
    if (job.pacer.paced()) {
      const int64_t due = job.pacer.DueAt(run_.next_index);
      if (due >= job.deadline_ns) return Finish();
      if (due > now) {
        timer_.expires_at(MonotonicTimePoint(due));
        timer_.async_wait([this](const error_code& ec) {
          if (!ec) Next();
        });
        return;
      }
    }
    index_ = run_.next_index;
    count_ = static_cast<uint32_t>(std::min<uint64_t>(job.batch, job.max_messages - index_));
    run_.next_index += count_;
    BuildRequest(now);
    if (!run_.first_sent) {
      run_.first_sent = true;
      run_.totals.first_send_ns = now;
    }
    run_.totals.attempted += count_;
    Add(run_.progress.attempted, count_);
    sent_ns_ = now;
    in_flight_ = true;
    if (!socket_.is_open()) return Connect();
    Write();
  }

  // Ends the lane now; a request still in flight counts as failed.
  void Abort() {
    timer_.cancel();
    if (in_flight_) Count("no response by the deadline");
    in_flight_ = false;
    Close();
  }

 private:
  size_t ChannelOf(uint64_t index) const { return index % run_.job.channels.size(); }

  void BuildRequest(int64_t now) {
    if (run_.job.batch == 1) {
      (run_.job.json_payload ? WriteTimedJsonPayload : WriteTimedPayload)(
          index_, now, run_.job.payload_bytes, &payloads_[0]);
      WritePublishBody(run_.job.channels[ChannelOf(index_)], payloads_[0], &body_);
    } else {
      payloads_.resize(std::max<size_t>(payloads_.size(), count_));
      std::vector<std::pair<std::string_view, std::string_view>> events;
      for (uint32_t i = 0; i < count_; ++i) {
        (run_.job.json_payload ? WriteTimedJsonPayload : WriteTimedPayload)(
            index_ + i, now, run_.job.payload_bytes, &payloads_[i]);
        events.emplace_back(run_.job.channels[ChannelOf(index_ + i)], payloads_[i]);
      }
      WriteBatchPublishBody(events, &body_);
    }
    const int64_t unix_seconds = static_cast<int64_t>(std::time(nullptr));
    std::vector<std::pair<std::string, std::string>> query = pusher::SignHttpApiRequest(
        "POST", run_.path, {}, body_, run_.options.key, run_.options.secret, unix_seconds);
    request_.clear();
    request_.append("POST ").append(run_.path);
    char separator = '?';
    for (const auto& [key, value] : query) {
      request_.push_back(separator);
      separator = '&';
      request_.append(key).push_back('=');
      AppendQueryValue(value, &request_);
    }
    request_.append(" HTTP/1.1\r\nHost: ").append(run_.host_header);
    request_.append("\r\nContent-Type: application/json\r\nContent-Length: ");
    request_.append(std::to_string(body_.size())).append("\r\n\r\n").append(body_);
  }

  void Connect() {
    error_code ec;
    socket_.open(run_.server.protocol(), ec);
    if (ec) return Failed(absl::StrCat("socket: ", ec.message()));
    socket_.async_connect(run_.server, [this](const error_code& ec) {
      if (ec) return Failed(absl::StrCat("connect: ", ec.message()));
      error_code ignored;
      socket_.set_option(tcp::no_delay(true), ignored);
      Write();
    });
  }

  void Write() {
    asio::async_write(socket_, asio::buffer(request_), [this](const error_code& ec, size_t) {
      if (ec) return Failed(absl::StrCat("write: ", ec.message()));
      filled_ = 0;
      Read();
    });
  }

  void Read() {
    if (filled_ == capacity_) {
      if (capacity_ >= kMaxResponse) return Failed("response too large");
      auto bigger = std::make_unique<char[]>(capacity_ * 2);
      std::memcpy(bigger.get(), buffer_.get(), filled_);
      buffer_ = std::move(bigger);
      capacity_ *= 2;
    }
    socket_.async_read_some(asio::buffer(buffer_.get() + filled_, capacity_ - filled_),
                            [this](const error_code& ec, size_t bytes) {
                              if (ec) return Failed(absl::StrCat("read: ", ec.message()));
                              filled_ += bytes;
                              std::optional<HttpResponseHead> head =
                                  ParseHttpResponseHead(std::string_view(buffer_.get(), filled_));
                              if (!head) return Read();
                              if (head->status == 0 || head->chunked)
                                return Failed("unreadable HTTP response");
                              if (filled_ < head->head_length + head->content_length) return Read();
                              Done(*head);
                            });
  }

  void Done(const HttpResponseHead& head) {
    in_flight_ = false;
    const int64_t now = MonotonicNanos();
    run_.totals.request_latency.Record(now - sent_ns_);
    run_.totals.last_done_ns = now;
    if (head.status >= 200 && head.status < 300) {
      run_.totals.accepted += count_;
      for (uint32_t i = 0; i < count_; ++i)
        ++run_.totals.accepted_per_channel[ChannelOf(index_ + i)];
      Add(run_.progress.accepted, count_);
      consecutive_failures_ = 0;
    } else {
      Count(absl::StrCat("HTTP ", head.status));
    }
    if (!head.keep_alive) Close();
    Next();
  }

  void Failed(std::string reason) {
    in_flight_ = false;
    if (run_.aborted) return;
    run_.totals.last_done_ns = MonotonicNanos();
    Count(std::move(reason));
    Close();
    // A server that refuses connections would otherwise be hammered in a tight loop.
    if (++consecutive_failures_ > 1) {
      timer_.expires_after(std::chrono::milliseconds(std::min(consecutive_failures_, 100)));
      timer_.async_wait([this](const error_code& ec) {
        if (!ec) Next();
      });
      return;
    }
    Next();
  }

  // A failed request fails every event in it.
  void Count(std::string reason) {
    run_.totals.failed += count_;
    Add(run_.progress.failed, count_);
    ++run_.totals.failures[std::move(reason)];
  }

  void Close() {
    error_code ignored;
    socket_.close(ignored);
  }

  void Finish() { Close(); }

  RunState& run_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = kInitialBuffer;
  size_t filled_ = 0;
  std::vector<std::string> payloads_ = std::vector<std::string>(1);
  std::string body_;
  std::string request_;
  uint64_t index_ = 0;  // the first message of the request in flight
  uint32_t count_ = 0;  // messages in it
  int64_t sent_ns_ = 0;
  int consecutive_failures_ = 0;
  bool in_flight_ = false;
};

class HttpPublisher : public Publisher {
 public:
  explicit HttpPublisher(const BenchOptions& options) : options_(options) {}

  PublishTotals Run(const PublishJob& job, PublishProgress& progress) override {
    asio::io_context context(1);
    RunState run(job, progress, options_);
    run.server = tcp::endpoint(asio::ip::make_address(options_.host), options_.port);
    run.host_header = options_.host.find(':') != std::string::npos
                          ? absl::StrCat("[", options_.host, "]:", options_.port)
                          : absl::StrCat(options_.host, ":", options_.port);
    run.path = absl::StrCat("/apps/", options_.app_id, job.batch > 1 ? "/batch_events" : "/events");
    run.totals.accepted_per_channel.assign(job.channels.size(), 0);
    std::vector<std::unique_ptr<HttpLane>> lanes;
    for (uint32_t i = 0; i < job.concurrency; ++i) {
      lanes.push_back(std::make_unique<HttpLane>(context, run));
      asio::post(context, [lane = lanes.back().get()] { lane->Next(); });
    }
    context.run_until(MonotonicTimePoint(job.deadline_ns) + kResponseGrace);
    if (!context.stopped()) {
      // Requests still unanswered past the grace: fail them rather than wait on the server.
      run.aborted = true;
      for (auto& lane : lanes) lane->Abort();
      context.run();
    }
    return std::move(run.totals);
  }

 private:
  const BenchOptions& options_;
};

}  // namespace

std::unique_ptr<Publisher> MakeHttpPublisher(const BenchOptions& options) {
  return std::make_unique<HttpPublisher>(options);
}

}  // namespace gw::bench
