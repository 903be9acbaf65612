#include "gateway/pusher/http_api_codec.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::pusher {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TriggerRejection(std::string_view body) {
  absl::StatusOr<TriggerRequest> request = ParseTriggerBody(body);
  EXPECT_FALSE(request.ok()) << body;
  if (request.ok()) return "";
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument) << request.status();
  return std::string(request.status().message());
}

std::string BatchRejection(std::string_view body) {
  absl::StatusOr<std::vector<TriggerRequest>> requests = ParseBatchBody(body);
  EXPECT_FALSE(requests.ok()) << body;
  if (requests.ok()) return "";
  EXPECT_EQ(requests.status().code(), absl::StatusCode::kInvalidArgument) << requests.status();
  return std::string(requests.status().message());
}

TEST(ParseInfo, ReadsBothAttributes) {
  const InfoRequest info = ParseInfo("user_count,subscription_count");
  EXPECT_TRUE(info.user_count);
  EXPECT_TRUE(info.subscription_count);
}

TEST(ParseInfo, IgnoresUnknownAttributesBlanksAndWhitespace) {
  const InfoRequest info = ParseInfo(" subscription_count ,,cache,USER_COUNT");
  EXPECT_TRUE(info.subscription_count);
  EXPECT_FALSE(info.user_count);
  const InfoRequest none = ParseInfo("");
  EXPECT_FALSE(none.subscription_count);
  EXPECT_FALSE(none.user_count);
}

TEST(ParseTriggerBody, ReadsPushersPublishedExample) {
  absl::StatusOr<TriggerRequest> request =
      ParseTriggerBody(R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->name, "foo");
  EXPECT_EQ(request->data, R"({"some":"data"})");
  EXPECT_THAT(request->channels, ElementsAre("project-3"));
  EXPECT_FALSE(request->socket_id.has_value());
  EXPECT_FALSE(request->info.subscription_count);
  EXPECT_FALSE(request->info.user_count);
}

TEST(ParseTriggerBody, ReadsASingleChannelSocketIdAndInfo) {
  absl::StatusOr<TriggerRequest> request =
      ParseTriggerBody(R"({"name":"e","channel":"presence-a","data":"x","socket_id":"1.2",)"
                       R"("info":"user_count,subscription_count"})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(request->channels, ElementsAre("presence-a"));
  EXPECT_EQ(request->socket_id, "1.2");
  EXPECT_TRUE(request->info.user_count);
  EXPECT_TRUE(request->info.subscription_count);
}

TEST(ParseTriggerBody, KeepsManyChannelsInOrder) {
  absl::StatusOr<TriggerRequest> request =
      ParseTriggerBody(R"({"name":"e","channels":["b","a","c"],"data":""})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(request->channels, ElementsAre("b", "a", "c"));
  EXPECT_EQ(request->data, "");
}

TEST(ParseTriggerBody, TreatsNullOptionalFieldsAsAbsent) {
  absl::StatusOr<TriggerRequest> request =
      ParseTriggerBody(R"({"name":"e","channel":"a","data":"x","socket_id":null,"info":null})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_FALSE(request->socket_id.has_value());
}

TEST(ParseTriggerBody, RequiresDataToBeAString) {
  for (std::string_view body :
       {R"({"name":"e","channel":"a","data":{"some":"data"}})",
        R"({"name":"e","channel":"a","data":42})", R"({"name":"e","channel":"a","data":null})",
        R"({"name":"e","channel":"a","data":["x"]})"}) {
    EXPECT_EQ(TriggerRejection(body), "data must be a string") << body;
  }
  EXPECT_EQ(TriggerRejection(R"({"name":"e","channel":"a"})"), "data is required");
}

TEST(ParseTriggerBody, RequiresAStringName) {
  EXPECT_EQ(TriggerRejection(R"({"channel":"a","data":"x"})"), "name is required");
  EXPECT_EQ(TriggerRejection(R"({"name":1,"channel":"a","data":"x"})"), "name must be a string");
}

TEST(ParseTriggerBody, RequiresChannelOrChannels) {
  EXPECT_EQ(TriggerRejection(R"({"name":"e","data":"x"})"),
            "channels (an array) or channel (a string) is required");
  EXPECT_EQ(TriggerRejection(R"({"name":"e","channel":"a","channels":["b"],"data":"x"})"),
            "give either channels or channel, not both");
}

TEST(ParseTriggerBody, RejectsChannelsOfTheWrongType) {
  EXPECT_EQ(TriggerRejection(R"({"name":"e","channels":"a","data":"x"})"),
            "channels must be an array of strings");
  EXPECT_EQ(TriggerRejection(R"({"name":"e","channels":["a",2],"data":"x"})"),
            "channels[1] must be a string");
  EXPECT_EQ(TriggerRejection(R"({"name":"e","channels":[],"data":"x"})"),
            "channels must not be empty");
  EXPECT_EQ(TriggerRejection(R"({"name":"e","channel":["a"],"data":"x"})"),
            "channel must be a string");
}

TEST(ParseTriggerBody, RejectsOptionalFieldsOfTheWrongType) {
  EXPECT_EQ(TriggerRejection(R"({"name":"e","channel":"a","data":"x","socket_id":1.5})"),
            "socket_id must be a string");
  EXPECT_EQ(TriggerRejection(R"({"name":"e","channel":"a","data":"x","info":["user_count"]})"),
            "info must be a string");
}

TEST(ParseTriggerBody, RejectsInvalidJsonAndNonObjects) {
  EXPECT_THAT(TriggerRejection(""), HasSubstr("body is not valid JSON"));
  EXPECT_THAT(TriggerRejection("{\"name\":"), HasSubstr("body is not valid JSON"));
  EXPECT_EQ(TriggerRejection("[]"), "body must be a JSON object");
  EXPECT_EQ(TriggerRejection("\"x\""), "body must be a JSON object");
  EXPECT_THAT(TriggerRejection(std::string(100000, '[')), HasSubstr("body is not valid JSON"));
}

TEST(ParseTriggerBody, HandlesLargeData) {
  const std::string data(2 << 20, 'd');
  absl::StatusOr<TriggerRequest> request =
      ParseTriggerBody(R"({"name":"e","channel":"a","data":")" + data + R"("})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->data, data);
}

TEST(ParseBatchBody, ReadsEveryEvent) {
  absl::StatusOr<std::vector<TriggerRequest>> requests = ParseBatchBody(
      R"({"batch":[{"name":"a","channel":"c1","data":"1"},)"
      R"({"name":"b","channel":"presence-c2","data":"2","socket_id":"1.1","info":"user_count"}]})");
  ASSERT_TRUE(requests.ok()) << requests.status();
  ASSERT_EQ(requests->size(), 2u);
  EXPECT_EQ((*requests)[0].name, "a");
  EXPECT_THAT((*requests)[0].channels, ElementsAre("c1"));
  EXPECT_EQ((*requests)[1].data, "2");
  EXPECT_EQ((*requests)[1].socket_id, "1.1");
  EXPECT_TRUE((*requests)[1].info.user_count);
}

TEST(ParseBatchBody, AcceptsAnEmptyBatchAndLeavesLimitsToTheCaller) {
  absl::StatusOr<std::vector<TriggerRequest>> requests = ParseBatchBody(R"({"batch":[]})");
  ASSERT_TRUE(requests.ok()) << requests.status();
  EXPECT_TRUE(requests->empty());
}

TEST(ParseBatchBody, NamesTheEntryAtFault) {
  EXPECT_EQ(BatchRejection(R"({"batch":[{"name":"a","channel":"c","data":"1"},)"
                           R"({"name":"b","channel":"c","data":{}}]})"),
            "batch[1].data must be a string");
  EXPECT_EQ(BatchRejection(R"({"batch":[{"name":"a","data":"1"}]})"),
            "batch[0].channel is required");
  EXPECT_EQ(BatchRejection(R"({"batch":[{"name":"a","channel":1,"data":"1"}]})"),
            "batch[0].channel must be a string");
  EXPECT_EQ(BatchRejection(R"({"batch":[42]})"), "batch[0] must be a JSON object");
}

TEST(ParseBatchBody, RejectsChannelsArraysInBatchEntries) {
  EXPECT_EQ(BatchRejection(R"({"batch":[{"name":"a","channels":["c"],"data":"1"}]})"),
            "batch[0]: channels is not allowed: a batch event names one channel");
}

TEST(ParseBatchBody, RequiresABatchArray) {
  EXPECT_EQ(BatchRejection("{}"), "batch is required");
  EXPECT_EQ(BatchRejection(R"({"batch":{}})"), "batch must be an array of events");
  EXPECT_EQ(BatchRejection("[]"), "body must be a JSON object");
  EXPECT_THAT(BatchRejection("{batch:[]}"), HasSubstr("body is not valid JSON"));
}

TEST(EncodeTriggerResponse, IsAnEmptyObjectWhenNothingWasAsked) {
  EXPECT_EQ(EncodeTriggerResponse({}, {{"a", {3, std::nullopt}}}), "{}");
}

TEST(EncodeTriggerResponse, ReportsAskedAttributesPerChannel) {
  EXPECT_EQ(EncodeTriggerResponse({.subscription_count = true, .user_count = true},
                                  {{"presence-a", {5, 2}}, {"b", {3, std::nullopt}}}),
            R"({"channels":{"presence-a":{"subscription_count":5,"user_count":2},)"
            R"("b":{"subscription_count":3}}})");
}

TEST(EncodeTriggerResponse, LeavesOutUserCountForNonPresenceChannels) {
  EXPECT_EQ(EncodeTriggerResponse({.user_count = true}, {{"b", {3, std::nullopt}}}),
            R"({"channels":{"b":{}}})");
}

TEST(EncodeTriggerResponse, EscapesChannelNames) {
  EXPECT_EQ(EncodeTriggerResponse({.subscription_count = true}, {{"a\"b", {1, std::nullopt}}}),
            R"({"channels":{"a\"b":{"subscription_count":1}}})");
}

TEST(EncodeBatchResponse, IsAnEmptyObjectWhenNoEventAsked) {
  EXPECT_EQ(EncodeBatchResponse({{}, {}}, {{1, std::nullopt}, {2, std::nullopt}}), "{}");
  EXPECT_EQ(EncodeBatchResponse({}, {}), "{}");
}

TEST(EncodeBatchResponse, HasOneEntryPerEvent) {
  EXPECT_EQ(EncodeBatchResponse({{}, {.subscription_count = true, .user_count = true}},
                                {{1, std::nullopt}, {4, 2}}),
            R"({"batch":[{},{"subscription_count":4,"user_count":2}]})");
}

TEST(EncodeBatchResponse, ReportsEmptyAttributesWhenCountsAreMissing) {
  EXPECT_EQ(EncodeBatchResponse({{.subscription_count = true}, {.subscription_count = true}},
                                {{7, std::nullopt}}),
            R"({"batch":[{"subscription_count":7},{"subscription_count":0}]})");
}

TEST(EncodeChannelsResponse, ListsChannelsWithAskedAttributes) {
  EXPECT_EQ(EncodeChannelsResponse({.user_count = true},
                                   {{"presence-a", {3, 2}}, {"presence-b", {1, 1}}}),
            R"({"channels":{"presence-a":{"user_count":2},"presence-b":{"user_count":1}}})");
  EXPECT_EQ(EncodeChannelsResponse({}, {{"a", {3, std::nullopt}}}), R"({"channels":{"a":{}}})");
  EXPECT_EQ(EncodeChannelsResponse({}, {}), R"({"channels":{}})");
}

TEST(EncodeChannelResponse, ReportsOccupancyAndAskedCounts) {
  EXPECT_EQ(EncodeChannelResponse({}, {0, std::nullopt}), R"({"occupied":false})");
  EXPECT_EQ(EncodeChannelResponse({}, {2, std::nullopt}), R"({"occupied":true})");
  EXPECT_EQ(EncodeChannelResponse({.subscription_count = true, .user_count = true}, {4, 3}),
            R"({"occupied":true,"subscription_count":4,"user_count":3})");
  EXPECT_EQ(EncodeChannelResponse({.user_count = true}, {4, std::nullopt}), R"({"occupied":true})");
}

TEST(EncodeUsersResponse, ListsUserIds) {
  EXPECT_EQ(EncodeUsersResponse({"1", "two"}), R"({"users":[{"id":"1"},{"id":"two"}]})");
  EXPECT_EQ(EncodeUsersResponse({}), R"({"users":[]})");
}

TEST(EncodeErrorResponse, EscapesTheMessage) {
  EXPECT_EQ(EncodeErrorResponse("bad \"thing\"\n"), R"({"error":"bad \"thing\"\n"})");
}

}  // namespace
}  // namespace gw::pusher
