// Security tables, each row named after the guardrail bypass it stops (field notes §4).
#include "case_table.hpp"

namespace airlock::sql::test {
namespace {

class Bypass : public testing::TestWithParam<FactsCase> {};
TEST_P(Bypass, Facts) { check_case(GetParam()); }

const FactsCase kBypasses[] = {
    {"stacked_commit_drop_schema", "COMMIT; DROP SCHEMA public CASCADE", "transaction_control;ddl",
     "", ""},
    {"stacked_select_drop", "SELECT 1; DROP TABLE users", "select;ddl", "users:ddl", ""},
    {"stacked_rollback_drop", "ROLLBACK; DROP TABLE users;", "transaction_control;ddl", "users:ddl",
     ""},
    {"leading_comment_delete", "/* hi */ DELETE FROM users;", "delete", "users:delete", ""},
    {"leading_line_comment_update", "-- x\nUPDATE accounts SET balance = 0;", "update",
     "accounts:update", ""},
    {"no_whitespace_tokens", "DELETE/*c*/FROM x;SELECT*FROM x", "delete;select", "x:delete x:read",
     ""},
    {"dollar_quote_desync", "SELECT $$'$$ ; DROP TABLE users -- '", "select;ddl", "users:ddl", ""},
    {"dollar_tag_desync", "SELECT $tag$'$tag$ ; DELETE FROM accounts -- '", "select;delete",
     "accounts:delete", ""},
    {"comment_dollar_desync", "SELECT 1 --$$\n;DROP TABLE x--$$", "select;ddl", "x:ddl", ""},
    {"dash_dash_comment_pg", "SELECT 1--1;DROP TABLE t", "select", "", ""},
    {"mysql_executable_comment", "/*!50000 DROP TABLE t */", "", "", ""},
    {"data_modifying_cte",
     "WITH updated AS (UPDATE users SET role = 'admin' RETURNING *) SELECT * FROM updated",
     "select", "users:update ~updated:read", ""},
    {"data_modifying_cte_delete",
     "WITH x AS (DELETE FROM users RETURNING *) SELECT count(*) FROM x", "select",
     "users:delete ~x:read", "count/0"},
    {"cte_then_update", "WITH x AS (SELECT 1) UPDATE t SET a = 1", "update", "t:update", ""},
    {"explain_analyze_delete", "EXPLAIN ANALYZE DELETE FROM orders", "explain", "orders:delete",
     ""},
    {"explain_options_analyze", "EXPLAIN (ANALYZE, BUFFERS) UPDATE o SET a = 1", "explain",
     "o:update", ""},
    {"select_into", "SELECT * INTO new_table FROM users", "select", "new_table:ddl users:read", ""},
    {"from_clause_function_pg_read_file", "SELECT * FROM pg_read_file('/etc/passwd')", "select", "",
     "pg_read_file/1@from"},
    {"target_function_pg_read_file", "SELECT pg_read_file('/etc/passwd')", "select", "",
     "pg_read_file/1"},
    {"schema_qualified_dblink", "SELECT pg_catalog.dblink('host=x'), public.run_dangerous()",
     "select", "", "pg_catalog.dblink/1 public.run_dangerous/0"},
    {"quoted_function_name", "SELECT \"pg_read_file\"('/etc/passwd')", "select", "",
     "pg_read_file/1"},
    {"unicode_escape_identifier", "SELECT * FROM U&\"\\0075sers\"", "select", "users:read", ""},
    {"unicode_escape_function", "SELECT U&\"pg\\005fread_file\"('/x')", "select", "",
     "pg_read_file/1"},
    {"prepare_execute", "PREPARE p AS DELETE FROM users WHERE id = $1; EXECUTE p(1)",
     "prepare;execute", "users:delete", ""},
    {"declare_cursor", "DECLARE c CURSOR FOR SELECT * FROM secrets FOR UPDATE", "declare_cursor",
     "secrets:lock secrets:read", ""},
    {"function_in_default_value", "CREATE TABLE t (a text DEFAULT pg_read_file('/x'))", "ddl",
     "t:ddl", "pg_read_file/1@ddl"},
    {"side_effect_functions", "SELECT pg_stat_reset(), nextval('s'), setval('s', 1)", "select", "",
     "nextval/1 pg_stat_reset/0 setval/2"},
    {"set_config_read_write", "SELECT set_config('default_transaction_read_only', 'off', false)",
     "select", "", "set_config/3"},
    {"where_tautology_still_update", "UPDATE rack SET fan_speed = 90 WHERE 1=1", "update",
     "rack:update", ""},
    // False-positive traps: nothing forbidden is actually touched.
    {"string_literal_mentions_table", "SELECT 'DROP TABLE users; DELETE FROM secrets'", "select",
     "", ""},
    {"comment_mentions_table", "SELECT 1 /* DELETE FROM secrets */ -- DROP TABLE users", "select",
     "", ""},
    {"column_named_like_keyword", "SELECT \"delete\", \"drop\", \"table\" FROM ok_t", "select",
     "ok_t:read", ""},
    {"alias_named_like_table", "SELECT secrets.a FROM ok_t AS secrets", "select", "ok_t:read", ""},
    {"dollar_string_mentions_table", "SELECT $x$ DROP TABLE users $x$", "select", "", ""},
};
INSTANTIATE_TEST_SUITE_P(Named, Bypass, testing::ValuesIn(kBypasses), case_name);

TEST(BypassFlags, DataModifyingCteIsFlagged) {
  const Analysis a = analyze("WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a.statements[0].has_data_modifying_cte);
  EXPECT_TRUE(a.statements[0].relations[0].in_cte);
}

TEST(BypassFlags, ExplainAnalyzeIsFlaggedAndPlainExplainIsNot) {
  const Analysis a = analyze(
      "EXPLAIN ANALYZE DELETE FROM orders; EXPLAIN DELETE FROM orders; "
      "EXPLAIN (ANALYZE false) DELETE FROM orders");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a.statements[0].is_explain_analyze);
  EXPECT_EQ(a.statements[0].inner_kind, StatementKind::Delete);
  EXPECT_FALSE(a.statements[1].is_explain_analyze);
  EXPECT_FALSE(a.statements[2].is_explain_analyze);
}

TEST(BypassFlags, SelectIntoIsFlagged) {
  const Analysis a = analyze("SELECT * INTO new_table FROM users");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a.statements[0].select_into);
}

TEST(BypassFlags, PrepareReportsInnerKind) {
  const Analysis a = analyze("PREPARE p AS DELETE FROM users");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.statements[0].kind, StatementKind::Prepare);
  EXPECT_EQ(a.statements[0].inner_kind, StatementKind::Delete);
  EXPECT_EQ(a.statements[0].object_name, "p");
}

TEST(BypassFlags, ParseErrorIsRefused) {
  for (const char* sql : {"SELEC 1", "SELECT 1; DROP TABL x", "SELECT (", "DROP;"}) {
    const Analysis a = analyze(sql);
    EXPECT_EQ(a.outcome, Outcome::ParseError) << sql;
    EXPECT_TRUE(a.statements.empty()) << sql;
    EXPECT_FALSE(a.reason.empty()) << sql;
  }
}

TEST(BypassFlags, InvalidUtf8IsRefused) {
  for (std::string sql : {std::string("SELECT '\xff'"), std::string("SELECT 1\0; DROP TABLE t", 23),
                          std::string("SELECT '\xc0\xaf'")}) {
    const Analysis a = analyze(sql);
    EXPECT_EQ(a.outcome, Outcome::InvalidUtf8);
    EXPECT_TRUE(a.statements.empty());
  }
}

}  // namespace
}  // namespace airlock::sql::test
