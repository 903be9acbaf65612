#include "gateway/webhooks/webhook_dispatcher.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <exception>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gateway/observability/log.h"
#include "gateway/observability/tracer.h"
#include "gateway/pusher/signature.h"
#include "gateway/webhooks/delivery_queue.h"
#include "gateway/webhooks/departure_hold.h"
#include "gateway/webhooks/retry_policy.h"
#include "gateway/webhooks/webhook_connection.h"
#include "gateway/webhooks/webhook_filter.h"
#include "gateway/webhooks/webhook_payload.h"
#include "gateway/webhooks/webhook_url.h"

namespace gw::webhooks {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace obs = gw::observability;
using Kind = core::ChannelEvent::Kind;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// The other half of a leave-and-return pair that DepartureHold drops together.
std::optional<Kind> CounterpartOf(Kind kind) {
  switch (kind) {
    case Kind::kChannelOccupied:
      return Kind::kChannelVacated;
    case Kind::kChannelVacated:
      return Kind::kChannelOccupied;
    case Kind::kMemberAdded:
      return Kind::kMemberRemoved;
    case Kind::kMemberRemoved:
      return Kind::kMemberAdded;
    default:
      return std::nullopt;
  }
}

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != text.npos; }

// The CLIENT span of one webhook POST attempt (a root: events come from connections, not from a
// traced request), its context sent to the receiver as `traceparent`.
tracing::Span StartPostSpan(WebhookConnection::Request& request, const core::App& app,
                            const std::string& url, int attempt, size_t events) {
  tracing::Tracer& tracer = tracing::GlobalTracer();
  if (!tracer.enabled()) return tracing::Span();
  tracing::Span span = tracer.StartSpan("POST", tracing::SpanKind::kClient);
  request.set("traceparent", tracing::FormatTraceparent(span.context()));
  if (!span.recording()) return span;
  span.SetAttribute("http.request.method", "POST");
  if (auto parsed = ParseWebhookUrl(url); parsed.ok()) {
    span.SetAttribute("server.address", parsed->host);
    if (uint32_t port = 0; absl::SimpleAtoi(parsed->port, &port)) {
      span.SetAttribute("server.port", port);
    }
    span.SetAttribute("url.scheme", parsed->tls ? "https" : "http");
  }
  span.SetAttribute("realtime.app_id", app.id);
  span.SetAttribute("realtime.webhook.events", events);
  if (attempt > 1) span.SetAttribute("http.request.resend_count", attempt - 1);
  return span;
}

void EndPostSpan(tracing::Span& span, const WebhookConnection::Result& result) {
  if (result.status != 0) span.SetAttribute("http.response.status_code", result.status);
  if (!result.ok()) {
    span.SetAttribute("error.type", result.status != 0 ? std::to_string(result.status)
                                                       : std::string("transport"));
    span.SetStatus(tracing::SpanStatus::kError, result.error);
  }
  span.End();
}

}  // namespace

// One configured webhook of one app. Everything but filter() is used on the dispatcher's thread
// only.
class WebhookDispatcher::Endpoint {
 public:
  Endpoint(WebhookDispatcher& dispatcher, core::AppState& state, const core::WebhookTarget& target,
           WebhookUrl url)
      : dispatcher_(dispatcher),
        state_(state),
        app_(state.app()),
        url_text_(target.url),
        target_(url.target),
        headers_(target.headers),
        filter_(target),
        queue_(dispatcher.limits_.max_queued_events,
               state.app().webhook_batching ? dispatcher.limits_.max_batch_events : 1,
               state.app().webhook_batching ? Clock::duration(dispatcher.limits_.batch_window)
                                    : Clock::duration::zero()),
        connection_(dispatcher.io_, dispatcher.tls_, std::move(url)) {
    retry_.initial = dispatcher.limits_.initial_backoff;
    retry_.max = dispatcher.limits_.max_backoff;
    retry_.give_up_after = dispatcher.limits_.retry_max;
  }

  const WebhookFilter& filter() const { return filter_; }
  bool idle() const { return queue_.empty() && in_flight_ == 0; }
  size_t pending() const { return queue_.size() + in_flight_; }
  const std::string& url() const { return url_text_; }

  void Push(EncodedEvent event, Clock::time_point now) {
    if (queue_.Push(std::move(event), now) > 0) {
      dispatcher_.counters_.dropped.fetch_add(1, std::memory_order_relaxed);
      if (!overflowing_) {
        overflowing_ = true;
        obs::LogWarn(
            "webhook queue full, dropping the oldest events",
            {{"app", app_.id},
             {"url", url_text_},
             {"max_queued_events", static_cast<uint64_t>(dispatcher_.limits_.max_queued_events)}});
      }
    }
    // The sender sleeps while idle or collecting a batch: wake it when there is something new to
    // decide. While a batch is in flight it looks again by itself when that is done.
    if (in_flight_ == 0 && (queue_.size() == 1 || queue_.Ready(now))) wake_.cancel();
  }

  // Shutdown: cut a batching window or a backoff short.
  void Hurry() {
    wake_.cancel();
    retry_timer_.cancel();
  }

  // The sender, one per endpoint, for the dispatcher's whole life.
  asio::awaitable<void> Run() {
    for (;;) {
      if (queue_.empty()) {
        overflowing_ = false;
        dispatcher_.NotifyIfDrained();
        co_await Sleep(wake_, Clock::time_point::max());
        continue;
      }
      if (!dispatcher_.stopping_ && !queue_.Ready(Clock::now())) {
        co_await Sleep(wake_, *queue_.ReadyAt());
        continue;
      }
      co_await Deliver(queue_.TakeBatch());
    }
  }

 private:
  static asio::awaitable<void> Sleep(asio::steady_timer& timer, Clock::time_point until) {
    timer.expires_at(until);
    co_await timer.async_wait(kUseTuple);
  }

  WebhookConnection::Request BuildRequest(std::string body) const {
    WebhookConnection::Request request{http::verb::post, target_, 11};
    // The configured headers first, so none of them can replace what Pusher defines.
    for (const auto& [name, value] : headers_) request.set(name, value);
    request.set(http::field::user_agent, "realtime-gateway");
    request.set(http::field::content_type, "application/json");
    request.set("X-Pusher-Key", app_.key);
    request.set("X-Pusher-Signature", pusher::HmacSha256Hex(app_.secret, body));
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
  }

  // Sends one batch until it is accepted or given up; the same body (and time_ms) every attempt.
  asio::awaitable<void> Deliver(std::vector<EncodedEvent> batch) {
    const size_t events = batch.size();
    in_flight_ = events;
    WebhookConnection::Request request =
        BuildRequest(EncodeWebhookBody(absl::ToUnixMillis(absl::Now()), batch));
    batch.clear();
    Counters& counters = dispatcher_.counters_;
    const Clock::time_point first_attempt = Clock::now();
    for (int attempt = 1;; ++attempt) {
      if (attempt > 1) counters.retries.fetch_add(1, std::memory_order_relaxed);
      tracing::Span span = StartPostSpan(request, app_, url_text_, attempt, events);
      const WebhookConnection::Result result =
          co_await connection_.Post(request, dispatcher_.limits_.request_timeout);
      EndPostSpan(span, result);
      RecordAttempt(result, events);
      if (result.ok()) {
        counters.sent.fetch_add(events, std::memory_order_relaxed);
        break;
      }
      counters.failed_attempts.fetch_add(1, std::memory_order_relaxed);
      obs::LogWarn("webhook delivery failed", {{"app", app_.id},
                                               {"url", url_text_},
                                               {"status", result.status},
                                               {"error", result.error},
                                               {"attempt", attempt},
                                               {"events", static_cast<uint64_t>(events)}});
      const Clock::time_point now = Clock::now();
      std::optional<Clock::duration> wait =
          retry_.NextRetry(attempt, now - first_attempt, dispatcher_.Random());
      if (wait && dispatcher_.stopping_ && now + *wait > dispatcher_.stop_deadline_) {
        wait.reset();
      }
      if (!wait) {
        counters.dropped.fetch_add(events, std::memory_order_relaxed);
        obs::LogError("webhook dropped", {{"app", app_.id},
                                          {"url", url_text_},
                                          {"attempts", attempt},
                                          {"events", static_cast<uint64_t>(events)}});
        break;
      }
      co_await Sleep(retry_timer_, now + *wait);
    }
    in_flight_ = 0;
  }

  // For the dashboard: its chart's totals, and its console while one is open.
  void RecordAttempt(const WebhookConnection::Result& result, size_t events) {
    core::AppActivity& activity = state_.activity();
    activity.CountWebhooks(result.ok() ? events : 0, result.ok() ? 0 : 1);
    if (!activity.watched()) return;
    core::Activity attempt(
        result.ok() ? core::Activity::Kind::kWebhookSent : core::Activity::Kind::kWebhookFailed,
        "");
    attempt.detail = result.ok() ? url_text_
                                 : absl::StrCat(url_text_, ": ",
                                                result.status != 0 ? absl::StrCat(result.status)
                                                                   : result.error);
    attempt.size = events;
    activity.Record(std::move(attempt));
  }

  WebhookDispatcher& dispatcher_;
  core::AppState& state_;
  const core::App& app_;
  const std::string url_text_;
  const std::string target_;  // path and query of the URL
  const std::vector<std::pair<std::string, std::string>> headers_;
  const WebhookFilter filter_;
  RetryPolicy retry_;
  DeliveryQueue queue_;
  WebhookConnection connection_;
  asio::steady_timer wake_{dispatcher_.io_};
  asio::steady_timer retry_timer_{dispatcher_.io_};
  size_t in_flight_ = 0;      // events of the batch being sent or retried
  bool overflowing_ = false;  // the queue-full warning is logged once per episode
};

// What the dispatcher keeps of one app with webhooks.
struct WebhookDispatcher::AppWebhooks {
  AppWebhooks(core::AppState& state, const WebhookLimits& limits)
      : state(state), hold(limits.vacate_delay, limits.max_queued_events) {}

  // Whether some endpoint may send something for this event, or for its counterpart: the hold
  // must see both halves of a page reload to drop the half a webhook wants. Reads only what is
  // immutable after Start, so any thread may ask.
  bool Needs(const core::ChannelEvent& event) const {
    if (!AppSendsWebhook(state.app(), event.kind)) return false;
    const std::optional<Kind> counterpart = CounterpartOf(event.kind);
    for (const auto& endpoint : endpoints) {
      const WebhookFilter& filter = endpoint->filter();
      if (!filter.WantsChannel(event.channel)) continue;
      if (filter.WantsKind(event.kind) || (counterpart && filter.WantsKind(*counterpart))) {
        return true;
      }
    }
    return false;
  }

  core::AppState& state;
  DepartureHold hold;  // the dispatcher's thread only
  std::vector<std::unique_ptr<Endpoint>> endpoints;
  std::shared_ptr<Sink> sink;
};

// Registered with an app's EventHub: runs on whatever thread emits, maybe under the channel
// registry's lock, so it only filters and copies.
class WebhookDispatcher::Sink final : public core::EventWatcher {
 public:
  Sink(WebhookDispatcher& dispatcher, AppWebhooks& app) : dispatcher_(dispatcher), app_(app) {}
  void OnEvent(const core::ChannelEvent& event) override {
    if (app_.Needs(event)) dispatcher_.Enqueue(app_, event);
  }

 private:
  WebhookDispatcher& dispatcher_;
  AppWebhooks& app_;
};

WebhookDispatcher::WebhookDispatcher(const core::AppDirectory& apps, WebhookLimits limits,
                                     std::string extra_ca_pem)
    : directory_(apps), limits_(limits), random_(std::random_device{}()) {
  boost::system::error_code error;
  tls_.set_default_verify_paths(error);
  if (error) {
    obs::LogWarn("webhooks: no system CA store", {{"error", error.message()}});
  }
  tls_.set_verify_mode(asio::ssl::verify_peer);
  if (!extra_ca_pem.empty()) {
    tls_.add_certificate_authority(asio::buffer(extra_ca_pem), error);
    if (error) obs::LogWarn("webhooks: extra CA refused", {{"error", error.message()}});
  }
}

WebhookDispatcher::~WebhookDispatcher() {
  if (started_.load() && !stopped_.load()) Stop(Clock::now());
}

absl::Status WebhookDispatcher::Start() {
  if (started_.exchange(true)) return absl::FailedPreconditionError("already started");
  for (const auto& state : directory_.apps()) {
    const core::App& app = state->app();
    if (app.webhooks.empty()) continue;
    auto entry = std::make_unique<AppWebhooks>(*state, limits_);
    for (size_t i = 0; i < app.webhooks.size(); ++i) {
      const core::WebhookTarget& target = app.webhooks[i];
      const std::string where = absl::StrCat("app ", app.id, " webhooks[", i, "]");
      absl::StatusOr<WebhookUrl> url = ParseWebhookUrl(target.url);
      if (!url.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".url \"", target.url, "\": ", url.status().message()));
      }
      for (const auto& [name, value] : target.headers) {
        if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
            name.find(':') != std::string::npos) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ".headers: \"", name, "\" cannot be sent as a header"));
        }
      }
      entry->endpoints.push_back(
          std::make_unique<Endpoint>(*this, *state, target, *std::move(url)));
    }
    apps_.push_back(std::move(entry));
  }
  if (apps_.empty()) return absl::OkStatus();

  for (const auto& app : apps_) {
    for (const auto& endpoint : app->endpoints) {
      asio::co_spawn(io_, endpoint->Run(), [url = endpoint->url()](std::exception_ptr failure) {
        if (!failure) return;
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& error) {
          obs::LogError("webhook sender stopped", {{"url", url}, {"error", error.what()}});
        } catch (...) {
          obs::LogError("webhook sender stopped", {{"url", url}});
        }
      });
    }
  }
  work_.emplace(io_.get_executor());
  thread_ = std::thread([this] { io_.run(); });
  {
    absl::MutexLock lock(&inbox_mu_);
    accepting_ = true;
  }
  for (const auto& app : apps_) {
    app->sink = std::make_shared<Sink>(*this, *app);
    app->state.events().Add(app->sink, core::WatchScope::kOncePerCluster);
  }
  size_t endpoints = 0;
  for (const auto& app : apps_) endpoints += app->endpoints.size();
  obs::LogInfo("webhooks", {{"apps", static_cast<uint64_t>(apps_.size())},
                            {"endpoints", static_cast<uint64_t>(endpoints)}});
  return absl::OkStatus();
}

void WebhookDispatcher::Stop(Clock::time_point deadline) {
  if (!started_.load() || stopped_.exchange(true)) return;
  if (!thread_.joinable()) return;  // no app has webhooks
  {
    absl::MutexLock lock(&inbox_mu_);
    accepting_ = false;
  }
  // Once Remove returns, the hub is not inside this sink's OnEvent (it calls under its lock).
  for (const auto& app : apps_) app->state.events().Remove(app->sink.get());
  asio::post(io_, [this, deadline] { BeginStop(deadline); });
  const Clock::duration left = deadline - Clock::now();
  if (left > Clock::duration::zero()) {
    drained_.WaitForNotificationWithTimeout(absl::FromChrono(left));
  }
  work_.reset();
  io_.stop();
  thread_.join();

  // The thread is gone: its state can be read here. Whatever the deadline cut short of being
  // sent (inbox, held departures, queues, batches in flight) is counted as dropped.
  uint64_t left_over = 0;
  {
    absl::MutexLock lock(&inbox_mu_);
    left_over += inbox_.size();
    inbox_.clear();
  }
  for (const auto& app : apps_) {
    left_over += app->hold.held();
    for (const auto& endpoint : app->endpoints) {
      if (endpoint->pending() == 0) continue;
      left_over += endpoint->pending();
      obs::LogWarn("webhooks dropped at shutdown",
                   {{"app", app->state.app().id},
                    {"url", endpoint->url()},
                    {"events", static_cast<uint64_t>(endpoint->pending())}});
    }
  }
  counters_.dropped.fetch_add(left_over, std::memory_order_relaxed);
}

void WebhookDispatcher::Enqueue(AppWebhooks& app, const core::ChannelEvent& event) {
  bool post = false;
  {
    absl::MutexLock lock(&inbox_mu_);
    if (!accepting_) return;
    // The inbox only bridges to the dispatcher's thread; it overflows only if that thread stalls.
    if (inbox_.size() >= limits_.max_queued_events) {
      inbox_.pop_front();
      counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    }
    inbox_.emplace_back(&app, event);
    post = !std::exchange(drain_posted_, true);
  }
  if (post) asio::post(io_, [this] { Drain(); });
}

void WebhookDispatcher::Drain() {
  std::deque<std::pair<AppWebhooks*, core::ChannelEvent>> events;
  {
    absl::MutexLock lock(&inbox_mu_);
    events.swap(inbox_);
    drain_posted_ = false;
  }
  if (events.empty()) return;
  const Clock::time_point now = Clock::now();
  std::vector<core::ChannelEvent> ready;
  for (auto& [app, event] : events) {
    app->hold.Offer(std::move(event), now, &ready);
    for (const core::ChannelEvent& out : ready) Route(*app, out, now);
    ready.clear();
  }
  ArmHoldTimer();
}

void WebhookDispatcher::Route(AppWebhooks& app, const core::ChannelEvent& event,
                              Clock::time_point now) {
  if (!AppSendsWebhook(app.state.app(), event.kind)) return;
  EncodedEvent encoded;
  for (const auto& endpoint : app.endpoints) {
    if (!endpoint->filter().Wants(event)) continue;
    if (!encoded) encoded = std::make_shared<const std::string>(EncodeWebhookEvent(event));
    endpoint->Push(encoded, now);
  }
}

void WebhookDispatcher::ReleaseDue() {
  const Clock::time_point now = Clock::now();
  std::vector<core::ChannelEvent> ready;
  for (const auto& app : apps_) {
    app->hold.Release(now, &ready);
    for (const core::ChannelEvent& out : ready) Route(*app, out, now);
    ready.clear();
  }
  ArmHoldTimer();
}

void WebhookDispatcher::ArmHoldTimer() {
  std::optional<Clock::time_point> next;
  for (const auto& app : apps_) {
    const std::optional<Clock::time_point> due = app->hold.NextRelease();
    if (due && (!next || *due < *next)) next = due;
  }
  // A timer already set for earlier wakes up, releases, and sets itself again.
  if (!next || (hold_timer_at_ && *hold_timer_at_ <= *next)) return;
  hold_timer_at_ = next;
  hold_timer_.expires_at(*next);
  hold_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;  // replaced by an earlier time, or shutdown
    hold_timer_at_.reset();
    ReleaseDue();
  });
}

void WebhookDispatcher::BeginStop(Clock::time_point deadline) {
  stopping_ = true;
  stop_deadline_ = deadline;
  Drain();
  // After the edge has drained, a vacated channel is not coming back to this server.
  const Clock::time_point now = Clock::now();
  std::vector<core::ChannelEvent> ready;
  for (const auto& app : apps_) {
    app->hold.ReleaseAll(&ready);
    for (const core::ChannelEvent& out : ready) Route(*app, out, now);
    ready.clear();
  }
  hold_timer_.cancel();
  for (const auto& app : apps_) {
    for (const auto& endpoint : app->endpoints) endpoint->Hurry();
  }
  NotifyIfDrained();
}

void WebhookDispatcher::NotifyIfDrained() {
  if (!stopping_ || drained_.HasBeenNotified()) return;
  for (const auto& app : apps_) {
    for (const auto& endpoint : app->endpoints) {
      if (!endpoint->idle()) return;
    }
  }
  drained_.Notify();
}

double WebhookDispatcher::Random() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

}  // namespace gw::webhooks
