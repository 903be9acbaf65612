#include "gateway/cluster/traffic_figures.h"

#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gw::cluster {

std::string EncodeTrafficFigures(const core::TrafficTotals& t) {
  return absl::StrCat(t.connections, " ", t.subscriptions, " ", t.messages_in, " ", t.messages_out,
                      " ", t.published, " ", t.client_events, " ", t.webhooks_sent, " ",
                      t.webhooks_failed);
}

std::optional<WrittenFigures> DecodeTrafficFigures(std::string_view value) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(value.data(), value.size()), ' ');
  if (parts.size() < 9) return std::nullopt;
  WrittenFigures written;
  core::TrafficTotals& t = written.totals;
  uint64_t* const figures[] = {&t.connections,   &t.subscriptions,  &t.messages_in,
                               &t.messages_out,  &t.published,      &t.client_events,
                               &t.webhooks_sent, &t.webhooks_failed};
  if (!absl::SimpleAtoi(parts[0], &written.written_ms)) return std::nullopt;
  for (size_t i = 0; i < 8; ++i) {
    if (!absl::SimpleAtoi(parts[i + 1], figures[i])) return std::nullopt;
  }
  return written;
}

std::vector<core::NodeTraffic> LiveNodeTraffic(const RedisReply& reply, std::string_view self,
                                               int64_t lease_ms) {
  std::vector<core::NodeTraffic> nodes;
  if (!reply.is_array() || reply.elements.size() < 2) return nodes;
  const int64_t now_ms = reply.elements[0].integer;
  const RedisReply& flat = reply.elements[1];
  for (size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    auto written = DecodeTrafficFigures(flat.elements[i + 1].str);
    if (!written) continue;
    // Redis's clock wrote and read it; only a Redis whose clock stepped back gives a negative age.
    const int64_t age_ms = std::max<int64_t>(0, now_ms - written->written_ms);
    if (age_ms > lease_ms) continue;
    const std::string& node = flat.elements[i].str;
    nodes.push_back(
        {.node = node, .self = node == self, .age_ms = age_ms, .totals = written->totals});
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const auto& a, const auto& b) { return a.node < b.node; });
  return nodes;
}

}  // namespace gw::cluster
