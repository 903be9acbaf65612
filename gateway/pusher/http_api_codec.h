#ifndef GATEWAY_PUSHER_HTTP_API_CODEC_H_
#define GATEWAY_PUSHER_HTTP_API_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace gw::pusher {

// Which counts a caller asked for with `info=` (comma-separated).
struct InfoRequest {
  bool subscription_count = false;
  bool user_count = false;
};
// Unknown attributes are ignored, as Pusher does.
InfoRequest ParseInfo(std::string_view info);

// One event of POST /apps/{id}/events or of a batch. Shape is checked here (types, required
// fields, `channel` or `channels`); names, limits and sizes are checked by the caller.
struct TriggerRequest {
  std::string name;
  std::string data;  // must be a JSON string in the body
  std::vector<std::string> channels;
  std::optional<std::string> socket_id;
  InfoRequest info;
};
// InvalidArgument names the offending field.
absl::StatusOr<TriggerRequest> ParseTriggerBody(std::string_view body);
// {"batch":[{name, channel, data, socket_id?, info?}, ...]}
absl::StatusOr<std::vector<TriggerRequest>> ParseBatchBody(std::string_view body);

// Counts of one channel, as the HTTP API reports them.
struct ChannelCounts {
  uint32_t subscription_count = 0;
  std::optional<uint32_t> user_count;  // presence channels only
};

// Responses. Attributes are emitted only where `info` asked for them.
std::string EncodeTriggerResponse(
    const InfoRequest& info, const std::vector<std::pair<std::string, ChannelCounts>>& channels);
// {"batch":[{attrs}, ...]} with one entry per event, or {} when no event asked for info.
std::string EncodeBatchResponse(const std::vector<InfoRequest>& infos,
                                const std::vector<ChannelCounts>& counts);
// GET /channels: {"channels":{"name":{attrs}}}
std::string EncodeChannelsResponse(
    const InfoRequest& info, const std::vector<std::pair<std::string, ChannelCounts>>& channels);
// GET /channels/{name}: {"occupied":bool, "subscription_count"?, "user_count"?}
std::string EncodeChannelResponse(const InfoRequest& info, const ChannelCounts& counts);
// GET /channels/{name}/users: {"users":[{"id":".."},...]}
std::string EncodeUsersResponse(const std::vector<std::string>& user_ids);
// {"error":"<message>"} for every non-2xx answer.
std::string EncodeErrorResponse(std::string_view message);

}  // namespace gw::pusher

#endif  // GATEWAY_PUSHER_HTTP_API_CODEC_H_
