#ifndef GATEWAY_CORE_STRING_MAP_H_
#define GATEWAY_CORE_STRING_MAP_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace gw::core {

// Debian 12's abseil is built with its own absl::string_view (not std::string_view), so its
// default string hasher cannot look up a std::string_view key. These transparent functors let
// every map keyed by std::string be searched with std::string_view without building a string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
  }
};
struct StringEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

template <typename V>
using StringMap = absl::flat_hash_map<std::string, V, StringHash, StringEq>;
using StringSet = absl::flat_hash_set<std::string, StringHash, StringEq>;

}  // namespace gw::core

#endif  // GATEWAY_CORE_STRING_MAP_H_
