#ifndef TESTS_GATEWAY_CLUSTER_TEST_LOOP_H_
#define TESTS_GATEWAY_CLUSTER_TEST_LOOP_H_

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace gw::cluster::testing {

// An io_context the test runs on its own thread, as the cluster thread would run it.
class TestLoop {
 public:
  TestLoop() : guard_(io_.get_executor()) {}

  boost::asio::io_context& io() { return io_; }

  // Runs handlers until `done()` holds, for at most `timeout`; whether it holds.
  bool RunUntil(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      io_.run_one_for(std::min<std::chrono::steady_clock::duration>(deadline - now,
                                                                    std::chrono::milliseconds(50)));
    }
    return true;
  }

  // Runs every handler that is ready now (not those waiting on time or I/O).
  void Drain() { io_.poll(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
};

}  // namespace gw::cluster::testing

#endif  // TESTS_GATEWAY_CLUSTER_TEST_LOOP_H_
