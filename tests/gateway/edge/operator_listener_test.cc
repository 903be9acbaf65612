#include "gateway/edge/operator_listener.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace gw::edge {
namespace {

namespace http = boost::beast::http;

// One request over a real socket to the listener on 127.0.0.1.
HttpResponse Get(uint16_t port, const std::string& target, const std::string& authorization = "") {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  HttpRequest request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  if (!authorization.empty()) request.set(http::field::authorization, authorization);
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  HttpResponse response;
  http::read(socket, buffer, response);
  return response;
}

HttpResponse Page(const HttpRequest& request) {
  HttpResponse response{http::status::ok, request.version()};
  response.body() = "page";
  return response;
}

TEST(OperatorListener, ServesMountedRoutesAnd404sTheRest) {
  OperatorListener listener("");
  listener.Mount("/metrics", Page);
  ASSERT_TRUE(listener.Listen("127.0.0.1", 0).ok());
  listener.Start();
  const HttpResponse page = Get(listener.port(), "/metrics?x=1");
  EXPECT_EQ(page.result(), http::status::ok);
  EXPECT_EQ(page.body(), "page");
  EXPECT_EQ(Get(listener.port(), "/apps/a/events").result(), http::status::not_found);
  listener.Stop();
}

TEST(OperatorListener, WithATokenAnswers401WithoutItAndServesBearerOrBasic) {
  OperatorListener listener("s3cret");
  listener.Mount("/dashboard", Page);
  ASSERT_TRUE(listener.Listen("127.0.0.1", 0).ok());
  listener.Start();
  EXPECT_EQ(Get(listener.port(), "/dashboard").result(), http::status::unauthorized);
  EXPECT_EQ(Get(listener.port(), "/nothing").result(), http::status::unauthorized)
      << "no route is revealed without the token";
  EXPECT_EQ(Get(listener.port(), "/dashboard", "Bearer s3cre").result(),
            http::status::unauthorized);
  EXPECT_EQ(Get(listener.port(), "/dashboard", "Bearer s3cret").result(), http::status::ok);
  // "ops:s3cret"
  EXPECT_EQ(Get(listener.port(), "/dashboard", "Basic b3BzOnMzY3JldA==").result(),
            http::status::ok);
  // "ops:wrong"
  EXPECT_EQ(Get(listener.port(), "/dashboard", "Basic b3BzOndyb25n").result(),
            http::status::unauthorized);
  listener.Stop();
}

// The dashboard's case: a tree of pages with credentials of its own, answering from another
// thread after the handler returned.
TEST(OperatorListener, ATreeChecksItsOwnCredentialsAndMayAnswerLaterFromAnotherThread) {
  OperatorListener listener("s3cret");
  listener.Mount("/metrics", Page);
  std::vector<std::thread> answerers;
  std::mutex mu;
  listener.MountTree("/dashboard", [&](const HttpRequest& request, HttpResponder respond) {
    std::string target(request.target());
    unsigned version = request.version();
    std::lock_guard lock(mu);
    answerers.emplace_back([target, version, respond = std::move(respond)]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      HttpResponse response{http::status::ok, version};
      response.body() = "tree " + target;
      std::move(respond)(std::move(response));
    });
  });
  ASSERT_TRUE(listener.Listen("127.0.0.1", 0).ok());
  listener.Start();
  // No operator token asked for: a browser sends one Authorization header, the tree's own.
  EXPECT_EQ(Get(listener.port(), "/dashboard").body(), "tree /dashboard");
  EXPECT_EQ(Get(listener.port(), "/dashboard/api/live?app=a").body(),
            "tree /dashboard/api/live?app=a");
  // Only the tree itself, not a path that merely starts with its letters; the rest stays guarded.
  EXPECT_EQ(Get(listener.port(), "/dashboardx").result(), http::status::unauthorized);
  EXPECT_EQ(Get(listener.port(), "/dashboardx", "Bearer s3cret").result(), http::status::not_found);
  EXPECT_EQ(Get(listener.port(), "/metrics").result(), http::status::unauthorized);
  listener.Stop();
  for (std::thread& answerer : answerers) answerer.join();
}

TEST(OperatorListener, RefusesAHostThatIsNotAnAddress) {
  OperatorListener listener("");
  EXPECT_FALSE(listener.Listen("localhost", 0).ok());
}

}  // namespace
}  // namespace gw::edge
