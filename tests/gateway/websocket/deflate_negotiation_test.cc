#include "gateway/websocket/deflate_negotiation.h"

#include "gtest/gtest.h"

namespace gw::websocket {
namespace {

TEST(OffersPermessageDeflate, AcceptsWhatBrowsersAndWsSend) {
  EXPECT_TRUE(OffersPermessageDeflate("permessage-deflate; client_max_window_bits"));  // Chromium
  EXPECT_TRUE(OffersPermessageDeflate("permessage-deflate"));                          // Firefox
  EXPECT_TRUE(OffersPermessageDeflate(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover"));
}

TEST(OffersPermessageDeflate, AcceptsEveryParameterWeCanHonour) {
  EXPECT_TRUE(OffersPermessageDeflate(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
      "server_max_window_bits=15; client_max_window_bits=9"));
  EXPECT_TRUE(OffersPermessageDeflate("permessage-deflate;client_max_window_bits=15"));
  EXPECT_TRUE(OffersPermessageDeflate("Permessage-Deflate; Client_Max_Window_Bits"));
  EXPECT_TRUE(OffersPermessageDeflate("  permessage-deflate  ;  client_max_window_bits = 10  "));
}

TEST(OffersPermessageDeflate, DeclinesNothingOffered) {
  EXPECT_FALSE(OffersPermessageDeflate(""));
  EXPECT_FALSE(OffersPermessageDeflate("   "));
  EXPECT_FALSE(OffersPermessageDeflate("x-webkit-deflate-frame"));
  EXPECT_FALSE(OffersPermessageDeflate("permessage-deflater"));
}

TEST(OffersPermessageDeflate, UnquotesValues) {
  EXPECT_TRUE(OffersPermessageDeflate("permessage-deflate; client_max_window_bits=\"10\""));
  EXPECT_TRUE(OffersPermessageDeflate("permessage-deflate; server_max_window_bits=\"1\\5\""));
  EXPECT_FALSE(OffersPermessageDeflate("permessage-deflate; client_max_window_bits=\"1 0\""));
  EXPECT_FALSE(OffersPermessageDeflate("permessage-deflate; client_max_window_bits=\"10"));
  EXPECT_FALSE(OffersPermessageDeflate("permessage-deflate; client_max_window_bits=\"\""));
}

TEST(OffersPermessageDeflate, DeclinesAServerWindowBelowFifteen) {
  EXPECT_FALSE(OffersPermessageDeflate("permessage-deflate; server_max_window_bits=14"));
  EXPECT_FALSE(OffersPermessageDeflate("permessage-deflate; server_max_window_bits=8"));
}

TEST(OffersPermessageDeflate, DeclinesBadValues) {
  for (const char* offer : {
           "permessage-deflate; server_max_window_bits",      // value required
           "permessage-deflate; server_max_window_bits=015",  // leading zero
           "permessage-deflate; server_max_window_bits=16",
           "permessage-deflate; client_max_window_bits=7",
           "permessage-deflate; client_max_window_bits=abc",
           "permessage-deflate; client_max_window_bits=",
           "permessage-deflate; server_no_context_takeover=1",  // takes no value
           "permessage-deflate; client_no_context_takeover=\"\"",
       }) {
    EXPECT_FALSE(OffersPermessageDeflate(offer)) << offer;
  }
}

TEST(OffersPermessageDeflate, DeclinesUnknownAndRepeatedParameters) {
  EXPECT_FALSE(OffersPermessageDeflate("permessage-deflate; x_custom"));
  EXPECT_FALSE(OffersPermessageDeflate(
      "permessage-deflate; server_no_context_takeover; server_no_context_takeover"));
  EXPECT_FALSE(OffersPermessageDeflate(
      "permessage-deflate; client_max_window_bits; client_max_window_bits=10"));
}

TEST(OffersPermessageDeflate, DeclinesMalformedOffers) {
  for (const char* offer : {
           "permessage-deflate;",
           "permessage-deflate; ; client_max_window_bits",
           "permessage-deflate; =15",
           "permessage-deflate client_max_window_bits",
           "; permessage-deflate",
           "permessage-deflate; client_max_window_bits=10 11",
       }) {
    EXPECT_FALSE(OffersPermessageDeflate(offer)) << offer;
  }
}

TEST(OffersPermessageDeflate, TakesTheFirstAcceptableOfSeveralOffers) {
  EXPECT_TRUE(
      OffersPermessageDeflate("permessage-deflate; server_max_window_bits=10, permessage-deflate"));
  EXPECT_TRUE(OffersPermessageDeflate("x-webkit-deflate-frame, permessage-deflate"));
  // A comma inside a quoted value does not end the offer early.
  EXPECT_TRUE(OffersPermessageDeflate(
      "permessage-deflate; x=\"a, permessage-deflate\", permessage-deflate; "
      "client_max_window_bits"));
  EXPECT_FALSE(OffersPermessageDeflate("permessage-deflate; x=\"a, permessage-deflate\""));
  EXPECT_FALSE(OffersPermessageDeflate(
      "permessage-deflate; server_max_window_bits=9, permessage-deflate; bogus"));
  EXPECT_TRUE(OffersPermessageDeflate(",, permessage-deflate"));
}

TEST(IgnoresClientNoContextTakeover, SinglesOutSafari15Point0To15Point3) {
  EXPECT_TRUE(IgnoresClientNoContextTakeover(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/15.2 Safari/605.1.15"));
  EXPECT_TRUE(IgnoresClientNoContextTakeover(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 15_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/15.3 Mobile/15E148 Safari/604.1"));
  EXPECT_FALSE(IgnoresClientNoContextTakeover(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/15.4 Safari/605.1.15"));
  EXPECT_FALSE(IgnoresClientNoContextTakeover(
      "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.10 Safari/605"));
  EXPECT_FALSE(IgnoresClientNoContextTakeover(
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "HeadlessChrome/156.0.0.0 Safari/537.36"));
  EXPECT_FALSE(IgnoresClientNoContextTakeover(""));
}

}  // namespace
}  // namespace gw::websocket
