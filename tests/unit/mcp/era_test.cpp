// Era classification and the 2026-07-28 header rules, as a table.
#include "mcp/era.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "mcp/header_value.hpp"
#include "mcp/versions.hpp"

namespace airlock::mcp {
namespace {

using nlohmann::json;

constexpr const char* kEnvelope =
    R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
    R"("io.modelcontextprotocol/clientCapabilities":{}})";

std::string modern_call(const char* name) {
  return std::string(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":")") +
         name + "\"," + kEnvelope + "}}";
}

struct EraRow {
  const char* name;
  std::string body;
  std::optional<std::string> version_header, method_header, name_header;
  const char* expect;  // "legacy", "modern", or the rejection "STATUS CODE"
};

const std::string kModernList =
    std::string(R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{)") + kEnvelope + "}}";

const EraRow kRows[] = {
    {"legacy_initialize", R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})",
     std::nullopt, std::nullopt, std::nullopt, "legacy"},
    {"legacy_list_with_header", R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", "2025-11-25",
     std::nullopt, std::nullopt, "legacy"},
    {"legacy_list_without_header", R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})",
     std::nullopt, std::nullopt, std::nullopt, "legacy"},
    {"legacy_unsupported_header", R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})",
     "2024-01-01", std::nullopt, std::nullopt, "400 -32600"},
    {"initialize_with_modern_header", R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})",
     "2026-07-28", std::nullopt, std::nullopt, "400 -32020"},
    {"modern_header_without_envelope", R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})",
     "2026-07-28", "tools/list", std::nullopt, "400 -32602"},
    {"modern_list", kModernList, "2026-07-28", "tools/list", std::nullopt, "modern"},
    {"modern_missing_version_header", kModernList, std::nullopt, "tools/list", std::nullopt,
     "400 -32020"},
    {"modern_missing_method_header", kModernList, "2026-07-28", std::nullopt, std::nullopt,
     "400 -32020"},
    {"modern_method_header_mismatch", kModernList, "2026-07-28", "tools/call", std::nullopt,
     "400 -32020"},
    {"modern_version_header_mismatch", kModernList, "2025-11-25", "tools/list", std::nullopt,
     "400 -32020"},
    {"modern_call", modern_call("query"), "2026-07-28", "tools/call", "query", "modern"},
    {"modern_call_base64_name", modern_call("query"), "2026-07-28", "tools/call",
     "=?base64?cXVlcnk=?=", "modern"},
    {"modern_call_missing_name_header", modern_call("query"), "2026-07-28", "tools/call",
     std::nullopt, "400 -32020"},
    {"modern_call_name_mismatch", modern_call("execute"), "2026-07-28", "tools/call", "query",
     "400 -32020"},
    {"modern_call_bad_base64", modern_call("query"), "2026-07-28", "tools/call", "=?base64?%%?=",
     "400 -32020"},
    {"unsupported_future_version",
     R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}})",
     "2099-01-01", "tools/list", std::nullopt, "400 -32022"},
    {"envelope_without_capabilities",
     R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})",
     "2026-07-28", "tools/list", std::nullopt, "400 -32602"},
    {"envelope_version_not_string",
     R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":5,"io.modelcontextprotocol/clientCapabilities":{}}}})",
     std::nullopt, std::nullopt, std::nullopt, "400 -32602"},
    {"modern_notification_needs_no_headers",
     std::string(R"({"jsonrpc":"2.0","method":"notifications/x","params":{)") + kEnvelope + "}}",
     std::nullopt, std::nullopt, std::nullopt, "modern"},
};

std::string outcome(const Era& era) {
  if (std::holds_alternative<LegacyEra>(era)) return "legacy";
  if (std::holds_alternative<ModernEra>(era)) return "modern";
  const auto& r = std::get<EraRejection>(era);
  return std::to_string(r.status) + " " + std::to_string(r.error.code);
}

class EraTable : public ::testing::TestWithParam<EraRow> {};

TEST_P(EraTable, Row) {
  const auto& row = GetParam();
  const auto decoded = jsonrpc::decode(row.body);
  ASSERT_TRUE(std::holds_alternative<jsonrpc::Message>(decoded)) << row.body;
  HttpMeta http;
  http.protocol_version = row.version_header;
  http.method = row.method_header;
  http.name = row.name_header;
  EXPECT_EQ(outcome(classify_era(http, std::get<jsonrpc::Message>(decoded))), row.expect);
}

INSTANTIATE_TEST_SUITE_P(Requests, EraTable, ::testing::ValuesIn(kRows),
                         [](const auto& row_info) { return std::string(row_info.param.name); });

TEST(Era, UnsupportedVersionListsWhatWeServe) {
  const auto decoded = jsonrpc::decode(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1900-01-01","io.modelcontextprotocol/clientCapabilities":{}}}})");
  const auto era = classify_era(HttpMeta{}, std::get<jsonrpc::Message>(decoded));
  const auto& data = std::get<EraRejection>(era).error.data;
  EXPECT_EQ(data["requested"], "1900-01-01");
  EXPECT_EQ(data["supported"][0], "2026-07-28");
}

struct NegotiationRow {
  const char* requested;
  const char* answered;
};

TEST(Versions, NegotiationTable) {
  const NegotiationRow rows[] = {
      {"2025-11-25", "2025-11-25"}, {"2025-06-18", "2025-06-18"}, {"2025-03-26", "2025-03-26"},
      {"2024-11-05", "2025-11-25"}, {"2026-07-28", "2025-11-25"}, {"garbage", "2025-11-25"},
      {"", "2025-11-25"},
  };
  for (const auto& row : rows) EXPECT_EQ(negotiate_legacy(row.requested), row.answered);
}

TEST(HeaderValue, Decoding) {
  EXPECT_EQ(decode_header_value(" query "), "query");
  EXPECT_EQ(decode_header_value("=?base64?SGVsbG8sIOS4lueVjA==?="), "Hello, \xE4\xB8\x96\xE7\x95\x8C");
  EXPECT_EQ(decode_header_value("=?base64?IHBhZGRlZCA=?="), " padded ");
  EXPECT_FALSE(decode_header_value("=?base64?abc?="));
  EXPECT_FALSE(decode_header_value("a\nb"));
  EXPECT_FALSE(decode_header_value("caf\xC3\xA9"));
}

}  // namespace
}  // namespace airlock::mcp
