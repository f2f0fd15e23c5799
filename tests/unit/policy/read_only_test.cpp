// What a read-only front (the MCP query tool) may run: statements known to change nothing
// (policy/read_only.hpp). Every row that is `false` is a way a "read-only" tool was bypassed
// elsewhere: writable CTEs, SELECT INTO, functions that write, sequences, EXPLAIN ANALYZE.
#include <gtest/gtest.h>

#include <string>

#include "policy/read_only.hpp"
#include "sql/analyze.hpp"
#include "schema_catalog.hpp"

namespace airlock::policy {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE public.tickets (id integer NOT NULL, status text);
CREATE FUNCTION public.wipe() RETURNS void LANGUAGE sql VOLATILE AS $$ DELETE FROM tickets $$;
CREATE FUNCTION public.label(text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT $1 $$;
CREATE SEQUENCE public.s;
)";

const sql::Catalog& catalog() {
  static const sql::Catalog c = test::catalog_from(kSchema);
  return c;
}

struct Case {
  const char* sql;
  bool writes_nothing;
};

class ReadOnly : public ::testing::TestWithParam<Case> {};

TEST_P(ReadOnly, Table) {
  const Case& c = GetParam();
  const auto a = sql::analyze(c.sql, sql::AnalyzeLimits{}, catalog(), {"public"});
  ASSERT_TRUE(a.ok()) << c.sql << ": " << a.reason;
  bool all = !a.statements.empty();
  for (const auto& s : a.statements) all = all && writes_nothing(s);
  EXPECT_EQ(all, c.writes_nothing) << c.sql;
}

INSTANTIATE_TEST_SUITE_P(
    Statements, ReadOnly,
    ::testing::Values(
        Case{"SELECT id, status FROM tickets WHERE id = 1", true},
        Case{"SELECT count(*) FROM tickets", true},
        Case{"VALUES (1), (2)", true},
        Case{"TABLE tickets", true},
        Case{"SHOW search_path", true},
        Case{"SELECT lower(status), now(), pg_sleep(0.1) FROM tickets", true},
        Case{"SELECT current_setting('search_path')", true},
        Case{"SELECT pg_catalog.format_type(23, -1)", true},
        Case{"EXPLAIN SELECT * FROM tickets", true},
        // The planner folds immutable functions: EXPLAIN runs code, so only a SELECT that
        // would pass is explained in a read-only session.
        Case{"EXPLAIN UPDATE tickets SET status = 'x' WHERE id = 1", false},
        Case{"EXPLAIN INSERT INTO tickets VALUES (9, 'x')", false},
        Case{"EXPLAIN SELECT public.label('x')", false},
        Case{"EXPLAIN SELECT wipe()", false},
        Case{"EXPLAIN SELECT lower(status) FROM tickets", true},
        Case{"SELECT public.label(status) FROM tickets", false},  // user code, whatever it says
        Case{"SELECT wipe()", false},
        Case{"SELECT * FROM wipe()", false},
        Case{"SELECT nextval('s')", false},
        Case{"SELECT setval('s', 1)", false},
        Case{"SELECT set_config('search_path', 'x', false)", false},
        Case{"SELECT pg_terminate_backend(1)", false},
        Case{"SELECT * FROM tickets FOR UPDATE", false},
        Case{"SELECT * INTO copy_of_tickets FROM tickets", false},
        Case{"WITH d AS (DELETE FROM tickets RETURNING *) SELECT * FROM d", false},
        Case{"EXPLAIN ANALYZE DELETE FROM tickets", false},
        Case{"EXPLAIN (ANALYZE) SELECT * FROM tickets", false},
        Case{"DELETE FROM tickets WHERE id = 1", false},
        Case{"UPDATE tickets SET status = 'x' WHERE id = 1", false},
        Case{"INSERT INTO tickets VALUES (9, 'x')", false},
        Case{"COPY tickets TO STDOUT", false},
        Case{"SET search_path = public", false},
        Case{"BEGIN", false},
        Case{"PREPARE p AS SELECT 1", false},
        Case{"EXECUTE p", false},
        Case{"DECLARE c CURSOR FOR SELECT * FROM tickets", false},
        Case{"CALL something()", false},
        Case{"DO $$ BEGIN END $$", false},
        Case{"LOCK tickets", false},
        Case{"SELECT 1; DELETE FROM tickets", false}));

}  // namespace
}  // namespace airlock::policy
