#include "gateway/pusher/http_signature.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "gateway/pusher/signature.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::pusher {
namespace {

using ::testing::HasSubstr;
using Query = std::vector<std::pair<std::string, std::string>>;

// Pusher's published HTTP API example (pusher-http-api-reference, "Worked authentication
// example"); pusher-http-node 5.3.4's createSignedQueryString produces the same query.
constexpr std::string_view kKey = "278d425bdf160c739803";
constexpr std::string_view kSecret = "7ad3773142a6692b25b8";
constexpr int64_t kTimestamp = 1353088179;
constexpr std::string_view kBody =
    R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})";
constexpr std::string_view kBodyMd5 = "ec365a775a4cd0599faeb73354201b6f";
constexpr std::string_view kSignature =
    "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

Query PublishedExampleQuery() {
  return {{"auth_key", std::string(kKey)},
          {"auth_timestamp", "1353088179"},
          {"auth_version", "1.0"},
          {"body_md5", std::string(kBodyMd5)},
          {"auth_signature", std::string(kSignature)}};
}

HttpApiRequest PublishedExample() {
  return HttpApiRequest{"POST", "/apps/3/events", PublishedExampleQuery(), kBody};
}

std::string Set(Query& query, std::string_view key, std::string_view value) {
  for (auto& [k, v] : query) {
    if (k == key) {
      std::string old = v;
      v = std::string(value);
      return old;
    }
  }
  query.emplace_back(std::string(key), std::string(value));
  return "";
}

void Erase(Query& query, std::string_view key) {
  std::erase_if(query, [&](const auto& param) { return param.first == key; });
}

std::string Find(const Query& query, std::string_view key) {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return "";
}

// Expects Unauthenticated and returns the message, which names the parameter at fault.
std::string RejectionOf(const HttpApiRequest& request, int64_t now = kTimestamp) {
  const absl::Status status = VerifyHttpApiRequest(request, kKey, kSecret, now);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  return std::string(status.message());
}

TEST(HttpApiStringToSign, MatchesThePublishedExample) {
  EXPECT_EQ(HttpApiStringToSign("POST", "/apps/3/events", PublishedExampleQuery()),
            "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&"
            "auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f");
}

TEST(HttpApiStringToSign, LowercasesAndSortsKeysButLeavesValuesAlone) {
  EXPECT_EQ(HttpApiStringToSign("GET", "/apps/1/channels",
                                {{"Info", "user_count,subscription_count"},
                                 {"AUTH_KEY", "Key"},
                                 {"filter_by_prefix", "presence- a&b=c"},
                                 {"auth_signature", "ignored"}}),
            "GET\n/apps/1/channels\nauth_key=Key&filter_by_prefix=presence- a&b=c&"
            "info=user_count,subscription_count");
}

TEST(HttpApiStringToSign, UppercasesTheMethodAsSdksDo) {
  EXPECT_EQ(HttpApiStringToSign("get", "/p", {}), "GET\n/p\n");
}

TEST(HttpApiStringToSign, IsIndependentOfArrivalOrder) {
  EXPECT_EQ(HttpApiStringToSign("GET", "/p", {{"b", "2"}, {"a", "1"}, {"a", "0"}}),
            HttpApiStringToSign("GET", "/p", {{"a", "0"}, {"a", "1"}, {"b", "2"}}));
}

TEST(VerifyHttpApiRequest, AcceptsThePublishedExample) {
  EXPECT_TRUE(VerifyHttpApiRequest(PublishedExample(), kKey, kSecret, kTimestamp).ok());
}

TEST(VerifyHttpApiRequest, AcceptsQueryKeysInAnyCaseAndOrder) {
  HttpApiRequest request = PublishedExample();
  std::reverse(request.query.begin(), request.query.end());
  request.query[0].first = "AUTH_SIGNATURE";
  request.query[2].first = "Auth_Version";
  EXPECT_TRUE(VerifyHttpApiRequest(request, kKey, kSecret, kTimestamp).ok());
}

TEST(VerifyHttpApiRequest, AcceptsAGetSignedByThePusherNodeSdk) {
  // pusher-http-node 5.3.4, createSignedQueryString with Date.now() pinned to 1353088179 s:
  //   GET /apps/3/channels, params {filter_by_prefix: "presence-", info: "user_count"}.
  const HttpApiRequest request{
      "GET",
      "/apps/3/channels",
      {{"auth_key", std::string(kKey)},
       {"auth_timestamp", "1353088179"},
       {"auth_version", "1.0"},
       {"filter_by_prefix", "presence-"},
       {"info", "user_count"},
       {"auth_signature", "16819168891cb5dfd72b5c7a5d3d602605b26c6ba1930033b5e2eeeb65010291"}},
      ""};
  EXPECT_TRUE(VerifyHttpApiRequest(request, kKey, kSecret, kTimestamp).ok());
}

TEST(VerifyHttpApiRequest, AcceptsTimestampsUpTo600SecondsAway) {
  EXPECT_TRUE(VerifyHttpApiRequest(PublishedExample(), kKey, kSecret, kTimestamp + 600).ok());
  EXPECT_TRUE(VerifyHttpApiRequest(PublishedExample(), kKey, kSecret, kTimestamp - 600).ok());
}

TEST(VerifyHttpApiRequest, RejectsAStaleTimestamp) {
  EXPECT_EQ(RejectionOf(PublishedExample(), kTimestamp + 601),
            "auth_timestamp expired: more than 600 s from server time");
}

TEST(VerifyHttpApiRequest, RejectsATimestampFromTheFuture) {
  EXPECT_THAT(RejectionOf(PublishedExample(), kTimestamp - 601), HasSubstr("auth_timestamp"));
}

TEST(VerifyHttpApiRequest, RejectsTimestampsThatAreNotIntegers) {
  for (std::string_view bad : {"", "abc", "1353088179.5", " 1353088179", "1353088179 ",
                               "+1353088179", "0x50a6b1b3", "99999999999999999999999"}) {
    HttpApiRequest request = PublishedExample();
    Set(request.query, "auth_timestamp", bad);
    EXPECT_EQ(RejectionOf(request), "auth_timestamp must be an integer (Unix seconds)") << bad;
  }
}

TEST(VerifyHttpApiRequest, RejectsExtremeTimestampsWithoutOverflow) {
  HttpApiRequest request = PublishedExample();
  Set(request.query, "auth_timestamp", "-9223372036854775808");
  EXPECT_THAT(RejectionOf(request, INT64_MAX), HasSubstr("auth_timestamp expired"));
  Set(request.query, "auth_timestamp", "9223372036854775807");
  EXPECT_THAT(RejectionOf(request, -1), HasSubstr("auth_timestamp expired"));
}

TEST(VerifyHttpApiRequest, RejectsAMissingTimestamp) {
  HttpApiRequest request = PublishedExample();
  Erase(request.query, "auth_timestamp");
  EXPECT_EQ(RejectionOf(request), "auth_timestamp is missing");
}

TEST(VerifyHttpApiRequest, RejectsAnotherAppsKey) {
  HttpApiRequest request = PublishedExample();
  Set(request.query, "auth_key", "someone-else");
  EXPECT_EQ(RejectionOf(request), "auth_key does not match this app's key");
}

TEST(VerifyHttpApiRequest, RejectsAMissingKey) {
  HttpApiRequest request = PublishedExample();
  Erase(request.query, "auth_key");
  EXPECT_EQ(RejectionOf(request), "auth_key is missing");
}

TEST(VerifyHttpApiRequest, RejectsAnotherVersion) {
  HttpApiRequest request = PublishedExample();
  Set(request.query, "auth_version", "2.0");
  EXPECT_EQ(RejectionOf(request), "auth_version must be 1.0");
  Erase(request.query, "auth_version");
  EXPECT_EQ(RejectionOf(request), "auth_version is missing");
}

TEST(VerifyHttpApiRequest, RejectsATamperedBody) {
  HttpApiRequest request = PublishedExample();
  const std::string tampered = std::string(kBody) + " ";
  request.body = tampered;
  EXPECT_EQ(RejectionOf(request), "body_md5 does not match the MD5 of the request body");
}

TEST(VerifyHttpApiRequest, RejectsABodyWithoutBodyMd5) {
  HttpApiRequest request = PublishedExample();
  Erase(request.query, "body_md5");
  EXPECT_EQ(RejectionOf(request), "body_md5 is missing; it is required when there is a body");
}

TEST(VerifyHttpApiRequest, AcceptsAnUppercaseBodyMd5WhenItWasSigned) {
  const std::string upper = "EC365A775A4CD0599FAEB73354201B6F";
  Query query = SignHttpApiRequest("POST", "/apps/3/events", {}, kBody, kKey, kSecret, kTimestamp);
  Set(query, "body_md5", upper);
  Set(query, "auth_signature",
      HmacSha256Hex(kSecret, HttpApiStringToSign("POST", "/apps/3/events", query)));
  EXPECT_TRUE(
      VerifyHttpApiRequest({"POST", "/apps/3/events", query, kBody}, kKey, kSecret, kTimestamp)
          .ok());
}

TEST(VerifyHttpApiRequest, AcceptsAnEmptyBodyWithoutBodyMd5) {
  const Query query =
      SignHttpApiRequest("GET", "/apps/3/channels", {}, "", kKey, kSecret, kTimestamp);
  EXPECT_EQ(Find(query, "body_md5"), "");
  EXPECT_TRUE(
      VerifyHttpApiRequest({"GET", "/apps/3/channels", query, ""}, kKey, kSecret, kTimestamp).ok());
}

TEST(VerifyHttpApiRequest, AcceptsAnEmptyBodyWithTheMd5OfNothing) {
  Query query = SignHttpApiRequest("POST", "/apps/3/events", {}, "", kKey, kSecret, kTimestamp);
  Set(query, "body_md5", "d41d8cd98f00b204e9800998ecf8427e");
  Set(query, "auth_signature",
      HmacSha256Hex(kSecret, HttpApiStringToSign("POST", "/apps/3/events", query)));
  EXPECT_TRUE(
      VerifyHttpApiRequest({"POST", "/apps/3/events", query, ""}, kKey, kSecret, kTimestamp).ok());
}

TEST(VerifyHttpApiRequest, RejectsAnEmptyBodyWithAnotherBodyMd5) {
  // The body was dropped on the way but the signed digest still names it.
  HttpApiRequest request = PublishedExample();
  request.body = "";
  EXPECT_EQ(RejectionOf(request), "body_md5 does not match the MD5 of the request body");
}

TEST(VerifyHttpApiRequest, RejectsAWrongSignatureShowingWhatShouldHaveBeenSigned) {
  HttpApiRequest request = PublishedExample();
  Set(request.query, "auth_signature", std::string(64, '0'));
  const std::string message = RejectionOf(request);
  EXPECT_THAT(message, HasSubstr("auth_signature is invalid"));
  EXPECT_THAT(message, HasSubstr("POST\\n/apps/3/events\\nauth_key=278d425bdf160c739803&"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr(std::string(kSecret))));
  EXPECT_THAT(message, ::testing::Not(HasSubstr(std::string(kSignature))));
}

TEST(VerifyHttpApiRequest, RejectsATruncatedOrUppercasedSignature) {
  HttpApiRequest request = PublishedExample();
  Set(request.query, "auth_signature", kSignature.substr(0, 63));
  EXPECT_THAT(RejectionOf(request), HasSubstr("auth_signature is invalid"));
  Set(request.query, "auth_signature", std::string(kSignature) + "0");
  EXPECT_THAT(RejectionOf(request), HasSubstr("auth_signature is invalid"));
  Set(request.query, "auth_signature", "");
  EXPECT_THAT(RejectionOf(request), HasSubstr("auth_signature is invalid"));
}

TEST(VerifyHttpApiRequest, RejectsAMissingSignature) {
  HttpApiRequest request = PublishedExample();
  Erase(request.query, "auth_signature");
  EXPECT_EQ(RejectionOf(request), "auth_signature is missing");
}

TEST(VerifyHttpApiRequest, RejectsAnotherMethodOrPath) {
  HttpApiRequest request = PublishedExample();
  request.method = "PUT";
  EXPECT_THAT(RejectionOf(request), HasSubstr("auth_signature is invalid"));
  request = PublishedExample();
  request.path = "/apps/4/events";
  EXPECT_THAT(RejectionOf(request), HasSubstr("auth_signature is invalid"));
}

TEST(VerifyHttpApiRequest, RejectsAnAddedParameter) {
  HttpApiRequest request = PublishedExample();
  request.query.emplace_back("info", "user_count");
  EXPECT_THAT(RejectionOf(request), HasSubstr("auth_signature is invalid"));
}

TEST(VerifyHttpApiRequest, RejectsSigningParametersGivenTwice) {
  HttpApiRequest request = PublishedExample();
  request.query.emplace_back("AUTH_KEY", std::string(kKey));
  EXPECT_EQ(RejectionOf(request), "auth_key is given more than once");
}

TEST(SignHttpApiRequest, ReproducesThePublishedExample) {
  const Query query =
      SignHttpApiRequest("POST", "/apps/3/events", {}, kBody, kKey, kSecret, kTimestamp);
  EXPECT_EQ(query, PublishedExampleQuery());
}

TEST(SignHttpApiRequest, KeepsTheCallersParametersAndReplacesReservedOnes) {
  const Query query =
      SignHttpApiRequest("GET", "/apps/3/channels", {{"info", "user_count"}, {"auth_key", "stale"}},
                         "", kKey, kSecret, kTimestamp);
  EXPECT_EQ(Find(query, "info"), "user_count");
  EXPECT_EQ(Find(query, "auth_key"), kKey);
  EXPECT_EQ(std::count_if(query.begin(), query.end(),
                          [](const auto& param) { return param.first == "auth_key"; }),
            1);
}

TEST(SignHttpApiRequest, RoundTripsThroughVerification) {
  const std::string body = R"({"name":"e","channel":"c","data":"x"})";
  const Query query = SignHttpApiRequest("POST", "/apps/9/events", {{"extra", "a b&c"}}, body,
                                         "key", "secret", 1700000000);
  EXPECT_TRUE(
      VerifyHttpApiRequest({"POST", "/apps/9/events", query, body}, "key", "secret", 1700000100)
          .ok());
}

TEST(SignHttpApiRequest, RoundTripFailsForEachKindOfTampering) {
  const std::string body = R"({"name":"e","channel":"c","data":"x"})";
  const Query query =
      SignHttpApiRequest("POST", "/apps/9/events", {}, body, "key", "secret", 1700000000);
  const auto verify = [&](const HttpApiRequest& request, std::string_view key, int64_t now) {
    return VerifyHttpApiRequest(request, key, "secret", now);
  };

  const std::string other_body = R"({"name":"e","channel":"c","data":"y"})";
  EXPECT_THAT(
      std::string(
          verify({"POST", "/apps/9/events", query, other_body}, "key", 1700000000).message()),
      HasSubstr("body_md5 does not match"));
  EXPECT_THAT(
      std::string(verify({"POST", "/apps/9/events", query, body}, "key", 1700000601).message()),
      HasSubstr("auth_timestamp expired"));
  EXPECT_THAT(
      std::string(
          verify({"POST", "/apps/9/events", query, body}, "other-key", 1700000000).message()),
      HasSubstr("auth_key does not match"));

  Query wrong_version = query;
  Set(wrong_version, "auth_version", "1.1");
  EXPECT_THAT(
      std::string(
          verify({"POST", "/apps/9/events", wrong_version, body}, "key", 1700000000).message()),
      HasSubstr("auth_version must be 1.0"));

  Query no_md5 = query;
  Erase(no_md5, "body_md5");
  EXPECT_THAT(
      std::string(verify({"POST", "/apps/9/events", no_md5, body}, "key", 1700000000).message()),
      HasSubstr("body_md5 is missing"));

  EXPECT_FALSE(VerifyHttpApiRequest({"POST", "/apps/9/events", query, body}, "key",
                                    "another-secret", 1700000000)
                   .ok());
}

}  // namespace
}  // namespace gw::pusher
