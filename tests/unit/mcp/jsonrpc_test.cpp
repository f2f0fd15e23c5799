// JSON-RPC decoding of one POST body, as a table: what each malformed body becomes.
#include "mcp/jsonrpc.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace airlock::mcp::jsonrpc {
namespace {

struct DecodeRow {
  const char* name;
  std::string body;
  int code;           // 0 = accepted
  Kind kind;          // when accepted
  const char* id;     // expected id as JSON text ("null" = none)
};

std::string nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

const DecodeRow kRows[] = {
    {"request", R"({"jsonrpc":"2.0","id":1,"method":"ping"})", 0, Kind::Request, "1"},
    {"string_id", R"({"jsonrpc":"2.0","id":"a","method":"ping","params":{}})", 0, Kind::Request,
     "\"a\""},
    {"big_integer_id", R"({"jsonrpc":"2.0","id":9007199254740993,"method":"ping"})", 0,
     Kind::Request, "9007199254740993"},
    {"notification", R"({"jsonrpc":"2.0","method":"notifications/initialized"})", 0,
     Kind::Notification, "null"},
    {"client_response", R"({"jsonrpc":"2.0","id":3,"result":{}})", 0, Kind::Response, "3"},
    {"client_error_response", R"({"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"x"}})", 0,
     Kind::Response, "3"},
    {"not_json", "hello", code::kParseError, Kind::Request, "null"},
    {"empty_body", "", code::kParseError, Kind::Request, "null"},
    {"truncated_json", R"({"jsonrpc":"2.0","id":1,"method":"pi)", code::kParseError,
     Kind::Request, "null"},
    {"invalid_utf8", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}", code::kParseError,
     Kind::Request, "null"},
    {"batch_is_refused_whole",
     R"([{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query"}}])",
     code::kInvalidRequest, Kind::Request, "null"},
    {"empty_batch", "[]", code::kInvalidRequest, Kind::Request, "null"},
    {"scalar_body", "42", code::kInvalidRequest, Kind::Request, "null"},
    {"missing_method", R"({"jsonrpc":"2.0","id":1})", code::kInvalidRequest, Kind::Request, "1"},
    {"missing_jsonrpc", R"({"id":1,"method":"ping"})", code::kInvalidRequest, Kind::Request, "1"},
    {"wrong_jsonrpc", R"({"jsonrpc":"1.0","id":1,"method":"ping"})", code::kInvalidRequest,
     Kind::Request, "1"},
    {"method_not_string", R"({"jsonrpc":"2.0","id":1,"method":7})", code::kInvalidRequest,
     Kind::Request, "1"},
    {"id_null", R"({"jsonrpc":"2.0","id":null,"method":"ping"})", code::kInvalidRequest,
     Kind::Request, "null"},
    {"id_float", R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", code::kInvalidRequest,
     Kind::Request, "null"},
    {"id_object", R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})", code::kInvalidRequest,
     Kind::Request, "null"},
    {"id_bool", R"({"jsonrpc":"2.0","id":true,"method":"ping"})", code::kInvalidRequest,
     Kind::Request, "null"},
    {"params_array", R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})",
     code::kInvalidRequest, Kind::Request, "1"},
    {"result_and_error", R"({"jsonrpc":"2.0","id":1,"result":{},"error":{}})",
     code::kInvalidRequest, Kind::Request, "1"},
    {"nested_64_is_fine", R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"a":)" +
                              nested(62) + "}}",
     0, Kind::Request, "1"},
    {"nested_100_refused_before_parsing", nested(100), code::kInvalidRequest, Kind::Request,
     "null"},
    {"nested_100000_refused", nested(100000), code::kInvalidRequest, Kind::Request, "null"},
    {"brackets_in_strings_do_not_count",
     R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"s":")" + std::string(1000, '[') +
         R"(\""}})",
     0, Kind::Request, "1"},
};

class Decode : public ::testing::TestWithParam<DecodeRow> {};

TEST_P(Decode, Row) {
  const auto& row = GetParam();
  const auto decoded = decode(row.body);
  if (row.code == 0) {
    ASSERT_TRUE(std::holds_alternative<Message>(decoded))
        << std::get<Rejected>(decoded).error.message;
    const auto& m = std::get<Message>(decoded);
    EXPECT_EQ(m.kind, row.kind);
    EXPECT_EQ(m.id.dump(), row.id);
  } else {
    ASSERT_TRUE(std::holds_alternative<Rejected>(decoded));
    const auto& r = std::get<Rejected>(decoded);
    EXPECT_EQ(r.error.code, row.code) << r.error.message;
    EXPECT_EQ(r.id.dump(), row.id);
  }
}

INSTANTIATE_TEST_SUITE_P(Bodies, Decode, ::testing::ValuesIn(kRows),
                         [](const auto& row_info) { return std::string(row_info.param.name); });

TEST(Decode, BatchMessageSaysSo) {
  const auto d = decode(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(std::get<Rejected>(d).error.message, "batches are not supported");
}

TEST(Decode, TwoMegabyteStringIsParsed) {
  const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"s":")" +
                           std::string(2 * 1024 * 1024, 'x') + R"("}})";
  const auto d = decode(body);
  ASSERT_TRUE(std::holds_alternative<Message>(d));
  EXPECT_EQ(std::get<Message>(d).params["s"].get_ref<const std::string&>().size(),
            2u * 1024 * 1024);
}

TEST(Responses, ErrorWithoutIdHasNullId) {  // JSON-RPC 2.0, section 5
  const auto text = error_response(nullptr, Error{code::kParseError, "Parse error", nullptr});
  EXPECT_EQ(text, R"({"error":{"code":-32700,"message":"Parse error"},"id":null,"jsonrpc":"2.0"})");
}

TEST(Responses, InvalidUtf8IsReplacedNotThrown) {
  const auto text = result_response(1, json{{"t", std::string("a\xff")}});
  EXPECT_NE(text.find("a\xEF\xBF\xBD"), std::string::npos);
}

}  // namespace
}  // namespace airlock::mcp::jsonrpc
