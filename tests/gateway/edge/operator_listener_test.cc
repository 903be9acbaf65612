#include "gateway/edge/operator_listener.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <string>

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

TEST(OperatorListener, RefusesAHostThatIsNotAnAddress) {
  OperatorListener listener("");
  EXPECT_FALSE(listener.Listen("localhost", 0).ok());
}

}  // namespace
}  // namespace gw::edge
