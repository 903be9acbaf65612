#ifndef GATEWAY_EDGE_END_OF_TURN_H_
#define GATEWAY_EDGE_END_OF_TURN_H_

#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

namespace gw::edge {

// Something that queues bytes during a loop turn and writes them once, at its end.
class TurnWriter {
 public:
  virtual void WriteQueued() = 0;

 protected:
  ~TurnWriter() = default;
};

// One shard's list of connections to write at the end of the current loop turn, so that N
// frames delivered to a connection in one turn (a batch, several publishers' fan-outs, a reply
// and a delivery) leave in one gather write instead of one each.
//
// The turn ends with a handler posted when the first writer is scheduled: it runs after the work
// already queued on the io_context (fan-out tasks posted by other threads, completed reads), and
// at once when nothing else waits, so a lone publish gains no latency.
//
// Shard thread only. A scheduled writer is kept alive until it has written.
class EndOfTurn {
 public:
  explicit EndOfTurn(boost::asio::io_context& io_context) : io_context_(io_context) {}

  // `writer`->WriteQueued() will run once at the end of this turn. A writer must not be
  // scheduled again before it has run (it keeps a flag of its own).
  void Schedule(std::shared_ptr<TurnWriter> writer);
  size_t scheduled() const { return scheduled_.size(); }

 private:
  void WriteAll();

  boost::asio::io_context& io_context_;
  std::vector<std::shared_ptr<TurnWriter>> scheduled_;
  std::vector<std::shared_ptr<TurnWriter>> writing_;  // kept to reuse its capacity
  bool posted_ = false;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_END_OF_TURN_H_
