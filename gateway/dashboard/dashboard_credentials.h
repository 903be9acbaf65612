#ifndef GATEWAY_DASHBOARD_DASHBOARD_CREDENTIALS_H_
#define GATEWAY_DASHBOARD_DASHBOARD_CREDENTIALS_H_

#include <string>
#include <string_view>

namespace gw::dashboard {

// The dashboard's user name and password, checked against a request's HTTP basic authorization
// (RFC 7617), which every browser asks for by itself when a page answers 401 with
// `WWW-Authenticate: Basic` and then sends with every request to the same origin. Both are
// compared in constant time. Thread-safe (immutable).
class DashboardCredentials {
 public:
  DashboardCredentials(std::string user, std::string password)
      : user_(std::move(user)), password_(std::move(password)) {}

  // `authorization`: the request's Authorization header ("" when it has none).
  bool Accepts(std::string_view authorization) const;
  // The WWW-Authenticate value of a 401.
  static constexpr std::string_view kChallenge =
      "Basic realm=\"realtime-gateway dashboard\", charset=\"UTF-8\"";

 private:
  std::string user_;
  std::string password_;
};

}  // namespace gw::dashboard

#endif  // GATEWAY_DASHBOARD_DASHBOARD_CREDENTIALS_H_
