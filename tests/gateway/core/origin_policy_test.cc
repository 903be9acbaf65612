#include "gateway/core/origin_policy.h"

#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(OriginPolicy, StarOrEmptyListAllowsAnyOrigin) {
  EXPECT_TRUE(OriginAllowed({"*"}, "https://evil.example"));
  EXPECT_TRUE(OriginAllowed({}, "https://evil.example"));
}

TEST(OriginPolicy, RequestsWithoutOriginAreAllowed) {
  EXPECT_TRUE(OriginAllowed({"https://good.example"}, ""));
}

TEST(OriginPolicy, FullPatternsMatchTheWholeOrigin) {
  std::vector<std::string> allowed = {"https://good.example"};
  EXPECT_TRUE(OriginAllowed(allowed, "https://good.example"));
  EXPECT_FALSE(OriginAllowed(allowed, "http://good.example"));
  EXPECT_FALSE(OriginAllowed(allowed, "https://evil.example"));
  EXPECT_FALSE(OriginAllowed(allowed, "https://good.example.evil.example"));
}

TEST(OriginPolicy, HostPatternsIgnoreSchemeAndPort) {
  std::vector<std::string> allowed = {"*.example.com"};
  EXPECT_TRUE(OriginAllowed(allowed, "https://a.example.com"));
  EXPECT_TRUE(OriginAllowed(allowed, "http://b.example.com:8080"));
  EXPECT_FALSE(OriginAllowed(allowed, "https://example.org"));
  EXPECT_FALSE(OriginAllowed(allowed, "https://a.example.com.evil.org"));
}

TEST(OriginPolicy, MatchingIgnoresCase) {
  EXPECT_TRUE(OriginAllowed({"https://Good.Example"}, "https://good.example"));
}

TEST(WildcardMatch, HandlesSeveralStarsWithoutBacktrackingBlowUp) {
  EXPECT_TRUE(WildcardMatch("a*b*c", "axxbyyc"));
  EXPECT_FALSE(WildcardMatch("a*b*c", "axxbyy"));
  std::string long_text(10000, 'a');
  EXPECT_FALSE(WildcardMatch("*a*a*a*a*a*b", long_text));
}

}  // namespace
}  // namespace gw::core
