#include "sql/normalize.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace airlock::sql {
namespace {

struct Case {
  const char* name;
  std::string in;
  std::string out;
  bool parsed;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // Parsed: libpg_query's $n, then the lexical pass for what it leaves.
      {"dml_constants", "SELECT * FROM users WHERE email = 'a@b.c' AND id = 42",
       "SELECT * FROM users WHERE email = $1 AND id = $2", true},
      {"comments_removed", "SELECT 1 -- call 555-0100\n", "SELECT $1 \n", true},
      {"block_comment_removed", "SELECT /* a@b.c /* nested */ */ 1", "SELECT $1", true},
      {"ddl_default", "CREATE TABLE t (c varchar(255) DEFAULT 'zz')",
       "CREATE TABLE t (c varchar(?) DEFAULT ?)", true},
      {"execute_arguments", "EXECUTE p('secret')", "EXECUTE p(?)", true},
      {"copy_path", "COPY t FROM '/home/alice/x.csv'", "COPY t FROM ?", true},
      {"password", "ALTER ROLE bob PASSWORD 'hunter2'", "ALTER ROLE bob PASSWORD $1", true},
      {"quoted_identifiers_kept", "SELECT \"Email\" FROM \"Users\" WHERE \"id\" = 1",
       "SELECT \"Email\" FROM \"Users\" WHERE \"id\" = $1", true},
      {"parameters_and_names_with_digits", "SELECT t1.a FROM t1 WHERE b = $1",
       "SELECT t1.a FROM t1 WHERE b = $1", true},
      {"dollar_quoted", "DO $body$ BEGIN RAISE NOTICE 'x'; END $body$", "DO $1", true},
      // Not parsed: every literal and quoted string becomes ?.
      {"unterminated_string", "SELECT 'john@example.com", "SELECT ?", false},
      {"trailing_and", "SELECT * FROM t WHERE a = 'x' AND b = 3.5e-2 AND",
       "SELECT * FROM t WHERE a = ? AND b = ? AND", false},
      {"mysql_double_quotes", "SELECT * FROM t WHERE e = \"a@b.c\" AND (",
       "SELECT * FROM t WHERE e = ? AND (", false},
      {"prefixed_strings", "SELECT E'a\\'b', X'ff', B'01', U&'d\\0061t', N'x' FROM",
       "SELECT ?, ?, ?, ?, ? FROM", false},
      {"dollar_tag_unterminated", "SELECT $t$ never ends", "SELECT ?", false},
      {"numbers", "SELECT .5, 1_000, 0x1F, 12 FROM", "SELECT ?, ?, ?, ? FROM", false},
      {"lone_dollar", "SELECT $ FROM", "SELECT $ FROM", false},
      {"comment_between_tokens", "SELECT a/* x */FROM", "SELECT a FROM", false},
  };
  return all;
}

class NormalizeCase : public testing::TestWithParam<Case> {};

TEST_P(NormalizeCase, RedactsLiterals) {
  const Case& c = GetParam();
  const Normalized n = normalize(c.in);
  EXPECT_EQ(n.text, c.out);
  EXPECT_EQ(n.parsed, c.parsed);
  EXPECT_EQ(n.fingerprint.empty(), !c.parsed);
}

INSTANTIATE_TEST_SUITE_P(Table, NormalizeCase, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(Normalize, FingerprintIgnoresLiteralValues) {
  EXPECT_EQ(normalize("SELECT * FROM t WHERE a = 1").fingerprint,
            normalize("SELECT * FROM t WHERE a = 2").fingerprint);
  EXPECT_NE(normalize("SELECT * FROM t WHERE a = 1").fingerprint,
            normalize("SELECT * FROM t WHERE b = 1").fingerprint);
  EXPECT_EQ(normalize("SELECT 1").fingerprint.size(), 16u);
}

TEST(RedactLiterals, ErrorMessagesFromPostgres) {
  EXPECT_EQ(redact_literals("invalid input syntax for type integer: \"555-0100\""),
            "invalid input syntax for type integer: ?");
  EXPECT_EQ(redact_literals("duplicate key value violates unique constraint \"users_email_key\""),
            "duplicate key value violates unique constraint ?");
}

TEST(RedactLiterals, UnterminatedConstructsDoNotOverrun) {
  for (const char* s :
       {"'abc", "\"abc", "$$abc", "$a$abc", "/* abc", "E'\\", "$", "--", "U&", "1e+"})
    EXPECT_NO_THROW(redact_literals(s)) << s;
}

}  // namespace
}  // namespace airlock::sql
