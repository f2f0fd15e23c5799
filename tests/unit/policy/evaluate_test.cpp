// The engine's decision table without a catalog (names resolve through "public"; `*` stays
// unexpanded). The same families with a catalog run as YAML tables in tests/policy/.
#include <gtest/gtest.h>

#include "policy/evaluate.hpp"
#include "sql/analyze.hpp"

namespace airlock::policy {
namespace {

struct Case {
  const char* name;
  const char* sql;
  Verdict verdict;
  const char* rule;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

const AgentPolicy& policy() {
  static const AgentPolicy p = [] {
    RuleSpec read;
    read.tables = {"public.tickets", "public.customers"};
    read.actions = {"select"};
    RuleSpec guarded;
    guarded.tables = {"public.customers"};
    guarded.actions = {"select"};
    guarded.deny_columns = {"ssn"};
    RuleSpec write;
    write.tables = {"public.tickets"};
    write.actions = {"update", "delete"};
    write.max_rows = 50;
    RuleSpec seq;
    seq.sequences = {"public.ticket_seq"};
    RuleSpec hold;
    hold.tables = {"public.refunds"};
    hold.actions = {"insert"};
    hold.reason = "money";
    const std::vector<RuleSpec> allow = {read, guarded, write, seq};
    const std::vector<RuleSpec> holds = {hold};
    return AgentPolicy::compile("bot", allow, holds);
  }();
  return p;
}

class Evaluate : public testing::TestWithParam<Case> {};

TEST_P(Evaluate, Table) {
  const Case& c = GetParam();
  const Decision d = evaluate(policy(), sql::analyze(c.sql), EvalContext{});
  EXPECT_EQ(to_string(d.verdict), to_string(c.verdict)) << d.rule << ": " << d.reason;
  EXPECT_EQ(d.rule, c.rule) << d.reason;
  if (d.verdict != Verdict::Allow) {
    EXPECT_FALSE(d.reason.empty());
    EXPECT_EQ(d.hint, policy().hint());
  }
}

constexpr Verdict A = Verdict::Allow;
constexpr Verdict H = Verdict::Hold;
constexpr Verdict D = Verdict::Deny;

const Case kCases[] = {
    {"select_allowed", "SELECT id FROM tickets", A, "allow[0]"},
    {"select_unlisted_table", "SELECT * FROM secrets", D, "default_deny"},
    {"qualified_other_schema", "SELECT * FROM billing.tickets", D, "default_deny"},
    {"stacked_commit_drop_schema", "COMMIT; DROP SCHEMA public CASCADE", D,
     "builtin.ddl_without_table"},
    {"select_then_drop", "SELECT 1; DROP TABLE tickets", D, "default_deny"},
    {"parse_error_is_refused", "SELEC 1", D, "builtin.unparsed"},
    {"invalid_utf8", "SELECT '\xff'", D, "builtin.invalid_utf8"},
    {"empty_string", "  ;  ", A, "builtin.empty"},
    {"select_constant", "SELECT 1", A, "builtin.no_objects"},
    {"update_with_where", "UPDATE tickets SET status = 'x' WHERE id = 1", A, "allow[2]"},
    {"update_without_where", "UPDATE tickets SET status = 'x'", D, "builtin.where_required"},
    {"where_tautology", "DELETE FROM tickets WHERE 1 = 1", D, "builtin.where_required"},
    {"data_modifying_cte", "WITH x AS (DELETE FROM tickets RETURNING *) SELECT * FROM x", D,
     "builtin.where_required"},
    {"explain_analyze_delete", "EXPLAIN ANALYZE DELETE FROM customers WHERE id = 1", D,
     "default_deny"},
    {"explain_select", "EXPLAIN SELECT * FROM tickets", A, "allow[0]"},
    {"hold_insert", "INSERT INTO refunds VALUES (1)", H, "hold[0]"},
    {"hold_then_deny", "INSERT INTO refunds VALUES (1); SELECT * FROM secrets", D,
     "default_deny"},
    {"deny_columns_unknown_star", "SELECT * FROM customers", D, "builtin.columns_unknown"},
    {"deny_columns_named", "SELECT ssn FROM customers", D, "allow[1].deny_columns"},
    {"deny_columns_other_column", "SELECT name FROM customers", A, "allow[0]"},
    {"sequence_allowed", "SELECT nextval('ticket_seq')", A, "allow[3]"},
    {"sequence_other", "SELECT nextval('other_seq')", D, "default_deny"},
    {"select_from_sequence", "SELECT last_value FROM ticket_seq", A, "allow[3]"},
    {"pg_read_file_from", "SELECT * FROM pg_read_file('/etc/passwd')", D,
     "builtin.dangerous_function"},
    {"volatile_catalog_function", "SELECT random()", D, "default_deny"},
    {"catalog_read", "SELECT relname FROM pg_class", A, "builtin.catalog_read"},
    {"sensitive_catalog", "SELECT * FROM pg_catalog.pg_shadow", D, "builtin.sensitive_catalog"},
    {"set_role", "SET ROLE admin", D, "builtin.setting_denied"},
    {"set_client_encoding", "SET client_encoding = 'SJIS'", D, "builtin.setting_denied"},
    {"set_client_encoding_gbk_quoted_like_utf8", "SET client_encoding = 'GBK'", D,
     "builtin.setting_denied"},
    {"set_client_encoding_utf16", "SET client_encoding = 'utf-16'", D, "builtin.setting_denied"},
    {"set_client_encoding_utf8mb4", "SET client_encoding = 'utf8mb4'", D,
     "builtin.setting_denied"},
    {"set_names_latin1", "SET NAMES 'LATIN1'", D, "builtin.setting_denied"},
    {"set_client_encoding_utf8", "SET client_encoding = 'UTF8'", A, "builtin.session_setting"},
    {"set_client_encoding_utf_dash_8", "SET client_encoding TO 'utf-8'", A,
     "builtin.session_setting"},
    {"set_names_unicode", "SET NAMES 'Unicode'", A, "builtin.session_setting"},
    {"set_client_encoding_default", "SET client_encoding TO DEFAULT", A,
     "builtin.session_setting"},
    {"reset_role", "RESET ROLE", A, "builtin.session_setting"},
    {"read_write_with_write_entry", "BEGIN READ WRITE", A, "builtin.transaction_control"},
    {"transaction_control", "BEGIN; SAVEPOINT a; ROLLBACK TO a; COMMIT", A,
     "builtin.transaction_control"},
    {"two_phase", "COMMIT PREPARED 'x'", D, "builtin.two_phase"},
    {"show_sensitive", "SHOW data_directory", D, "builtin.setting_read"},
    {"show_all", "SHOW ALL", D, "builtin.setting_read"},
    {"search_path_then_select", "SET search_path = evil; SELECT * FROM tickets", D,
     "default_deny"},
    {"execute_unknown", "EXECUTE p", D, "builtin.unknown_prepared"},
    {"prepare_then_execute", "PREPARE p AS SELECT * FROM tickets; EXECUTE p", A, "allow[0]"},
    {"copy_to_stdout", "COPY tickets TO STDOUT", A, "allow[0]"},
    {"copy_from_stdin_needs_insert", "COPY tickets FROM STDIN", D, "default_deny"},
    {"copy_program", "COPY (SELECT 1) TO PROGRAM 'sh'", D, "builtin.copy_file"},
    {"lock_needs_lock", "LOCK TABLE tickets", D, "default_deny"},
    {"truncate_needs_truncate", "TRUNCATE tickets", D, "default_deny"},
    {"do_block", "DO $$ BEGIN END $$", D, "builtin.opaque_code"},
    {"call_unlisted", "CALL public.p()", D, "builtin.opaque_code"},
    {"listen", "LISTEN jobs", A, "builtin.listen"},
    {"notify", "NOTIFY jobs", D, "builtin.notify"},
    {"checkpoint", "CHECKPOINT", D, "builtin.server_admin"},
    {"grant", "GRANT SELECT ON tickets TO public", D, "builtin.privileges"},
    {"vacuum_table_needs_ddl", "VACUUM tickets", D, "default_deny"},
    // pg_sleep runs once per row of whatever the statement reads
    {"sleep_alone", "SELECT pg_sleep(0.5)", A, "builtin.pg_sleep"},
    {"sleep_then_select", "SELECT pg_sleep(0.5); SELECT id FROM tickets", A, "allow[0]"},
    {"sleep_per_row_of_table", "SELECT id, pg_sleep(0.5) FROM tickets", D,
     "builtin.sleep_per_row"},
    {"sleep_in_where", "SELECT id FROM tickets WHERE pg_sleep(0.1) IS NOT NULL", D,
     "builtin.sleep_per_row"},
    {"sleep_per_row_qualified", "SELECT pg_catalog.pg_sleep(0.1) FROM tickets", D,
     "builtin.sleep_per_row"},
    {"sleep_from_generate_series", "SELECT pg_sleep(0.5) FROM generate_series(1, 100)", D,
     "builtin.sleep_per_row"},
    {"sleep_beside_srf_in_target_list", "SELECT pg_sleep(0.5), generate_series(1, 100)", D,
     "builtin.sleep_per_row"},
    {"sleep_beside_unnest", "SELECT unnest(ARRAY[1, 2, 3]), pg_sleep(0.5)", D,
     "builtin.sleep_per_row"},
    {"sleep_from_values", "SELECT pg_sleep(0.5) FROM (VALUES (1), (2)) v", D,
     "builtin.sleep_per_row"},
    {"sleep_from_xmltable",
     "SELECT pg_sleep(0.5) FROM XMLTABLE('/r/a' PASSING '<r><a/><a/></r>' COLUMNS x int PATH '.')",
     D, "builtin.sleep_per_row"},
    {"sleep_over_recursive_cte",
     "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT pg_sleep(0.5) FROM r",
     D, "builtin.sleep_per_row"},
    {"sleep_in_scalar_subquery_over_table", "SELECT (SELECT pg_sleep(0.5) FROM tickets LIMIT 1)",
     D, "builtin.sleep_per_row"},
    {"sleep_in_update", "UPDATE tickets SET status = pg_sleep(0.1)::text WHERE id > 0", D,
     "builtin.sleep_per_row"},
    {"sleep_for_per_row", "SELECT pg_sleep_for('0.1 s') FROM tickets", D,
     "builtin.sleep_per_row"},
    {"sleep_until_alone_stays_dangerous", "SELECT pg_sleep_until(now())", D,
     "builtin.dangerous_function"},
};
INSTANTIATE_TEST_SUITE_P(NoCatalog, Evaluate, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(EvaluateObligations, RowLimitAndMaskTravelWithAllow) {
  const Decision d =
      evaluate(policy(), sql::analyze("DELETE FROM tickets WHERE id = 3"), EvalContext{});
  EXPECT_EQ(d.verdict, Verdict::Allow);
  EXPECT_EQ(d.row_limit, 50u);
}

TEST(EvaluateContext, PreparedLookupFromTheGateway) {
  EvalContext ctx;
  ctx.prepared = [](std::string_view name) -> std::optional<Decision> {
    if (name == "known") return Decision::allow("allow[0]");
    return std::nullopt;
  };
  EXPECT_EQ(evaluate(policy(), sql::analyze("EXECUTE known"), ctx).verdict, Verdict::Allow);
  EXPECT_EQ(evaluate(policy(), sql::analyze("EXECUTE other"), ctx).rule,
            "builtin.unknown_prepared");
}

}  // namespace
}  // namespace airlock::policy
