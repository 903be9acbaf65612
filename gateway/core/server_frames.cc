#include "gateway/core/server_frames.h"

#include "absl/strings/str_cat.h"

namespace gw::core {

std::string WatchlistChannelOf(std::string_view user_id) {
  return absl::StrCat("#watchlist-", absl::string_view(user_id.data(), user_id.size()));
}

}  // namespace gw::core
