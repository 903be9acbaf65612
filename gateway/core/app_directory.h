#ifndef GATEWAY_CORE_APP_DIRECTORY_H_
#define GATEWAY_CORE_APP_DIRECTORY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/string_map.h"
#include "absl/status/statusor.h"
#include "gateway/core/app.h"
#include "gateway/core/app_state.h"

namespace gw::core {

// Every configured app, found by key (WebSocket path) or id (HTTP API path). Built once at start
// and never changed, so lookups need no lock.
class AppDirectory {
 public:
  // InvalidArgument on an empty or duplicate id or key.
  static absl::StatusOr<std::unique_ptr<AppDirectory>> Create(std::vector<App> apps,
                                                              size_t shard_count);

  AppState* FindByKey(std::string_view key) const;
  AppState* FindById(std::string_view id) const;
  const std::vector<std::unique_ptr<AppState>>& apps() const { return apps_; }

 private:
  AppDirectory() = default;
  std::vector<std::unique_ptr<AppState>> apps_;
  StringMap<AppState*> by_key_;
  StringMap<AppState*> by_id_;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_APP_DIRECTORY_H_
