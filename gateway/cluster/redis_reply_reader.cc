#include "gateway/cluster/redis_reply_reader.h"

#include <hiredis.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gw::cluster {

// hiredis's object callbacks (redisReplyObjectFunctions): each gets the read task, whose
// privdata is the reader, and returns the object it made, or nullptr, which hiredis reports as
// "out of memory" and which we use to stop a reply that passed the bound. A child is built in
// place in its parent's elements, which were sized when the parent array was announced; only
// the root is allocated on its own, and freeObject is only ever called on a root.
struct RedisReplyReader::Budget {
  static RedisReplyReader& Of(const redisReadTask* task) {
    return *static_cast<RedisReplyReader*>(task->privdata);
  }

  // Counts `bytes` against the bound; false when the reply would pass it. (The bytes not yet
  // parsed were counted by Feed; those of a string being made are still among them.)
  static bool Take(const redisReadTask* task, size_t bytes) {
    RedisReplyReader& self = Of(task);
    self.built_bytes_ += bytes;
    if (self.built_bytes_ > self.max_reply_bytes_) {
      self.over_budget_ = true;
      return false;
    }
    return true;
  }

  static RedisReply* Place(const redisReadTask* task) {
    if (task->parent == nullptr) return new (std::nothrow) RedisReply();
    auto* parent = static_cast<RedisReply*>(task->parent->obj);
    return &parent->elements[task->idx];
  }

  static RedisReply::Type TypeOf(int hiredis_type) {
    switch (hiredis_type) {
      case REDIS_REPLY_STATUS:
        return RedisReply::Type::kStatus;
      case REDIS_REPLY_ERROR:
        return RedisReply::Type::kError;
      default:
        return RedisReply::Type::kString;
    }
  }

  static void* CreateString(const redisReadTask* task, char* text, size_t size) {
    if (!Take(task, sizeof(RedisReply) + size)) return nullptr;
    RedisReply* reply = Place(task);
    if (reply == nullptr) return nullptr;
    reply->type = TypeOf(task->type);
    reply->str.assign(text, size);
    return reply;
  }

  static void* CreateArray(const redisReadTask* task, int elements) {
    // hiredis has refused counts below -1 and above INT_MAX; -1 comes as CreateNil.
    const size_t count = elements > 0 ? static_cast<size_t>(elements) : 0;
    if (!Take(task, sizeof(RedisReply) * (1 + count))) return nullptr;
    RedisReply* reply = Place(task);
    if (reply == nullptr) return nullptr;
    reply->type = RedisReply::Type::kArray;
    reply->elements.resize(count);
    return reply;
  }

  static void* CreateInteger(const redisReadTask* task, long long value) {
    if (!Take(task, sizeof(RedisReply))) return nullptr;
    RedisReply* reply = Place(task);
    if (reply == nullptr) return nullptr;
    reply->type = RedisReply::Type::kInteger;
    reply->integer = value;
    return reply;
  }

  static void* CreateNil(const redisReadTask* task) {
    if (!Take(task, sizeof(RedisReply))) return nullptr;
    RedisReply* reply = Place(task);
    if (reply == nullptr) return nullptr;
    reply->type = RedisReply::Type::kNil;
    return reply;
  }

  static void FreeRoot(void* root) { delete static_cast<RedisReply*>(root); }

  static redisReplyObjectFunctions* Functions() {
    static redisReplyObjectFunctions functions = {CreateString, CreateArray, CreateInteger,
                                                  CreateNil, FreeRoot};
    return &functions;
  }
};

RedisReplyReader::RedisReplyReader(size_t max_reply_bytes)
    : reader_(redisReaderCreateWithFunctions(Budget::Functions())),
      max_reply_bytes_(max_reply_bytes) {
  if (reader_ == nullptr) throw std::bad_alloc();
  reader_->privdata = this;
}

RedisReplyReader::~RedisReplyReader() { redisReaderFree(reader_); }

size_t RedisReplyReader::buffered_bytes() const { return reader_->len - reader_->pos; }

absl::Status RedisReplyReader::Failure() const {
  if (over_budget_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("reply larger than ", max_reply_bytes_, " bytes"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("not a RESP2 reply: ", static_cast<const char*>(reader_->errstr)));
}

absl::Status RedisReplyReader::Feed(std::string_view bytes) {
  if (over_budget_ || reader_->err != 0) return Failure();
  if (buffered_bytes() + bytes.size() + built_bytes_ > max_reply_bytes_) {
    over_budget_ = true;
    return Failure();
  }
  if (redisReaderFeed(reader_, bytes.data(), bytes.size()) != REDIS_OK) return Failure();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<RedisReply>> RedisReplyReader::Next() {
  if (over_budget_) return Failure();
  void* root = nullptr;
  if (redisReaderGetReply(reader_, &root) != REDIS_OK) return Failure();
  if (root == nullptr) return std::nullopt;
  built_bytes_ = 0;
  std::unique_ptr<RedisReply> reply(static_cast<RedisReply*>(root));
  return std::optional<RedisReply>(std::move(*reply));
}

}  // namespace gw::cluster
