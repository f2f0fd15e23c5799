// Limits that run before the parser: size, UTF-8, nesting depth. The deep cases crash
// libpg_query's recursive consumers (its JSON output) or a naive walker; they must be refused.
#include <gtest/gtest.h>

#include <string>

#include "core/utf8.hpp"
#include "facts_matchers.hpp"
#include "sql/analyze.hpp"

namespace airlock::sql::test {
namespace {

std::string chain(const std::string& head, const std::string& link, int n,
                  const std::string& tail) {
  std::string s = head;
  s.reserve(head.size() + link.size() * static_cast<std::size_t>(n) + tail.size());
  for (int i = 0; i < n; ++i) s += link;
  return s + tail;
}

TEST(Limits, TooLargeIsRefusedBeforeParsing) {
  AnalyzeLimits l;
  l.max_text_bytes = 16;
  EXPECT_EQ(analyze("SELECT 1 FROM some_table", l).outcome, Outcome::TooLarge);
  EXPECT_EQ(analyze("SELECT 1", l).outcome, Outcome::Ok);
}

TEST(Limits, deep_nesting_refused_plus_chain_100k) {
  AnalyzeLimits l;
  l.max_text_bytes = 1 << 20;
  const Analysis a = analyze(chain("SELECT ", "1+", 100'000, "1"), l);
  EXPECT_EQ(a.outcome, Outcome::TooDeep) << describe(a);
}

TEST(Limits, deep_nesting_refused_within_default_size) {
  // 64k terms fit in the default 128 KiB.
  EXPECT_EQ(analyze(chain("SELECT ", "1+", 60'000, "1")).outcome, Outcome::TooDeep);
  EXPECT_EQ(analyze(chain("SELECT ", "1::int", 0, "") + chain("", "::int", 20'000, "")).outcome,
            Outcome::TooDeep);
  EXPECT_EQ(analyze("SELECT " + std::string(30'000, '(') + "1" + std::string(30'000, ')')).outcome,
            Outcome::TooDeep);
  EXPECT_EQ(analyze(chain("SELECT ", "(SELECT ", 5'000, "1") + std::string(5'000, ')')).outcome,
            Outcome::TooDeep);
  EXPECT_EQ(analyze(chain("SELECT ", "NOT ", 20'000, "true")).outcome, Outcome::TooDeep);
  EXPECT_EQ(analyze(chain("SELECT 1", " UNION SELECT 1", 5'000, "")).outcome, Outcome::TooDeep);
  EXPECT_EQ(analyze(chain("SELECT * FROM t0", " CROSS JOIN t", 5'000, "")).outcome,
            Outcome::TooDeep);
}

TEST(Limits, ModerateNestingIsAccepted) {
  EXPECT_EQ(analyze(chain("SELECT ", "1+", 500, "1")).outcome, Outcome::Ok);
  EXPECT_EQ(analyze("SELECT " + std::string(200, '(') + "1" + std::string(200, ')')).outcome,
            Outcome::Ok);
  // Long flat lists are not nesting.
  EXPECT_EQ(analyze(chain("SELECT 1 WHERE a IN (0", ",1", 20'000, ")")).outcome, Outcome::Ok);
  EXPECT_EQ(analyze(chain("SELECT 1 WHERE a = 0", " AND a = 1", 5'000, "")).outcome, Outcome::Ok);
  EXPECT_EQ(analyze(chain("INSERT INTO t VALUES (0)", ", (1)", 10'000, "")).outcome, Outcome::Ok);
}

TEST(Limits, WalkerLimitIsASecondLine) {
  // Disable the pre-scan's effect by giving a depth it cannot see: the walker still stops
  // at kWalkDepthFactor * max_depth nodes.
  AnalyzeLimits l;
  l.max_depth = 50;
  const Analysis a =
      analyze(chain("SELECT 1 WHERE a = 0", " AND (a = 1", 40, "") + std::string(40, ')'), l);
  EXPECT_EQ(a.outcome, Outcome::TooDeep) << describe(a);
}

TEST(Limits, ManyStatementsAreFine) {
  const Analysis a = analyze(chain("", "SELECT 1;", 2'000, ""));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.statements.size(), 2'000u);
}

// The scanner quotes the text "at or near" the error cut at a byte count; the reason goes
// to clients and into JSON, so a character cut in half becomes U+FFFD (issue #11).
struct ParseErrorCase {
  const char* name;
  const char* sql;
};

class ParseErrorReason : public testing::TestWithParam<ParseErrorCase> {};

TEST_P(ParseErrorReason, IsValidUtf8) {
  const Analysis a = analyze(GetParam().sql);
  ASSERT_EQ(a.outcome, Outcome::ParseError) << describe(a);
  EXPECT_TRUE(valid_utf8(a.reason)) << a.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseErrorReason,
    testing::Values(
        ParseErrorCase{"fullwidth_semicolon",
                       "SELECT id FROM tickets WHERE id = 1001\xEF\xBC\x9B" "DELETE FROM tickets"},
        ParseErrorCase{"fullwidth_semicolon_at_end", "SELECT 1001\xEF\xBC\x9B"},
        ParseErrorCase{"two_byte_after_number", "SELECT 1\xC3\xA9\xC3\xA9 FROM t"},
        ParseErrorCase{"emoji_after_number", "SELECT 7\xF0\x9F\x98\x80 x"}),
    [](const testing::TestParamInfo<ParseErrorCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock::sql::test
