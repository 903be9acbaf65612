#include "gateway/cluster/presence_feed.h"

#include <utility>

namespace gw::cluster {

std::vector<PresenceFeed::Step> PresenceFeed::OnAnnouncement(uint64_t version,
                                                             core::PresenceView::Change change) {
  std::vector<Step> steps;
  if (syncing_) {
    buffered_.insert_or_assign(version, std::move(change));
    if (buffered_.size() > kMaxBuffered) {
      buffered_.erase(buffered_.begin());
      lost_buffered_ = true;
    }
    return steps;
  }
  if (version <= applied_) return steps;
  if (version > applied_ + 1) needs_resync_ = true;
  applied_ = version;
  steps.push_back({std::nullopt, std::move(change)});
  return steps;
}

std::vector<PresenceFeed::Step> PresenceFeed::OnSnapshot(
    uint64_t version, std::vector<core::PresenceRoster::Member> members) {
  std::vector<Step> steps;
  if (!syncing_) {
    if (version <= applied_) return steps;
    applied_ = version;
    needs_resync_ = false;
    steps.push_back({std::move(members), {}});
    return steps;
  }
  syncing_ = false;
  needs_resync_ = lost_buffered_;
  lost_buffered_ = false;
  applied_ = version;
  steps.push_back({std::move(members), {}});
  for (auto& [buffered_version, change] : buffered_) {
    if (buffered_version <= applied_) continue;
    if (buffered_version > applied_ + 1) needs_resync_ = true;
    applied_ = buffered_version;
    steps.push_back({std::nullopt, std::move(change)});
  }
  buffered_.clear();
  return steps;
}

void PresenceFeed::Resync() {
  syncing_ = true;
  buffered_.clear();
  lost_buffered_ = false;
}

}  // namespace gw::cluster
