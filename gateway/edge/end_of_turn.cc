#include "gateway/edge/end_of_turn.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace gw::edge {

void EndOfTurn::Schedule(std::shared_ptr<TurnWriter> writer) {
  scheduled_.push_back(std::move(writer));
  if (posted_) return;
  posted_ = true;
  boost::asio::post(io_context_, [this] { WriteAll(); });
}

void EndOfTurn::WriteAll() {
  posted_ = false;
  // A writer scheduled while these write (none does today) goes into the next turn's list.
  writing_.swap(scheduled_);
  for (const std::shared_ptr<TurnWriter>& writer : writing_) writer->WriteQueued();
  writing_.clear();
}

}  // namespace gw::edge
