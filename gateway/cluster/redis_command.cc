#include "gateway/cluster/redis_command.h"

#include <hiredis.h>

#include <new>

#include "absl/container/inlined_vector.h"

namespace gw::cluster {
namespace {

// The argv / argvlen arrays redisFormatCommandArgv takes; most commands have a handful.
struct ArgumentArrays {
  absl::InlinedVector<const char*, 8> data;
  absl::InlinedVector<size_t, 8> sizes;

  void Add(std::span<const std::string_view> args) {
    for (const std::string_view arg : args) {
      data.push_back(arg.data());
      sizes.push_back(arg.size());
    }
  }
};

}  // namespace

void RedisCommand::Free::operator()(char* data) const { redisFreeCommand(data); }

RedisCommand RedisCommand::Format(std::initializer_list<std::string_view> head,
                                  std::span<const std::string_view> keys,
                                  std::span<const std::string_view> args) {
  ArgumentArrays arrays;
  arrays.Add(std::span<const std::string_view>(head.begin(), head.size()));
  arrays.Add(keys);
  arrays.Add(args);
  char* data = nullptr;
  const int size = redisFormatCommandArgv(&data, static_cast<int>(arrays.data.size()),
                                          arrays.data.data(), arrays.sizes.data());
  // hiredis fails only when malloc does.
  if (size < 0) throw std::bad_alloc();
  return RedisCommand(data, static_cast<size_t>(size));
}

RedisCommand RedisCommand::Format(std::span<const std::string_view> args) {
  return Format({}, args, {});
}

RedisCommand RedisCommand::Format(std::initializer_list<std::string_view> args) {
  return Format(args, {}, {});
}

}  // namespace gw::cluster
