#include "clients/bench/pusher_frames.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace gw::bench {
namespace {

constexpr std::string_view kStampMarker = "rtb:";

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

size_t Find(std::string_view haystack, std::string_view needle, size_t from = 0) {
  if (from > haystack.size()) return std::string_view::npos;
  const void* hit =
      memmem(haystack.data() + from, haystack.size() - from, needle.data(), needle.size());
  if (hit == nullptr) return std::string_view::npos;
  return static_cast<const char*>(hit) - haystack.data();
}

// Reads an unsigned decimal at `*pos`, advancing past it.
template <typename T>
std::optional<T> ReadNumber(std::string_view text, size_t* pos) {
  T value{};
  const char* begin = text.data() + *pos;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin) return std::nullopt;
  *pos = ptr - text.data();
  return value;
}

// Skips the characters between a JSON key and its value as they appear plain (`":"`) or inside
// an escaped string (`\":\"`), plus spaces.
size_t SkipKeyValueSeparator(std::string_view text, size_t pos) {
  while (pos < text.size() &&
         (text[pos] == '"' || text[pos] == '\\' || text[pos] == ':' || text[pos] == ' ')) {
    ++pos;
  }
  return pos;
}

}  // namespace

void WriteTimedPayload(uint64_t seq, int64_t send_ns, size_t payload_bytes, std::string* out) {
  out->clear();
  char digits[48];
  out->append(kStampMarker);
  auto seq_end = std::to_chars(digits, digits + sizeof(digits), seq).ptr;
  out->append(digits, seq_end);
  out->push_back(':');
  auto ns_end = std::to_chars(digits, digits + sizeof(digits), send_ns).ptr;
  out->append(digits, ns_end);
  out->push_back(':');
  if (out->size() < payload_bytes) out->append(payload_bytes - out->size(), 'x');
}

namespace {

// Made-up but plausible chat traffic: names, sentences, ids and timestamps vary per record, as
// they do between the messages of a real room.
constexpr std::string_view kNames[] = {
    "Amelia Hartmann", "Jonas Weber",  "Priya Raman",    "Lucas Oliveira", "Chen Wei",
    "Sofia Rossi",     "Mateo Garcia", "Hannah Mueller", "Olu Adeyemi",    "Yuki Tanaka"};
constexpr std::string_view kSentences[] = {
    "Can you push the fix before the standup?",
    "I moved the meeting to 3pm, the client asked for more time.",
    "The invoice for March is attached, let me know if the totals look right.",
    "Deploy finished, error rate is back to normal.",
    "Who owns the onboarding email copy now?",
    "Lunch at the Thai place on Friday?",
    "I reviewed the PR, two small comments on the migration.",
    "Customer #4411 reported the export is timing out again.",
    "Shipping label printed, parcel goes out tomorrow morning.",
    "Great work on the dashboard, the charts load much faster."};

const std::vector<std::string>& ChatRecords() {
  static const std::vector<std::string>* records = [] {
    auto* list = new std::vector<std::string>();
    for (int i = 0; i < 64; ++i) {
      const int user = (i * 7 + 3) % 10;
      list->push_back(absl::StrFormat(
          R"({"id":%d,"room_id":42,"body":"%s","type":"text","user":{"id":%d,"name":"%s",)"
          R"("avatar_url":"https://cdn.example.com/avatars/%d.jpg"},)"
          R"("created_at":"2024-05-14T09:%02d:%02d.000000Z","reactions":[]})",
          48000 + i, kSentences[(i * 3) % 10], 1900 + user, kNames[user], 1900 + user,
          (i * 13) % 60, (i * 29) % 60));
    }
    return list;
  }();
  return *records;
}

}  // namespace

void WriteTimedJsonPayload(uint64_t seq, int64_t send_ns, size_t payload_bytes, std::string* out) {
  std::string stamp;
  WriteTimedPayload(seq, send_ns, 0, &stamp);
  out->clear();
  out->append(R"({"stamp":")");
  out->append(stamp);
  out->append(R"(","messages":[)");
  constexpr std::string_view kClose = R"(],"note":""})";
  bool first = true;
  for (const std::string& record : ChatRecords()) {
    if (out->size() + 1 + record.size() + kClose.size() > payload_bytes) break;
    if (!first) out->push_back(',');
    out->append(record);
    first = false;
  }
  out->append(R"(],"note":")");
  // The rest is prose, so the size is exact without padding that compresses unlike text.
  for (size_t i = 0; out->size() + 2 < payload_bytes; i = (i + 1) % std::size(kSentences)) {
    const std::string_view sentence = kSentences[i];
    out->append(sentence.substr(0, std::min(sentence.size(), payload_bytes - 2 - out->size())));
    if (out->size() + 2 < payload_bytes) out->push_back(' ');
  }
  out->append("\"}");
}

void AppendJsonEscaped(std::string_view text, std::string* out) {
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out->append(absl::StrFormat("\\u%04x", static_cast<unsigned char>(c)));
    } else {
      out->push_back(c);
    }
  }
}

std::optional<Stamp> FindStamp(std::string_view text) {
  size_t at = Find(text, kStampMarker);
  if (at == std::string_view::npos) return std::nullopt;
  size_t pos = at + kStampMarker.size();
  Stamp stamp;
  std::optional<uint64_t> seq = ReadNumber<uint64_t>(text, &pos);
  if (!seq || pos >= text.size() || text[pos] != ':') return std::nullopt;
  ++pos;
  std::optional<int64_t> send_ns = ReadNumber<int64_t>(text, &pos);
  if (!send_ns || pos >= text.size() || text[pos] != ':') return std::nullopt;
  stamp.seq = *seq;
  stamp.send_ns = *send_ns;
  return stamp;
}

std::optional<std::string_view> FindEventName(std::string_view frame) {
  // Servers put "event" first; a plain (unescaped) `"event"` key cannot occur inside `data`,
  // where every quote is escaped.
  size_t key = Find(frame, "\"event\"");
  if (key == std::string_view::npos) return std::nullopt;
  size_t pos = key + 7;
  while (pos < frame.size() && (frame[pos] == ' ' || frame[pos] == ':')) ++pos;
  if (pos >= frame.size() || frame[pos] != '"') return std::nullopt;
  size_t begin = pos + 1;
  size_t end = frame.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  return frame.substr(begin, end - begin);
}

FrameKind ClassifyFrame(std::string_view frame) {
  std::optional<std::string_view> event = FindEventName(frame);
  if (!event) return FrameKind::kOther;
  if (*event == kBenchEvent || *event == kBenchClientEvent) return FrameKind::kTimed;
  if (*event == "pusher:connection_established") return FrameKind::kConnectionEstablished;
  if (*event == "pusher_internal:subscription_succeeded") return FrameKind::kSubscriptionSucceeded;
  if (*event == "pusher:subscription_error") return FrameKind::kSubscriptionError;
  if (*event == "pusher:ping") return FrameKind::kPing;
  if (*event == "pusher:error") return FrameKind::kError;
  return FrameKind::kOther;
}

std::optional<std::string_view> FindSocketId(std::string_view frame) {
  size_t key = Find(frame, "socket_id");
  if (key == std::string_view::npos) return std::nullopt;
  size_t begin = SkipKeyValueSeparator(frame, key + 9);
  size_t end = begin;
  while (end < frame.size() && ((frame[end] >= '0' && frame[end] <= '9') || frame[end] == '.')) {
    ++end;
  }
  if (end == begin) return std::nullopt;
  return frame.substr(begin, end - begin);
}

std::optional<int> FindErrorCode(std::string_view frame) {
  size_t key = Find(frame, "code");
  // "code" inside a message text would be followed by something other than the separator; keep
  // looking until a key shaped like `code":` (or `code\":`).
  while (key != std::string_view::npos) {
    size_t pos = key + 4;
    if (pos < frame.size() && (frame[pos] == '"' || frame[pos] == '\\')) {
      pos = SkipKeyValueSeparator(frame, pos);
      return ReadNumber<int>(frame, &pos);
    }
    key = Find(frame, "code", key + 4);
  }
  return std::nullopt;
}

std::string SubscribeMessage(std::string_view channel, std::string_view auth,
                             std::string_view channel_data) {
  std::string message =
      absl::StrCat(R"({"event":"pusher:subscribe","data":{"channel":")", Absl(channel), "\"");
  if (!auth.empty()) absl::StrAppend(&message, R"(,"auth":")", Absl(auth), "\"");
  if (!channel_data.empty()) {
    // channel_data is a JSON string holding JSON: escape its quotes and backslashes.
    message += R"(,"channel_data":")";
    for (char c : channel_data) {
      if (c == '"' || c == '\\') message.push_back('\\');
      message.push_back(c);
    }
    message.push_back('"');
  }
  message += "}}";
  return message;
}

void WriteClientEvent(std::string_view channel, std::string_view payload, std::string* out) {
  out->clear();
  out->append(R"({"event":"client-bench","channel":")");
  out->append(channel);
  out->append(R"(","data":")");
  AppendJsonEscaped(payload, out);
  out->append("\"}");
}

void WritePublishBody(std::string_view channel, std::string_view payload, std::string* out) {
  out->clear();
  out->append(R"({"name":"bench","channels":[")");
  out->append(channel);
  out->append(R"("],"data":")");
  AppendJsonEscaped(payload, out);
  out->append("\"}");
}

void WriteBatchPublishBody(const std::vector<std::pair<std::string_view, std::string_view>>& events,
                           std::string* out) {
  out->clear();
  out->append(R"({"batch":[)");
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(R"({"name":"bench","channel":")");
    out->append(events[i].first);
    out->append(R"(","data":")");
    AppendJsonEscaped(events[i].second, out);
    out->append("\"}");
  }
  out->append("]}");
}

}  // namespace gw::bench
