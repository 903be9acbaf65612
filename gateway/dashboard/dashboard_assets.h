#ifndef GATEWAY_DASHBOARD_DASHBOARD_ASSETS_H_
#define GATEWAY_DASHBOARD_DASHBOARD_ASSETS_H_

#include <string_view>
#include <vector>

namespace gw::dashboard {

// One file of the dashboard's page, compiled into the binary: the server depends on no file
// beside it and on no network. Generated at build time from assets/ (embed_assets.cmake).
struct DashboardAsset {
  std::string_view name;  // "index.html", "dashboard.js", ...
  std::string_view content_type;
  std::string_view body;
};

// The asset called `name`; null when there is none. Thread-safe (immutable data).
const DashboardAsset* FindDashboardAsset(std::string_view name);
std::vector<std::string_view> DashboardAssetNames();

}  // namespace gw::dashboard

#endif  // GATEWAY_DASHBOARD_DASHBOARD_ASSETS_H_
