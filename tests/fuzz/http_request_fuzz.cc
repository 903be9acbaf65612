// A whole request to the HTTP API as the edge routes it (gateway/edge/http_router.h): request
// target and query (percent-decoding, routes), the signature check, and, for requests this
// target signs itself with the app's secret, the bodies and queries behind it.
// Input: a flags byte line (bit 0: sign the request, bit 1: POST), the target, then the body.
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <deque>
#include <memory>
#include <string>

#include "gateway/core/app_directory.h"
#include "gateway/core/fanout.h"
#include "gateway/core/shard_executor.h"
#include "gateway/core/single_node.h"
#include "gateway/edge/edge_context.h"
#include "gateway/edge/http_router.h"
#include "gateway/pusher/http_signature.h"
#include "gateway/service/event_publisher.h"
#include "gateway/session/pusher_connection.h"
#include "gateway/session/pusher_server_frames.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

namespace http = boost::beast::http;

// Fan-out tasks are queued and run after the request, as a shard would run them later.
class QueuedShards : public gw::core::ShardExecutor {
 public:
  size_t shard_count() const override { return 1; }
  void Post(size_t, absl::AnyInvocable<void() &&> task) override {
    tasks_.push_back(std::move(task));
  }
  void RunAll() {
    while (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      std::move(task)();
    }
  }

 private:
  std::deque<absl::AnyInvocable<void() &&>> tasks_;
};

struct World {
  QueuedShards shards;
  std::unique_ptr<gw::core::AppDirectory> apps = std::move(*gw::core::AppDirectory::Create(
      {gw::core::App{.id = "app-id", .key = "app-key", .secret = "app-secret"}}, 1));
  gw::core::Fanout fanout{shards};
  gw::session::PusherServerFrames frames;
  // No listings queue: channel listings are built inline, as the fuzzer wants them reached.
  gw::core::SingleNode cluster{*apps, fanout, frames};
  gw::service::EventPublisher publisher{fanout, cluster};
  gw::session::ConnectionServices services{cluster, shards};
  gw::edge::EdgeContext context{*apps, cluster, publisher, services};
};

// The request with auth_* parameters added as a Pusher SDK adds them.
std::string Signed(http::verb method, std::string_view target, std::string_view body) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::string(target);
  std::vector<std::pair<std::string, std::string>> query;
  for (auto param : url->params()) query.emplace_back(param.key, param.value);
  auto signed_query = gw::pusher::SignHttpApiRequest(std::string(http::to_string(method)),
                                                     url->path(), std::move(query), body, "app-key",
                                                     "app-secret", std::time(nullptr));
  boost::urls::url rebuilt;
  rebuilt.set_path(url->path());
  for (const auto& [key, value] : signed_query) rebuilt.params().append({key, value});
  return std::string(rebuilt.buffer());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World;
  gw::fuzz::FuzzInput input(data, size);
  const std::string_view flags = input.NextField();
  const bool sign = !flags.empty() && (flags[0] & 1);
  const http::verb method = !flags.empty() && (flags[0] & 2) ? http::verb::post : http::verb::get;
  const std::string_view target = input.NextField();
  const std::string_view body = input.Rest();
  gw::edge::HttpRequest request{method, sign ? Signed(method, target, body) : target, 11};
  request.body() = std::string(body);
  request.prepare_payload();
  int answers = 0;
  gw::edge::RouteHttpRequest(world->context, request,
                             [&answers](gw::edge::HttpResponse) { ++answers; });
  world->shards.RunAll();
  if (answers != 1) __builtin_trap();  // every request is answered exactly once
  return 0;
}
