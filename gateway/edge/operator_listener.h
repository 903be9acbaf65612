#ifndef GATEWAY_EDGE_OPERATOR_LISTENER_H_
#define GATEWAY_EDGE_OPERATOR_LISTENER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "gateway/core/string_map.h"
#include "gateway/edge/http_router.h"

namespace gw::edge {

// The operator's HTTP listener: pages for whoever runs the gateway (/metrics, health, later the
// dashboard), on an address and port of their own (127.0.0.1 by default), so that app ids and
// traffic figures never answer on the public port.
//
// Pages are mounted before Start, by exact path (the query is ignored) or as a tree under a
// prefix; a handler checks the method itself. Every request to a page mounted with Mount must
// carry the configured token ("Authorization: Bearer <token>", or basic auth with the token as
// password) when one is set, else it gets 401. A tree checks credentials of its own instead (the
// dashboard's user and password): a browser sends one Authorization header, so it could not
// carry both. Requests are small: bodies over 64 KiB and headers over 16 KiB are refused, an idle
// connection is closed after 30 s.
//
// Threads: one of its own, so that a slow page never stalls an I/O shard. Handlers run on it,
// one request at a time; they must be safe to call from that thread (the metrics registry is).
// A tree's handler may answer later, from any thread; the connection waits for it meanwhile.
class OperatorListener {
 public:
  // Answers one request; `request` is only valid during the call.
  using Handler = std::function<HttpResponse(const HttpRequest& request)>;
  // Calls `respond` exactly once, now or later from any thread; `request` is only valid until
  // then.
  using TreeHandler = std::function<void(const HttpRequest& request, HttpResponder respond)>;

  // `token` empty = no credential check.
  explicit OperatorListener(std::string token);
  ~OperatorListener();

  // Before Listen. A later Mount of the same path replaces the earlier one.
  void Mount(std::string path, Handler handler);
  // Every path that is `prefix` or starts with `prefix` + "/" (before Listen; one tree).
  void MountTree(std::string prefix, TreeHandler handler);

  absl::Status Listen(const std::string& host, uint16_t port);
  uint16_t port() const { return port_; }
  void Start();
  // Stops accepting and answering; joins the thread. Idempotent.
  void Stop();

 private:
  class Session;
  void Accept();
  // Calls `respond` with the handler's answer, or 401 / 404.
  void Answer(const HttpRequest& request, HttpResponder respond) const;

  const std::string token_;
  core::StringMap<Handler> routes_;
  std::string tree_prefix_;
  TreeHandler tree_;
  boost::asio::io_context io_context_{1};
  boost::asio::ip::tcp::acceptor acceptor_{io_context_};
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_OPERATOR_LISTENER_H_
