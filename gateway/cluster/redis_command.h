#ifndef GATEWAY_CLUSTER_REDIS_COMMAND_H_
#define GATEWAY_CLUSTER_REDIS_COMMAND_H_

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>

namespace gw::cluster {

// One command in RESP form, ready to write: formatted by hiredis's redisFormatCommandArgv, so
// every argument is binary safe (zero bytes, any length). Owns hiredis's buffer; movable.
class RedisCommand {
 public:
  // {"SET", key, value}. The arguments are copied.
  static RedisCommand Format(std::span<const std::string_view> args);
  static RedisCommand Format(std::initializer_list<std::string_view> args);
  // `head` (e.g. {"EVALSHA", sha, "2"}), then `keys`, then `args`: script calls without
  // gathering the pieces first.
  static RedisCommand Format(std::initializer_list<std::string_view> head,
                             std::span<const std::string_view> keys,
                             std::span<const std::string_view> args);

  std::string_view bytes() const { return {data_.get(), size_}; }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(char* data) const;
  };
  RedisCommand(char* data, size_t size) : data_(data), size_(size) {}

  std::unique_ptr<char, Free> data_;
  size_t size_ = 0;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_COMMAND_H_
