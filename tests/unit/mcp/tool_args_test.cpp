// tools/call arguments against the tools' input schemas, as a table.
#include "mcp/tool_args.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "mcp/tool_schema.hpp"

namespace airlock::mcp {
namespace {

using nlohmann::json;

struct ArgsRow {
  const char* name;
  const char* params;  // the tools/call params object
  bool execute;        // the caller's ToolSet
  const char* error;   // substring of the -32602 message; nullptr = accepted
};

const ArgsRow kRows[] = {
    {"list_tables_no_arguments", R"({"name":"list_tables"})", false, nullptr},
    {"list_tables_empty_arguments", R"({"name":"list_tables","arguments":{}})", false, nullptr},
    {"list_tables_with_intent", R"({"name":"list_tables","arguments":{"intent":"look"}})", false,
     nullptr},
    {"query_minimal", R"({"name":"query","arguments":{"sql":"select 1"}})", false, nullptr},
    {"query_with_params",
     R"({"name":"query","arguments":{"sql":"select $1,$2,$3,$4","params":["a",1,true,null]}})",
     false, nullptr},
    {"query_params_null_is_absent", R"({"name":"query","arguments":{"sql":"x","params":null}})",
     false, nullptr},
    {"describe_table", R"({"name":"describe_table","arguments":{"table":"public.t"}})", false,
     nullptr},
    {"approval_status", R"({"name":"approval_status","arguments":{"id":"ap_1"}})", false, nullptr},
    {"check", R"({"name":"check","arguments":{"sql":"delete from t"}})", false, nullptr},
    {"execute_for_writer", R"({"name":"execute","arguments":{"sql":"update t set a=1"}})", true,
     nullptr},
    {"execute_hidden_from_reader", R"({"name":"execute","arguments":{"sql":"update t"}})", false,
     "Unknown tool: \"execute\""},
    {"unknown_tool", R"({"name":"drop_everything","arguments":{}})", false, "Unknown tool"},
    {"name_missing", R"({"arguments":{}})", false, "needs a string \"name\""},
    {"name_not_string", R"({"name":5})", false, "needs a string \"name\""},
    {"arguments_not_object", R"({"name":"query","arguments":["select 1"]})", false,
     "\"arguments\" must be an object"},
    {"sql_missing", R"({"name":"query","arguments":{}})", false,
     "missing required argument \"sql\""},
    {"sql_number", R"({"name":"query","arguments":{"sql":1}})", false,
     "\"sql\" must be a string, not number"},
    {"sql_null", R"({"name":"query","arguments":{"sql":null}})", false,
     "\"sql\" must be a string, not null"},
    {"sql_blank", R"({"name":"query","arguments":{"sql":"  \n"}})", false, "\"sql\" is empty"},
    {"unknown_property", R"({"name":"query","arguments":{"sql":"x","mode":"write"}})", false,
     "unknown argument \"mode\""},
    {"params_on_check", R"({"name":"check","arguments":{"sql":"x","params":[]}})", false,
     "unknown argument \"params\""},
    {"table_on_query", R"({"name":"query","arguments":{"sql":"x","table":"t"}})", false,
     "unknown argument \"table\""},
    {"params_not_array", R"({"name":"query","arguments":{"sql":"x","params":"1; drop"}})", false,
     "\"params\" must be an array"},
    {"params_element_object", R"({"name":"query","arguments":{"sql":"x","params":[{"a":1}]}})",
     false, "params[0] ($1) must be a string, number, boolean or null, not object"},
    {"params_element_array", R"({"name":"query","arguments":{"sql":"x","params":[1,[2]]}})", false,
     "params[1] ($2)"},
    {"table_missing", R"({"name":"describe_table","arguments":{}})", false,
     "missing required argument \"table\""},
    {"id_number", R"({"name":"approval_status","arguments":{"id":7}})", false,
     "\"id\" must be a string"},
    {"intent_number", R"({"name":"query","arguments":{"sql":"x","intent":3}})", false,
     "\"intent\" must be a string"},
    {"request_access_minimal",
     R"({"name":"request_access","arguments":{"allow":["public.t:select"],"reason":"r"}})", false,
     nullptr},
    {"request_access_full",
     R"({"name":"request_access","arguments":{"allow":["public.t:select,update"],"ttl":"15m",
         "max_rows":10,"reason":"ticket 123","intent":"triage"}})",
     false, nullptr},
    {"request_access_allow_missing", R"({"name":"request_access","arguments":{"reason":"r"}})",
     false, "\"allow\" must be an array of 1 to 100"},
    {"request_access_allow_empty",
     R"({"name":"request_access","arguments":{"allow":[],"reason":"r"}})", false,
     "\"allow\" must be an array"},
    {"request_access_allow_string",
     R"({"name":"request_access","arguments":{"allow":"public.t:select","reason":"r"}})", false,
     "\"allow\" must be an array"},
    {"request_access_allow_number",
     R"({"name":"request_access","arguments":{"allow":[1],"reason":"r"}})", false,
     "\"allow\" must hold only strings"},
    {"request_access_reason_missing",
     R"({"name":"request_access","arguments":{"allow":["public.t:select"]}})", false,
     "missing required argument \"reason\""},
    {"request_access_ttl_not_duration",
     R"({"name":"request_access","arguments":{"allow":["public.t:select"],"reason":"r",
         "ttl":"soon"}})",
     false, "\"ttl\" is not a duration"},
    {"request_access_ttl_zero",
     R"({"name":"request_access","arguments":{"allow":["public.t:select"],"reason":"r",
         "ttl":"0"}})",
     false, "\"ttl\" is not a duration"},
    {"request_access_max_rows_negative",
     R"({"name":"request_access","arguments":{"allow":["public.t:select"],"reason":"r",
         "max_rows":-1}})",
     false, "\"max_rows\" must be an integer, 0 or more"},
    {"request_access_max_rows_text",
     R"({"name":"request_access","arguments":{"allow":["public.t:select"],"reason":"r",
         "max_rows":"5"}})",
     false, "\"max_rows\" must be an integer"},
    {"request_access_sql_unknown",
     R"({"name":"request_access","arguments":{"allow":["public.t:select"],"reason":"r",
         "sql":"x"}})",
     false, "unknown argument \"sql\""},
    {"access_status", R"({"name":"access_status","arguments":{"id":"apr_1"}})", false, nullptr},
    {"access_status_id_missing", R"({"name":"access_status","arguments":{}})", false,
     "missing required argument \"id\""},
    {"access_status_allow_unknown",
     R"({"name":"access_status","arguments":{"id":"apr_1","allow":[]}})", false,
     "unknown argument \"allow\""},
};

class Args : public ::testing::TestWithParam<ArgsRow> {};

TEST_P(Args, Row) {
  const auto& row = GetParam();
  const auto parsed =
      parse_tool_call(json::parse(row.params), json(7), ToolSet{.execute = row.execute});
  if (row.error == nullptr) {
    ASSERT_TRUE(std::holds_alternative<ToolRequest>(parsed))
        << std::get<jsonrpc::Error>(parsed).message;
    EXPECT_EQ(std::get<ToolRequest>(parsed).request_id, "7");
  } else {
    ASSERT_TRUE(std::holds_alternative<jsonrpc::Error>(parsed));
    const auto& e = std::get<jsonrpc::Error>(parsed);
    EXPECT_EQ(e.code, jsonrpc::code::kInvalidParams);
    EXPECT_NE(e.message.find(row.error), std::string::npos) << e.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Calls, Args, ::testing::ValuesIn(kRows),
                         [](const auto& row_info) { return std::string(row_info.param.name); });

struct ParamRow {
  const char* json_text;
  const char* expected;  // nullptr = SQL NULL
};

const ParamRow kParamRows[] = {
    {R"("it's")", "it's"},
    {"42", "42"},
    {"-42", "-42"},
    {"9007199254740993", "9007199254740993"},     // above 2^53: no digit lost
    {"18446744073709551615", "18446744073709551615"},  // uint64 max
    {"-9223372036854775808", "-9223372036854775808"},
    {"1.5", "1.5"},
    {"0.1", "0.1"},
    {"1e300", "1e+300"},
    {"true", "true"},
    {"false", "false"},
    {"null", nullptr},
};

TEST(ParamText, Table) {
  for (const auto& row : kParamRows) {
    const auto text = param_text(json::parse(row.json_text));
    if (row.expected == nullptr) {
      EXPECT_FALSE(text.has_value()) << row.json_text;
    } else {
      ASSERT_TRUE(text.has_value()) << row.json_text;
      EXPECT_EQ(*text, row.expected) << row.json_text;
    }
  }
}

TEST(Args, ValuesArriveInOrderAndIntentIsKept) {
  const auto parsed = parse_tool_call(
      json::parse(R"({"name":"execute","arguments":{"sql":"update t set a=$1 where b=$2",
                     "params":[9007199254740993,null],"intent":"fix row"}})"),
      json("r1"), ToolSet{.execute = true});
  const auto& req = std::get<ToolRequest>(parsed);
  EXPECT_EQ(req.tool, "execute");
  EXPECT_EQ(req.request_id, "\"r1\"");
  ASSERT_EQ(req.params.size(), 2u);
  EXPECT_EQ(req.params[0], "9007199254740993");
  EXPECT_FALSE(req.params[1].has_value());
  EXPECT_EQ(req.intent, "fix row");
}

TEST(Args, SqlOverOneMebibyteIsRefused) {
  json p = {{"name", "query"}, {"arguments", {{"sql", std::string(kMaxSqlBytes + 1, 'x')}}}};
  const auto parsed = parse_tool_call(p, json(1), ToolSet{});
  ASSERT_TRUE(std::holds_alternative<jsonrpc::Error>(parsed));
  p["arguments"]["sql"] = std::string(kMaxSqlBytes, 'x');
  EXPECT_TRUE(std::holds_alternative<ToolRequest>(parse_tool_call(p, json(1), ToolSet{})));
}

TEST(Args, MoreThanAThousandParamsAreRefused) {
  json p = {{"name", "query"},
            {"arguments", {{"sql", "x"}, {"params", json(std::vector<int>(kMaxParams + 1, 1))}}}};
  const auto parsed = parse_tool_call(p, json(1), ToolSet{});
  ASSERT_TRUE(std::holds_alternative<jsonrpc::Error>(parsed));
  p["arguments"]["params"] = json(std::vector<int>(kMaxParams, 1));
  EXPECT_TRUE(std::holds_alternative<ToolRequest>(parse_tool_call(p, json(1), ToolSet{})));
}

TEST(Schema, ToolsListedWithAndWithoutExecute) {
  const auto names = [](const json& tools) {
    std::string out;
    for (const auto& t : tools) out += t["name"].get<std::string>() + " ";
    return out;
  };
  EXPECT_EQ(names(tool_definitions(ToolSet{.execute = false})),
            "list_tables describe_table query explain check approval_status request_access "
            "access_status ");
  EXPECT_EQ(names(tool_definitions(ToolSet{.execute = true})),
            "list_tables describe_table query execute explain check approval_status "
            "request_access access_status ");
}

TEST(Args, RequestAccessFieldsReachTheRequest) {
  const auto parsed = parse_tool_call(
      json::parse(R"({"name":"request_access","arguments":{"allow":["public.t:select",
                     "public.u:update"],"ttl":"90s","max_rows":3,"reason":"ticket 9"}})"),
      json(1), ToolSet{});
  ASSERT_TRUE(std::holds_alternative<ToolRequest>(parsed));
  const auto& r = std::get<ToolRequest>(parsed);
  EXPECT_EQ(r.allow, (std::vector<std::string>{"public.t:select", "public.u:update"}));
  EXPECT_EQ(r.ttl, std::chrono::milliseconds(90'000));
  EXPECT_EQ(r.max_rows, 3);
  EXPECT_EQ(r.reason, "ticket 9");
}

TEST(Schema, AnnotationsAndClosedInputSchemas) {
  for (const auto& t : tool_definitions(ToolSet{.execute = true})) {
    const bool is_execute = t["name"] == "execute";
    // The access tools write only the state store: not read-only, not destructive, and a
    // token is collected once (not idempotent).
    const bool is_access = t["name"] == "request_access" || t["name"] == "access_status";
    EXPECT_EQ(t["annotations"]["readOnlyHint"], !is_execute && !is_access) << t["name"];
    if (is_execute || is_access) {
      EXPECT_EQ(t["annotations"]["destructiveHint"], is_execute) << t["name"];
      EXPECT_EQ(t["annotations"]["idempotentHint"], false) << t["name"];
    }
    EXPECT_EQ(t["inputSchema"]["type"], "object");
    EXPECT_EQ(t["inputSchema"]["additionalProperties"], false);
    EXPECT_TRUE(t["inputSchema"]["properties"].contains("intent")) << t["name"];
    EXPECT_EQ(t["outputSchema"]["type"], "object");
  }
}

}  // namespace
}  // namespace airlock::mcp
