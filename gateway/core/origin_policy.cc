#include "gateway/core/origin_policy.h"

#include "absl/strings/ascii.h"

namespace gw::core {
namespace {

std::string_view HostOf(std::string_view origin) {
  size_t scheme = origin.find("://");
  if (scheme != std::string_view::npos) origin.remove_prefix(scheme + 3);
  size_t end = origin.find_first_of(":/");
  return end == std::string_view::npos ? origin : origin.substr(0, end);
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  // Iterative glob with single backtrack point: linear in practice, no recursion blow-up.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() &&
               absl::ascii_tolower(pattern[p]) == absl::ascii_tolower(text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool OriginAllowed(const std::vector<std::string>& patterns, std::string_view origin) {
  if (patterns.empty() || origin.empty()) return true;
  for (const std::string& pattern : patterns) {
    if (pattern == "*") return true;
    const bool whole = pattern.find("://") != std::string::npos;
    if (WildcardMatch(pattern, whole ? origin : HostOf(origin))) return true;
  }
  return false;
}

}  // namespace gw::core
