// A policy without masks, deny_columns or columns never reads the columns of a SELECT, so the
// gateway skips that walk for it (sql::AnalyzeLimits::select_columns, issue #13). This proves
// the skip changes no decision: every statement of the SQL corpus and of the table below is
// decided with the full analysis and with the lean one, under policies without column rules,
// and the decisions must be equal in every field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "policy/evaluate.hpp"
#include "sql/analyze.hpp"
#include "schema_catalog.hpp"

namespace airlock::policy {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE public.customers (id integer NOT NULL, name text, email text, ssn text);
CREATE TABLE public.tickets (id integer NOT NULL, subject text, status text, customer_id integer);
CREATE TABLE public.accounts (id integer NOT NULL, balance numeric);
CREATE FUNCTION public.my_func(text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT $1 $$;
CREATE FUNCTION public.wipe() RETURNS void LANGUAGE sql VOLATILE AS $$ SELECT 1 $$;
CREATE SEQUENCE public.s;
)";

const sql::Catalog& catalog() {
  static const sql::Catalog c = test::catalog_from(kSchema);
  return c;
}

std::vector<AgentPolicy> policies() {
  RuleSpec reads;
  reads.tables = {"public.customers", "public.tickets"};
  reads.actions = {"select"};
  RuleSpec writes;
  writes.tables = {"public.tickets"};
  writes.actions = {"update", "insert", "delete"};
  writes.max_rows = 5;
  RuleSpec funcs;
  funcs.functions = {"public.my_func"};
  funcs.sequences = {"public.s"};
  RuleSpec held;
  held.tables = {"public.accounts"};
  held.actions = {"select", "update"};
  std::vector<AgentPolicy> out;
  out.push_back(AgentPolicy::compile("empty", {}, {}));
  out.push_back(AgentPolicy::compile("reader", std::vector<RuleSpec>{reads, funcs}, {}));
  out.push_back(AgentPolicy::compile("writer", std::vector<RuleSpec>{reads, writes, funcs},
                                     std::vector<RuleSpec>{held}));
  for (const auto& p : out) EXPECT_FALSE(p.uses_columns()) << p.agent();
  return out;
}

std::string describe(const Decision& d) {
  std::ostringstream o;
  o << to_string(d.verdict) << " | " << d.rule << " | " << d.reason << " | " << d.hint << " | "
    << (d.row_limit ? std::to_string(*d.row_limit) : "-") << " | " << to_string(d.over_limit)
    << " | masked " << d.masked_outputs.size() << " " << d.masked_columns.size() << " | shapes "
    << d.result_shapes.size() << " | redact " << d.redact_errors;
  return o.str();
}

void compare(const std::vector<AgentPolicy>& ps, const std::string& sql, int& compared) {
  const std::vector<std::string> path = {"public"};
  sql::AnalyzeLimits full;
  sql::AnalyzeLimits lean;
  lean.select_columns = false;
  const sql::Analysis a_full = sql::analyze(sql, full, catalog(), path);
  const sql::Analysis a_lean = sql::analyze(sql, lean, catalog(), path);
  ASSERT_EQ(a_full.outcome, a_lean.outcome) << sql;
  for (const auto& p : ps) {
    EXPECT_EQ(describe(evaluate(p, a_full, EvalContext{})), describe(evaluate(p, a_lean, EvalContext{})))
        << p.agent() << ": " << sql;
  }
  ++compared;
}

constexpr const char* kStatements[] = {
    "SELECT * FROM customers",
    "SELECT id, email FROM customers WHERE ssn = '1'",
    "SELECT c.email, t.subject FROM customers c JOIN tickets t ON t.customer_id = c.id",
    "SELECT (SELECT max(balance) FROM accounts), count(*) FROM tickets",
    "WITH x AS (SELECT * FROM customers) SELECT email FROM x",
    "WITH d AS (DELETE FROM tickets RETURNING *) SELECT * FROM d",
    "WITH u AS (UPDATE tickets SET status = 'x' RETURNING id) SELECT * FROM u",
    "SELECT * INTO scratch FROM customers",
    "SELECT my_func(email) FROM customers",
    "SELECT wipe()",
    "SELECT nextval('s')",
    "SELECT * FROM customers FOR UPDATE",
    "SELECT email FROM customers UNION SELECT subject FROM tickets",
    "SELECT row_to_json(c) FROM customers c",
    "SELECT * FROM pg_authid",
    "SELECT rolpassword FROM pg_catalog.pg_authid",
    "SELECT * FROM pg_stat_activity",
    "SELECT pg_sleep(5)",
    "SELECT current_setting('search_path')",
    "SELECT set_config('x', 'y', false)",
    "SELECT * FROM accounts",
    "SELECT * FROM generate_series(1, 3) g, LATERAL (SELECT g) l",
    "VALUES (1), (2)",
    "TABLE customers",
    "SELECT 1; UPDATE tickets SET status = 'x'",
    "UPDATE tickets SET status = 'x' WHERE id = 1",
    "DELETE FROM tickets",
    "INSERT INTO tickets SELECT * FROM tickets",
};

TEST(LeanColumns, SameDecisionsAsTheFullAnalysis) {
  const auto ps = policies();
  int compared = 0;
  for (const char* sql : kStatements) compare(ps, sql, compared);
  // Every statement of the analyzer's own corpus, one by one.
  const std::filesystem::path corpus =
      std::filesystem::path(AIRLOCK_TEST_DATA_DIR).parent_path().parent_path() / "sql" / "data" /
      "corpus.sql";
  std::ifstream in(corpus);
  ASSERT_TRUE(in) << corpus;
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  const sql::Analysis whole = sql::analyze(all, sql::AnalyzeLimits{.max_text_bytes = 1 << 24});
  ASSERT_TRUE(whole.ok()) << whole.reason;
  for (const auto& s : whole.statements) {
    const std::size_t len = s.text_length == 0 ? all.size() - s.text_offset : s.text_length;
    compare(ps, all.substr(s.text_offset, len), compared);
  }
  EXPECT_GT(compared, 200);
}

}  // namespace
}  // namespace airlock::policy
