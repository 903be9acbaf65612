#include "gateway/service/event_publisher.h"

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gateway/observability/trace_context.h"
#include "gateway/observability/tracer.h"
#include "gateway/pusher/channel_name.h"
#include "gateway/pusher/server_frames.h"

namespace gw::service {
namespace {

// "publish <channel template>" (PRODUCER): a child of the span current on this thread, which
// is the server span of the HTTP request or gRPC call that published (SpanScope).
tracing::Span StartPublishSpan(std::string_view channel) {
  tracing::Tracer& tracer = tracing::GlobalTracer();
  if (!tracer.enabled()) return tracing::Span();
  const std::string_view family = pusher::ChannelTemplate(channel);
  const absl::string_view destination(family.data(), family.size());
  tracing::Span span =
      tracer.StartSpan(absl::StrCat("publish ", destination), tracing::SpanKind::kProducer);
  span.SetAttribute("messaging.system", "pusher");
  span.SetAttribute("messaging.operation.name", "publish");
  span.SetAttribute("messaging.operation.type", "send");
  span.SetAttribute("messaging.operation", "publish");
  span.SetAttribute("messaging.destination.name", family);
  span.SetAttribute("messaging.destination.template", family);
  return span;
}

}  // namespace

bool IsValidSocketId(std::string_view socket_id) {
  size_t dot = socket_id.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == socket_id.size()) return false;
  for (size_t i = 0; i < socket_id.size(); ++i) {
    if (i != dot && !absl::ascii_isdigit(static_cast<unsigned char>(socket_id[i]))) return false;
  }
  return socket_id.size() <= 64;
}

absl::Status EventPublisher::Validate(const core::AppState& app,
                                      const PublishCommand& command) const {
  return ValidateNamed(app, command, "channels");
}

absl::Status EventPublisher::ValidateNamed(const core::AppState& app, const PublishCommand& command,
                                           std::string_view channels_field) const {
  const absl::string_view field(channels_field.data(), channels_field.size());
  const core::AppLimits& limits = app.app().limits;
  if (!app.app().enabled) return absl::PermissionDeniedError("app is disabled");
  if (absl::Status name = pusher::ValidateEventName(command.name); !name.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("name: ", name.message()));
  }
  if (command.channels.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": at least one channel is required"));
  }
  if (command.channels.size() > limits.max_channels_per_event) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", limits.max_channels_per_event,
                     " channels per event, got ", command.channels.size()));
  }
  for (const std::string& channel : command.channels) {
    if (auto traits = pusher::ClassifyChannel(channel); !traits.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", channel, "': ", traits.status().message()));
    }
  }
  if (!command.socket_id.empty() && !IsValidSocketId(command.socket_id)) {
    return absl::InvalidArgumentError("socket_id: expected digits.digits");
  }
  const size_t max_bytes = static_cast<size_t>(limits.max_event_payload_kb) * 1024;
  if (command.data.size() > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("data: ", command.data.size(), " bytes is over the limit of ", max_bytes));
  }
  return absl::OkStatus();
}

void EventPublisher::PublishValidated(core::AppState& app, const PublishCommand& command,
                                      const std::shared_ptr<core::PublishReceipt>& receipt,
                                      size_t first_slot) {
  const auto cache_ttl = std::chrono::seconds(app.app().limits.cache_ttl_seconds);
  size_t slot = first_slot;
  for (const std::string& channel : command.channels) {
    tracing::Span span = StartPublishSpan(channel);
    const auto traits = pusher::ClassifyChannel(channel);
    core::Frame frame = core::MakeFrame(pusher::EventFrame(channel, command.name, command.data));
    span.SetAttribute("messaging.message.body.size", frame->size());
    if (span.recording()) {
      // This node's subscribers: what the span's own delivery reaches.
      span.SetAttribute(
          "messaging.destination.subscriber_count",
          app.channels().Find(channel).value_or(core::ChannelCounts{}).subscription_count);
    }
    core::PublishOptions options;
    options.except_socket_id = command.socket_id;
    options.want_counts = command.want_counts;
    if (traits.ok() && traits->cache) options.cache_ttl = cache_ttl;
    if (span.recording()) options.traceparent = tracing::FormatTraceparent(span.context());
    cluster_.Publish(app, channel, std::move(frame), options, receipt, slot++);
    app.activity().CountPublished();
    if (app.activity().watched()) {
      core::Activity published(core::Activity::Kind::kPublished, "", channel);
      published.event = command.name;
      published.detail = command.door;
      published.data = core::AppActivity::Preview(command.data);
      published.size = command.data.size();
      app.activity().Record(std::move(published));
    }
  }
}

absl::StatusOr<std::shared_ptr<core::PublishReceipt>> EventPublisher::Publish(
    core::AppState& app, const PublishCommand& command) {
  if (absl::Status status = Validate(app, command); !status.ok()) return status;
  if (absl::Status room = fanout_.AdmitPublish(); !room.ok()) return room;
  auto receipt = std::make_shared<core::PublishReceipt>(command.channels.size());
  PublishValidated(app, command, receipt, 0);
  return receipt;
}

absl::StatusOr<std::shared_ptr<core::PublishReceipt>> EventPublisher::PublishBatch(
    core::AppState& app, const std::vector<PublishCommand>& commands, std::string_view list_field) {
  const absl::string_view list(list_field.data(), list_field.size());
  if (commands.size() > app.app().limits.max_batch_size) {
    return absl::InvalidArgumentError(absl::StrCat(list, ": at most ",
                                                   app.app().limits.max_batch_size,
                                                   " events per batch, got ", commands.size()));
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    if (absl::Status status = ValidateNamed(app, commands[i], "channel"); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat(list, "[", i, "].", status.message()));
    }
  }
  // Once for the whole batch: it is acknowledged as one, so it is refused as one.
  if (absl::Status room = fanout_.AdmitPublish(); !room.ok()) return room;
  auto receipt = std::make_shared<core::PublishReceipt>(commands.size());
  // Each event names one channel (validated), so event i fills slot i.
  for (size_t i = 0; i < commands.size(); ++i) PublishValidated(app, commands[i], receipt, i);
  return receipt;
}

}  // namespace gw::service
