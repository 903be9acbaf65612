#ifndef GATEWAY_SESSION_CONNECTION_TRANSPORT_H_
#define GATEWAY_SESSION_CONNECTION_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "gateway/core/frame.h"
#include "gateway/core/subscriber.h"

namespace gw::session {

// What the Pusher rules need of the connection they run on. edge::WsSession implements it over
// a WebSocket; tests implement it over a recorder. Called only on the connection's shard thread.
class ConnectionTransport {
 public:
  virtual ~ConnectionTransport() = default;
  // Queues a text frame for the client. Never blocks; over the write cap the transport closes
  // the connection itself (4100).
  virtual void Send(core::Frame frame) = 0;
  // pusher:error with `code`, then a close with `code`. `drop_queued` discards what is not yet
  // written (a client being cut off); otherwise that is flushed first.
  virtual void Close(uint16_t code, std::string_view message, bool drop_queued) = 0;
  // What the shard index holds for this connection: deliveries go straight to the transport.
  virtual core::Subscriber* subscriber() = 0;
  // Keeps the connection's memory alive while an asynchronous answer (cluster, authorizer) is
  // awaited; the answer may arrive after the connection closed.
  virtual std::shared_ptr<void> KeepAlive() = 0;
};

}  // namespace gw::session

#endif  // GATEWAY_SESSION_CONNECTION_TRANSPORT_H_
