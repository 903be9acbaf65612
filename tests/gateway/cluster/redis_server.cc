#include "tests/gateway/cluster/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gw::cluster::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A port nobody listens on right now (the kernel's pick for port 0).
uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

bool AcceptsTcp(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

RedisReply Convert(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      return RedisReply::String(std::string_view(reply.str, reply.len));
    case REDIS_REPLY_STATUS:
      return RedisReply::Status(std::string_view(reply.str, reply.len));
    case REDIS_REPLY_ERROR:
      return RedisReply::Error(std::string_view(reply.str, reply.len));
    case REDIS_REPLY_INTEGER:
      return RedisReply::Integer(reply.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<RedisReply> elements;
      for (size_t i = 0; i < reply.elements; ++i) elements.push_back(Convert(*reply.element[i]));
      return RedisReply::Array(std::move(elements));
    }
    default:
      return RedisReply::Nil();
  }
}

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(void* reply) const { freeReplyObject(reply); }
};

// The path the shell would run for `name`, looked up before fork (execvp may allocate).
std::string FindProgram(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string candidate = std::string(dirs.substr(0, colon)) + "/" + std::string(name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return "";
}

}  // namespace

std::string MakeTempDirectory(std::string_view prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

RedisServer::RedisServer(Options options)
    : options_(std::move(options)), directory_(MakeTempDirectory("redis-test")) {}

RedisServer::~RedisServer() {
  if (running()) {
    Resume();
    Kill();
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string RedisServer::Url() const {
  const std::string auth =
      options_.password.empty() ? "" : absl::StrCat(":", options_.password, "@");
  return absl::StrCat(options_.tls_cert_file.empty() ? "redis" : "rediss", "://", auth,
                      "127.0.0.1:", port_);
}

std::string RedisServer::Log() const {
  std::ifstream in(directory_ + "/redis.log");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

absl::Status RedisServer::Start() {
  if (running()) return absl::FailedPreconditionError("redis-server is running already");
  const bool pick_port = port_ == 0;
  absl::Status status;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (pick_port) port_ = FreePort();
    status = Spawn();
    if (status.ok()) status = WaitUntilServing();
    if (status.ok() || !pick_port) return status;
  }
  return status;
}

absl::Status RedisServer::Spawn() {
  const std::string port = absl::StrCat(port_);
  std::vector<std::string> args = {
      "redis-server", "--bind", "127.0.0.1", "--save",    "", "--appendonly", "no", "--daemonize",
      "no",           "--dir",  directory_,  "--logfile", ""};
  if (options_.tls_cert_file.empty()) {
    args.insert(args.end(), {"--port", port});
  } else {
    args.insert(args.end(),
                {"--port", "0", "--tls-port", port, "--tls-cert-file", options_.tls_cert_file,
                 "--tls-key-file", options_.tls_key_file, "--tls-auth-clients", "no"});
  }
  if (!options_.password.empty()) args.insert(args.end(), {"--requirepass", options_.password});
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string program = FindProgram("redis-server");
  if (program.empty()) return absl::UnavailableError("redis-server is not on the PATH");
  const std::string log = directory_ + "/redis.log";
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) return absl::UnavailableError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid_ == 0) {
    // Only async-signal-safe calls here. The server dies with the test, even a crashed one.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  return absl::OkStatus();
}

absl::Status RedisServer::WaitUntilServing() {
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    int wait_status = 0;
    if (::waitpid(pid_, &wait_status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(absl::StrCat("redis-server exited at start: ", Log()));
    }
    if (options_.tls_cert_file.empty()) {
      // Any answer will do, NOAUTH included: the server is serving.
      timeval timeout{0, 200 * 1000};
      std::unique_ptr<redisContext, ContextFree> context(
          redisConnectWithTimeout("127.0.0.1", port_, timeout));
      if (context != nullptr && context->err == 0) {
        std::unique_ptr<void, ReplyFree> reply(redisCommand(context.get(), "PING"));
        if (reply != nullptr) return absl::OkStatus();
      }
    } else if (AcceptsTcp(port_)) {
      return absl::OkStatus();
    }
    // Polling with a deadline; redis-server is usually up within a few milliseconds.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill();
  return absl::DeadlineExceededError(absl::StrCat("redis-server did not answer in 10 s: ", Log()));
}

void RedisServer::Signal(int signal) {
  if (running()) ::kill(pid_, signal);
}

void RedisServer::Reap() {
  if (!running()) return;
  int wait_status = 0;
  ::waitpid(pid_, &wait_status, 0);
  pid_ = -1;
}

void RedisServer::Stop() {
  Signal(SIGCONT);
  Signal(SIGTERM);
  Reap();
}

void RedisServer::Kill() {
  Signal(SIGKILL);
  Reap();
}

void RedisServer::Pause() { Signal(SIGSTOP); }

void RedisServer::Resume() { Signal(SIGCONT); }

absl::Status RedisServer::Restart() {
  Kill();
  return Start();
}

absl::StatusOr<RedisReply> RedisServer::Run(std::initializer_list<std::string_view> args) {
  if (!options_.tls_cert_file.empty()) {
    return absl::FailedPreconditionError("hiredis 0.14.1 has no TLS: Run needs a plain server");
  }
  timeval timeout{5, 0};
  std::unique_ptr<redisContext, ContextFree> context(
      redisConnectWithTimeout("127.0.0.1", port_, timeout));
  if (context == nullptr || context->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("connect: ", context != nullptr ? context->errstr : "out of memory"));
  }
  redisSetTimeout(context.get(), timeout);
  if (!options_.password.empty()) {
    std::unique_ptr<void, ReplyFree> auth(
        redisCommand(context.get(), "AUTH %b", options_.password.data(), options_.password.size()));
  }
  std::vector<const char*> argv;
  std::vector<size_t> sizes;
  for (const std::string_view arg : args) {
    argv.push_back(arg.data());
    sizes.push_back(arg.size());
  }
  std::unique_ptr<void, ReplyFree> reply(
      redisCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(), sizes.data()));
  if (reply == nullptr) return absl::UnavailableError(context->errstr);
  return Convert(*static_cast<redisReply*>(reply.get()));
}

absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& directory) {
  TestCertificates out{directory + "/ca.crt", directory + "/server.crt", directory + "/server.key",
                       directory + "/other-ca.crt"};
  std::ofstream(directory + "/san.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string quiet = " >>" + directory + "/openssl.log 2>&1";
  const std::vector<std::string> commands = {
      absl::StrCat("openssl req -x509 ", key, " -keyout ", directory, "/ca.key -out ", out.ca_file,
                   " -days 2 -subj /CN=realtime-test-ca"),
      absl::StrCat("openssl req -x509 ", key, " -keyout ", directory, "/other-ca.key -out ",
                   out.other_ca_file, " -days 2 -subj /CN=realtime-other-ca"),
      absl::StrCat("openssl req ", key, " -keyout ", out.key_file, " -out ", directory,
                   "/server.csr -subj /CN=localhost"),
      absl::StrCat("openssl x509 -req -in ", directory, "/server.csr -CA ", out.ca_file, " -CAkey ",
                   directory, "/ca.key -CAcreateserial -out ", out.cert_file, " -days 2 -extfile ",
                   directory, "/san.cnf"),
  };
  for (const std::string& command : commands) {
    if (std::system((command + quiet).c_str()) != 0) {
      std::ifstream in(directory + "/openssl.log");
      return absl::InternalError(absl::StrCat(
          "openssl failed: ", command, ": ",
          std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())));
    }
  }
  return out;
}

}  // namespace gw::cluster::testing
