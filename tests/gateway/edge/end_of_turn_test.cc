#include "gateway/edge/end_of_turn.h"

#include <boost/asio/post.hpp>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace gw::edge {
namespace {

// Records, into a shared log, when it was asked to write.
class RecordingWriter : public TurnWriter {
 public:
  RecordingWriter(std::string name, std::vector<std::string>& log)
      : name_(std::move(name)), log_(log) {}
  void WriteQueued() override { log_.push_back(name_); }

 private:
  std::string name_;
  std::vector<std::string>& log_;
};

TEST(EndOfTurn, WritesAfterTheWorkAlreadyQueuedAndOncePerTurn) {
  boost::asio::io_context io_context;
  EndOfTurn end_of_turn(io_context);
  std::vector<std::string> log;
  auto a = std::make_shared<RecordingWriter>("write a", log);
  auto b = std::make_shared<RecordingWriter>("write b", log);
  // Two fan-out tasks already waiting on the loop, as from two publishers.
  boost::asio::post(io_context, [&] {
    log.push_back("deliver 1");
    end_of_turn.Schedule(a);
    end_of_turn.Schedule(b);
  });
  boost::asio::post(io_context, [&] { log.push_back("deliver 2"); });
  io_context.poll();
  EXPECT_EQ(log, (std::vector<std::string>{"deliver 1", "deliver 2", "write a", "write b"}));
  EXPECT_EQ(end_of_turn.scheduled(), 0u);
}

TEST(EndOfTurn, ALoneDeliveryIsWrittenOnTheSamePoll) {
  boost::asio::io_context io_context;
  EndOfTurn end_of_turn(io_context);
  std::vector<std::string> log;
  auto a = std::make_shared<RecordingWriter>("write a", log);
  end_of_turn.Schedule(a);
  EXPECT_EQ(io_context.poll(), 1u);  // nothing to wait for: no timer, no other work
  EXPECT_EQ(log, std::vector<std::string>{"write a"});
  // A later turn schedules anew.
  io_context.restart();
  end_of_turn.Schedule(a);
  io_context.poll();
  EXPECT_EQ(log, (std::vector<std::string>{"write a", "write a"}));
}

TEST(EndOfTurn, KeepsAWriterAliveUntilItHasWritten) {
  boost::asio::io_context io_context;
  EndOfTurn end_of_turn(io_context);
  std::vector<std::string> log;
  auto a = std::make_shared<RecordingWriter>("write a", log);
  std::weak_ptr<RecordingWriter> watch = a;
  end_of_turn.Schedule(std::move(a));
  EXPECT_FALSE(watch.expired());
  io_context.poll();
  EXPECT_EQ(log, std::vector<std::string>{"write a"});
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace gw::edge
