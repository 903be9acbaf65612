#ifndef TESTS_GATEWAY_CLUSTER_REDIS_SERVER_H_
#define TESTS_GATEWAY_CLUSTER_REDIS_SERVER_H_

#include <sys/types.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gateway/cluster/redis_reply.h"

namespace gw::cluster::testing {

// A real redis-server for one test: its own temporary directory, 127.0.0.1 on a free port (kept
// across restarts), no persistence (--save '' --appendonly no), so a restart comes back empty,
// as a Redis without persistence does. Start, stop, kill, pause (SIGSTOP, a peer that stops
// answering), resume and restart it; Run sends a command with hiredis's blocking client for
// setting up and checking.
//
// One thread (the test's), which must outlive the server: the server gets SIGKILL when the
// thread that started it ends (PR_SET_PDEATHSIG), so a crashed test leaves no redis-server
// behind. The destructor kills the server and removes its directory.
class RedisServer {
 public:
  struct Options {
    std::string password;  // requirepass
    // More redis-server arguments, e.g. {"--user", "alice", "on", ">pw", "~*", "&*", "+@all"}.
    std::vector<std::string> args;
    // TLS only (--port 0 --tls-port N) with these PEM files; Run is then unavailable.
    std::string tls_cert_file;
    std::string tls_key_file;
  };

  RedisServer() : RedisServer(Options()) {}
  explicit RedisServer(Options options);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server and waits (up to 10 s) until it accepts connections. The first start
  // picks the port, trying again if another process took it meanwhile.
  absl::Status Start();
  // SIGTERM and wait for the exit.
  void Stop();
  // SIGKILL and wait for the exit.
  void Kill();
  // SIGSTOP / SIGCONT: the process holds its connections but answers nothing.
  void Pause();
  void Resume();
  // Kill, then Start on the same port: an empty Redis, every connection and script gone.
  absl::Status Restart();

  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  // redis://127.0.0.1:<port> (rediss:// for TLS), with the password when there is one.
  std::string Url() const;
  const std::string& directory() const { return directory_; }
  // The server's log so far, for failure messages.
  std::string Log() const;

  // One command over a fresh blocking connection (AUTH with the password first), 5 s timeout.
  // Not for TLS servers.
  absl::StatusOr<RedisReply> Run(std::initializer_list<std::string_view> args);

 private:
  absl::Status Spawn();
  absl::Status WaitUntilServing();
  void Signal(int signal);
  void Reap();

  const Options options_;
  std::string directory_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, plus a second
// CA that signed nothing (the wrong trust store), made with the openssl command line in
// `directory`.
struct TestCertificates {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string other_ca_file;
};
absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& directory);

// A new empty directory under the system's temporary directory.
std::string MakeTempDirectory(std::string_view prefix);

}  // namespace gw::cluster::testing

#endif  // TESTS_GATEWAY_CLUSTER_REDIS_SERVER_H_
