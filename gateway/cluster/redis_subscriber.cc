#include "gateway/cluster/redis_subscriber.h"

#include <boost/asio/post.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/cluster/redis_command.h"

namespace gw::cluster {
namespace {

// SUBSCRIBE batches are written while less than this waits for the socket; the rest follow as
// the socket drains (OnWritten), so the set of wanted channels, not a queue of commands, holds
// what is still to send.
constexpr size_t kFlushWatermark = 256 * 1024;

bool IsFrame(const RedisReply& reply, std::string_view kind, size_t size) {
  return reply.is_array() && reply.elements.size() == size && reply.elements[0].is_string() &&
         reply.elements[0].str == kind;
}

}  // namespace

std::shared_ptr<RedisSubscriber> RedisSubscriber::Create(boost::asio::io_context& io,
                                                         RedisOptions options, Handlers handlers) {
  return std::make_shared<RedisSubscriber>(io, std::move(options), std::move(handlers));
}

RedisSubscriber::RedisSubscriber(boost::asio::io_context& io, RedisOptions options,
                                 Handlers handlers)
    : RedisSession(io, std::move(options)), handlers_(std::move(handlers)) {}

void RedisSubscriber::Stop() {
  stopped_ = true;
  Shutdown();
}

void RedisSubscriber::Subscribe(std::string_view channel) {
  Entry& entry = *channels_.try_emplace(channel).first;
  if (entry.second.wanted) return;
  entry.second.wanted = true;
  ++wanted_;
  MarkDirty(entry);
}

void RedisSubscriber::Unsubscribe(std::string_view channel) {
  const auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.wanted) return;
  it->second.wanted = false;
  it->second.confirmed = false;
  --wanted_;
  MarkDirty(*it);
}

bool RedisSubscriber::IsWanted(std::string_view channel) const {
  const auto it = channels_.find(channel);
  return it != channels_.end() && it->second.wanted;
}

bool RedisSubscriber::IsConfirmed(std::string_view channel) const {
  const auto it = channels_.find(channel);
  return it != channels_.end() && it->second.wanted && it->second.confirmed;
}

void RedisSubscriber::MarkDirty(Entry& entry) {
  if (!entry.second.queued) {
    entry.second.queued = true;
    dirty_.push_back(&entry);
  }
  ScheduleFlush();
}

void RedisSubscriber::ScheduleFlush() {
  if (flush_scheduled_ || !ready()) return;
  flush_scheduled_ = true;
  // Once per turn: every Subscribe of this turn goes into the same batches.
  boost::asio::post(io(), [weak = weak_from_this()] {
    const std::shared_ptr<RedisSession> self = weak.lock();
    if (self == nullptr) return;
    auto& subscriber = static_cast<RedisSubscriber&>(*self);
    subscriber.flush_scheduled_ = false;
    subscriber.Flush();
  });
}

void RedisSubscriber::Flush() {
  std::vector<Entry*> subscribe;
  std::vector<Entry*> unsubscribe;
  std::vector<std::string> owed;  // confirmations, made after the loop (handlers may re-enter)
  while (!dirty_.empty() && ready() && queued_bytes() < kFlushWatermark) {
    Entry& entry = *dirty_.front();
    dirty_.pop_front();
    Channel& channel = entry.second;
    channel.queued = false;
    if (channel.wanted != channel.on_server) {
      std::vector<Entry*>& batch = channel.wanted ? subscribe : unsubscribe;
      batch.push_back(&entry);
      if (batch.size() == kMaxChannelsPerCommand) {
        WriteBatch(channel.wanted ? "SUBSCRIBE" : "UNSUBSCRIBE", batch);
      }
    } else if (channel.wanted && !channel.confirmed && channel.in_flight == 0) {
      // Unsubscribed and wanted again before the UNSUBSCRIBE left: Redis never stopped.
      channel.confirmed = true;
      owed.push_back(entry.first);
    } else if (!channel.wanted && channel.in_flight == 0) {
      EraseIfIdle(channels_.find(entry.first));
    }
  }
  if (ready()) {
    WriteBatch("SUBSCRIBE", subscribe);
    WriteBatch("UNSUBSCRIBE", unsubscribe);
  }
  for (const std::string& channel : owed) {
    if (stopped_ || !ready()) break;
    if (IsConfirmed(channel) && handlers_.on_subscribed) handlers_.on_subscribed(channel);
  }
}

void RedisSubscriber::WriteBatch(std::string_view command, std::vector<Entry*>& batch) {
  if (batch.empty()) return;
  std::vector<std::string_view> args;
  args.reserve(batch.size() + 1);
  args.push_back(command);
  for (Entry* entry : batch) {
    entry->second.on_server = entry->second.wanted;
    ++entry->second.in_flight;
    args.push_back(entry->first);
  }
  Write(RedisCommand::Format(args));
  RedisCounters::Add(mutable_counters().commands_sent);
  batch.clear();
}

void RedisSubscriber::OnReply(RedisReply& reply) {
  if (IsFrame(reply, "message", 3)) {
    const std::string_view channel = reply.elements[1].str;
    if (!IsWanted(channel)) {
      RedisCounters::Add(mutable_counters().messages_ignored);
      return;
    }
    RedisCounters::Add(mutable_counters().messages);
    if (!stopped_ && handlers_.on_message) handlers_.on_message(channel, reply.elements[2].str);
    return;
  }
  if (IsFrame(reply, "subscribe", 3)) return OnSubscribeReply(reply.elements[1].str);
  if (IsFrame(reply, "unsubscribe", 3)) return OnUnsubscribeReply(reply.elements[1].str);
  // PING's answer: ["pong", ""] while subscribed, +PONG while not.
  if (IsFrame(reply, "pong", 2) ||
      (reply.type == RedisReply::Type::kStatus && reply.str == "PONG")) {
    return;
  }
  if (reply.is_error()) {
    // Redis refused a SUBSCRIBE (e.g. NOPERM from an ACL): which channels it named is lost, so
    // start over on a new link; the warning says why.
    return DropLink(absl::FailedPreconditionError(
        absl::StrCat("redis ", options().url.Address(), ": pub/sub command refused: ", reply.str)));
  }
  RedisCounters::Add(mutable_counters().messages_ignored);
}

void RedisSubscriber::OnSubscribeReply(std::string_view name) {
  const auto it = channels_.find(name);
  if (it == channels_.end() || it->second.in_flight == 0) {
    RedisCounters::Add(mutable_counters().messages_ignored);
    return;
  }
  Channel& channel = it->second;
  --channel.in_flight;
  if (channel.in_flight == 0 && channel.wanted && channel.on_server && !channel.confirmed) {
    channel.confirmed = true;
    if (!stopped_ && handlers_.on_subscribed) handlers_.on_subscribed(name);
  }
}

void RedisSubscriber::OnUnsubscribeReply(std::string_view name) {
  const auto it = channels_.find(name);
  if (it == channels_.end() || it->second.in_flight == 0) {
    RedisCounters::Add(mutable_counters().messages_ignored);
    return;
  }
  --it->second.in_flight;
  EraseIfIdle(it);
}

void RedisSubscriber::EraseIfIdle(ChannelMap::iterator it) {
  const Channel& channel = it->second;
  if (!channel.wanted && !channel.queued && channel.in_flight == 0) channels_.erase(it);
}

void RedisSubscriber::OnReady() {
  for (Entry& entry : channels_) {
    if (entry.second.wanted && !entry.second.queued) {
      entry.second.queued = true;
      dirty_.push_back(&entry);
    }
  }
  if (!stopped_ && handlers_.on_connected) handlers_.on_connected();
  ScheduleFlush();
}

void RedisSubscriber::OnDown(const absl::Status& why) {
  // The new link starts with nothing subscribed; what is not wanted is forgotten.
  dirty_.clear();
  for (auto it = channels_.begin(); it != channels_.end();) {
    Channel& channel = it->second;
    if (!channel.wanted) {
      channels_.erase(it++);
      continue;
    }
    channel = Channel{.wanted = true};
    ++it;
  }
  if (!stopped_ && handlers_.on_disconnected) handlers_.on_disconnected(why);
}

void RedisSubscriber::OnPingDue() { Write(RedisCommand::Format({"PING"})); }

void RedisSubscriber::OnWritten() {
  if (!dirty_.empty()) ScheduleFlush();
}

}  // namespace gw::cluster
