#include "gateway/cluster/redis_reply.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace gw::cluster {
namespace {

constexpr size_t kDebugStringCut = 200;

std::string Quoted(std::string_view text) {
  const bool cut = text.size() > kDebugStringCut;
  const absl::string_view shown(text.data(), cut ? kDebugStringCut : text.size());
  return absl::StrCat("\"", absl::CHexEscape(shown), cut ? "\"..." : "\"");
}

RedisReply OfType(RedisReply::Type type, std::string_view text) {
  RedisReply reply;
  reply.type = type;
  reply.str.assign(text.data(), text.size());
  return reply;
}

}  // namespace

RedisReply RedisReply::String(std::string_view text) { return OfType(Type::kString, text); }
RedisReply RedisReply::Status(std::string_view text) { return OfType(Type::kStatus, text); }
RedisReply RedisReply::Error(std::string_view text) { return OfType(Type::kError, text); }
RedisReply RedisReply::Nil() { return RedisReply(); }

RedisReply RedisReply::Integer(int64_t value) {
  RedisReply reply;
  reply.type = Type::kInteger;
  reply.integer = value;
  return reply;
}

RedisReply RedisReply::Array(std::vector<RedisReply> elements) {
  RedisReply reply;
  reply.type = Type::kArray;
  reply.elements = std::move(elements);
  return reply;
}

bool RedisReply::IsError(std::string_view code) const {
  if (type != Type::kError) return false;
  const std::string_view text = str;
  return text.substr(0, text.find(' ')) == code;
}

std::string RedisReply::DebugString() const {
  switch (type) {
    case Type::kString:
      return Quoted(str);
    case Type::kStatus:
      return absl::StrCat("(status) ", Quoted(str));
    case Type::kError:
      return absl::StrCat("(error) ", Quoted(str));
    case Type::kInteger:
      return absl::StrCat("(integer) ", integer);
    case Type::kNil:
      return "(nil)";
    case Type::kArray:
      break;
  }
  std::string out = "[";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(elements[i].DebugString());
  }
  out.push_back(']');
  return out;
}

}  // namespace gw::cluster
