#include "audit/record.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "audit/chain.hpp"

namespace airlock::audit {
namespace {

TEST(Record, EmptyOptionalFieldsAreOmittedAndKeysKeepTheirOrder) {
  Record r;
  r.seq = 7;
  r.time = "2024-05-01T12:00:00.123Z";
  r.agent = "bot";
  r.decision = "deny";
  r.rows_changed = 0;  // present: zero is a value
  r.prev = std::string(kGenesis);
  r.hash = std::string(64, 'a');
  EXPECT_EQ(
      serialize(r),
      "{\"seq\":7,\"time\":\"2024-05-01T12:00:00.123Z\",\"kind\":\"intent\",\"agent\":\"bot\","
      "\"decision\":\"deny\",\"rows_changed\":0,\"prev\":\"" +
          std::string(kGenesis) + "\",\"hash\":\"" + std::string(64, 'a') + "\"}");
}

TEST(Record, EveryFieldRoundTrips) {
  Record r;
  r.seq = 42;
  r.time = "2024-05-01T12:00:00.000Z";
  r.kind = kind::kOutcome;
  r.agent = "a";
  r.session = "s1";
  r.client = "10.0.0.1:5000";
  r.application_name = "app";
  r.mode = "shadow";
  r.front = "mcp";
  r.tool = "execute";
  r.request_id = "\"req-7\"";
  r.statement = "UPDATE t SET a = $1";
  r.fingerprint = "00ff";
  r.tables = {"public.t", "public.u"};
  r.decision = "allow";
  r.rule = "r1";
  r.reason = "because";
  r.rows_changed = 3;
  r.row_limit = 10;
  r.guard = "committed";
  r.approval_id = "ap-1";
  r.duration_us = 1234;
  r.sqlstate = "23505";
  r.error = "duplicate key";
  r.prev = std::string(kGenesis);
  r.hash = std::string(64, 'b');
  const std::string line = serialize(r);
  auto back = parse(line);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(serialize(*back), line);
  EXPECT_EQ(back->tables, r.tables);
  EXPECT_EQ(back->duration_us, 1234);
  EXPECT_EQ(back->front, "mcp");
  EXPECT_EQ(back->tool, "execute");
  EXPECT_EQ(back->request_id, "\"req-7\"");
}

TEST(Record, KindIsAlwaysWritten) {
  Record r;
  r.kind.clear();
  r.time = "2024-05-01T12:00:00.000Z";
  r.prev = std::string(kGenesis);
  const std::string line = serialize(r);
  EXPECT_NE(line.find("\"kind\":\"\""), std::string::npos) << line;
  EXPECT_TRUE(parse(line).has_value());
}

TEST(Record, StringsAreEscapedAndInvalidUtf8Replaced) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\nd\te\x01 \xC3\xA9 \xFF \xED\xA0\x80"));
  EXPECT_EQ(
      out,
      "\"a\\\"b\\\\c\\nd\\te\\u0001 \xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded());
}

TEST(Record, ParseRejectsWhatIsNotARecord) {
  for (const char* bad :
       {"", "[]", "{", "{\"seq\":1}", "{\"seq\":-1,\"time\":\"t\",\"kind\":\"k\",\"prev\":\"p\"}",
        "{\"seq\":1,\"time\":\"t\",\"kind\":\"k\",\"prev\":\"p\",\"extra\":1}",
        "{\"seq\":1,\"time\":\"t\",\"kind\":\"k\",\"prev\":\"p\",\"rows_changed\":\"x\"}"}) {
    EXPECT_FALSE(parse(bad).has_value()) << bad;
  }
}

TEST(Record, ParserReadsJsonEscapesAndRejectsOtherForms) {
  const std::string head = "{\"seq\":1,\"time\":\"t\",\"kind\":\"k\",\"prev\":\"p\"";
  auto r = parse(head + ",\"agent\":\"\\u00e9\\ud83d\\ude00\\/\\b\"}");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->agent, "\xC3\xA9\xF0\x9F\x98\x80/\b");
  for (const std::string& bad :
       {head + ", \"agent\":\"a\"}", head + ",\"kind\":\"x\"}", head + ",\"agent\":\"a\tb\"}",
        head + ",\"row_limit\":01}", head + ",\"agent\":\"\\udc00\"}", head + "} ",
        head + ",\"tables\":[1]}", head + ",\"agent\":\"\\x\"}"}) {
    EXPECT_FALSE(parse(bad).has_value()) << bad;
  }
}

TEST(Record, TimeIsRfc3339WithMillisecondsInUtc) {
  using namespace std::chrono;
  const system_clock::time_point t{milliseconds(1714564800123)};
  EXPECT_EQ(format_time(t), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(parse_time_ms("2024-05-01T12:00:00.123Z"), 1714564800123);
  EXPECT_EQ(parse_time_ms("2024-05-01 12:00:00.123Z"), std::nullopt);
  EXPECT_EQ(format_time(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(Chain, HashCoversPrevAndBody) {
  // sha256("0000...0000\n{}"), computed with coreutils sha256sum.
  EXPECT_EQ(chain_hash(kGenesis, "{}"),
            "5649d09ed68c17156095d175eef152856c5b1a81c117c409c1e00f096aa6838e");
  EXPECT_NE(chain_hash(kGenesis, "{}"), chain_hash(std::string(64, '1'), "{}"));
}

TEST(Chain, SealAndUnsealAreInverse) {
  const std::string body = "{\"seq\":1,\"prev\":\"x\"}";
  const std::string hash = chain_hash(kGenesis, body);
  const std::string line = seal(body, hash);
  EXPECT_EQ(line, "{\"seq\":1,\"prev\":\"x\",\"hash\":\"" + hash + "\"}");
  auto s = unseal(line);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->body, body);
  EXPECT_EQ(s->hash, hash);
  std::string upper = line;
  upper[upper.size() - 3] = 'A';
  EXPECT_FALSE(unseal(upper).has_value());
  EXPECT_FALSE(unseal("{}").has_value());
}

}  // namespace
}  // namespace airlock::audit
