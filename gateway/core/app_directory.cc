#include "gateway/core/app_directory.h"

#include "absl/strings/str_cat.h"

namespace gw::core {

absl::StatusOr<std::unique_ptr<AppDirectory>> AppDirectory::Create(std::vector<App> apps,
                                                                   size_t shard_count) {
  std::unique_ptr<AppDirectory> directory(new AppDirectory());
  for (App& app : apps) {
    if (app.id.empty() || app.key.empty() || app.secret.empty()) {
      return absl::InvalidArgumentError("every app needs a non-empty id, key and secret");
    }
    auto state = std::make_unique<AppState>(std::move(app), shard_count);
    AppState* raw = state.get();
    if (!directory->by_id_.emplace(raw->app().id, raw).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate app id '", raw->app().id, "'"));
    }
    if (!directory->by_key_.emplace(raw->app().key, raw).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate app key '", raw->app().key, "'"));
    }
    directory->apps_.push_back(std::move(state));
  }
  return directory;
}

AppState* AppDirectory::FindByKey(std::string_view key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : it->second;
}

AppState* AppDirectory::FindById(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

}  // namespace gw::core
