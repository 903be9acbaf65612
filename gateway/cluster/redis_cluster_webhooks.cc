// RedisCluster's webhook streams: the once-per-cluster channel events that the scripts add to a
// Redis stream per app, read by the node that sends the webhooks from a cursor kept in Redis, so
// that a sender's death (or its lease's expiry) loses none of them and a new sender resumes where
// the last one stopped. README.md "Webhooks" says why and what stays at-least-once.
#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gateway/cluster/cluster_scripts.h"
#include "gateway/cluster/redis_cluster.h"
#include "gateway/observability/log.h"

namespace gw::cluster {
namespace {

namespace obs = gw::observability;

// Entries per read: one script run of a few hundred microseconds, and no reply too large for a
// burst. The leader reads again at once while a read comes back with entries.
constexpr char kEntriesPerRead[] = "256";

// A stream entry id's time ("<ms>-<seq>", Redis's clock): when the transition happened.
int64_t MillisOf(std::string_view entry_id) {
  int64_t ms = 0;
  const std::string_view digits = entry_id.substr(0, entry_id.find('-'));
  return absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &ms) ? ms : 0;
}

}  // namespace

void RedisCluster::SetUpWebhookStreams() {
  const std::string max_len = std::to_string(options_.webhook_stream_max_len);
  for (const auto& app : apps_.apps()) {
    if (app->app().webhooks.empty()) continue;
    const std::string cursor = names_.WebhookCursor(app->app().id);
    // maxlen last: the scripts add to the stream once it is there, and by then so is the cursor.
    redis_->Command({"HSETNX", cursor, "id", "0-0"});
    redis_->Command({"HSETNX", cursor, "done", "0"});
    redis_->Command({"HSET", cursor, "maxlen", max_len});
  }
}

void RedisCluster::StopReadingWebhookEvents() {
  ++webhook_reading_term_;
  webhook_feeds_.clear();
  counters_.webhook_stream_lag.store(0, std::memory_order_relaxed);
}

void RedisCluster::ReadWebhookEvents(core::AppState& app) {
  if (!leads_webhooks_ || !ready()) return;
  WebhookFeed& feed = webhook_feeds_[&app];
  if (feed.reading) {
    feed.again = true;
    return;
  }
  feed.reading = true;
  feed.again = false;
  const std::string& id = app.app().id;
  const std::string stream = names_.WebhookEvents(id), cursor = names_.WebhookCursor(id);
  const std::string leader = names_.WebhookLeader();
  const std::string done = feed.commit_id.empty() ? "" : std::to_string(feed.commit_done);
  const std::string_view keys[] = {stream, cursor, leader};
  const std::string_view args[] = {node_, kEntriesPerRead, feed.cursor, feed.commit_id, done};
  redis_->Eval(ClusterScripts::Get().webhook_read, keys, args,
               [this, &app, term = webhook_reading_term_](absl::StatusOr<RedisReply> reply) {
                 if (term != webhook_reading_term_) return;  // stopped leading meanwhile
                 auto it = webhook_feeds_.find(&app);
                 if (it == webhook_feeds_.end()) return;
                 it->second.reading = false;
                 if (!reply.ok() || !reply->is_array() || reply->elements.size() < 6 ||
                     reply->elements[0].str != "OK") {
                   // Not the leader (any more), no cursor (Redis lost it: the setup of the next
                   // connection makes one), or no answer: start over from Redis's cursor. A
                   // batch handed over whose commit did not happen is read again by whoever
                   // reads next (at-least-once).
                   webhook_feeds_.erase(&app);
                   return;
                 }
                 OnWebhookEntries(app, *reply);
               });
}

void RedisCluster::OnWebhookEntries(core::AppState& app, const RedisReply& reply) {
  WebhookFeed& feed = webhook_feeds_[&app];
  feed.cursor = reply.elements[1].str;
  feed.commit_id.clear();
  // Lua numbers: integer replies.
  const auto done = static_cast<uint64_t>(std::max<int64_t>(reply.elements[2].integer, 0));
  const auto added = static_cast<uint64_t>(std::max<int64_t>(reply.elements[3].integer, 0));
  const auto trimmed = static_cast<uint64_t>(std::max<int64_t>(reply.elements[5].integer, 0));
  const std::vector<RedisReply>& entries = reply.elements[4].elements;
  if (trimmed > 0) {
    counters_.webhook_events_trimmed.fetch_add(trimmed, std::memory_order_relaxed);
    obs::LogWarn(
        "webhook events trimmed from the stream before they were sent",
        {{"app", app.app().id},
         {"events", trimmed},
         {"webhook_stream_max_len", static_cast<uint64_t>(options_.webhook_stream_max_len)}});
  }
  // A node leaving hands nothing over: it could not commit it, and the next sender reads it.
  if (departing_ || !leads_webhooks_) return;
  uint64_t handed = 0;
  for (const RedisReply& entry : entries) {
    if (!entry.is_array() || entry.elements.size() < 2) continue;
    const std::vector<RedisReply>& fields = entry.elements[1].elements;
    absl::StatusOr<core::ChannelEvent> event = absl::InvalidArgumentError("no message");
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str != "m") continue;
      auto message = DecodeClusterMessage(fields[i + 1].str);
      if (message.ok()) event = ChannelEventOf(*message);
    }
    if (!event.ok()) {
      counters_.messages_foreign.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    event->time_ms = MillisOf(entry.elements[0].str);
    app.events().DeliverTo(core::WatchScope::kOncePerCluster, *event);
    ++handed;
  }
  const uint64_t read = entries.size();
  if (read > 0) {
    feed.commit_id = entries.back().elements.empty() ? "" : entries.back().elements[0].str;
    feed.commit_done = done + read;
  }
  feed.lag = added > done + read ? added - (done + read) : 0;
  counters_.webhook_events_read.fetch_add(handed, std::memory_order_relaxed);
  uint64_t lag = 0;
  for (const auto& [other, other_feed] : webhook_feeds_) lag += other_feed.lag;
  counters_.webhook_stream_lag.store(lag, std::memory_order_relaxed);
  // The next read commits this batch; one comes at once while there is more (or a wake-up
  // arrived meanwhile), so a batch's commit waits one round trip at most.
  if (read > 0 || feed.again) ReadWebhookEvents(app);
}

}  // namespace gw::cluster
