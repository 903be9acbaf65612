#include "gateway/websocket/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace gw::websocket {
namespace {

TEST(IsValidUtf8, AcceptsAsciiAndEveryEncodingLength) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("{\"event\":\"pusher:ping\",\"data\":{}}"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9"));                     // U+00E9
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC and more ascii text"));  // U+20AC
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));                 // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));                 // U+10FFFF, the last
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));                     // U+D7FF, below surrogates
}

TEST(IsValidUtf8, RejectsOverlongsSurrogatesAndOutOfRange) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(IsValidUtf8, RejectsTruncatedAndStraySequencesAfterLongAsciiRuns) {
  const std::string ascii(37, 'a');
  EXPECT_FALSE(IsValidUtf8(ascii + "\xE2\x82"));  // cut short at the end
  EXPECT_FALSE(IsValidUtf8(ascii + "\x80" + ascii));  // lone continuation byte
  EXPECT_FALSE(IsValidUtf8("\xC3" + ascii));       // lead byte without its continuation
  EXPECT_TRUE(IsValidUtf8(ascii + "\xC3\xA9" + ascii));
}

}  // namespace
}  // namespace gw::websocket
