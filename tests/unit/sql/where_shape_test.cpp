// WHERE shapes of UPDATE/DELETE/MERGE against data/schema.sql: every tautology form an agent
// could use to touch every row, and restrictive predicates that must stay allowed.
#include <gtest/gtest.h>

#include "schema_fixture.hpp"

namespace airlock::sql::test {
namespace {

struct ShapeCase {
  const char* name;
  const char* sql;
  WhereShape shape;
};

std::ostream& operator<<(std::ostream& os, const ShapeCase& c) { return os << c.name; }

class Shape : public testing::TestWithParam<ShapeCase> {};

TEST_P(Shape, Match) {
  const ShapeCase& c = GetParam();
  const Analysis a = analyze_with_schema(c.sql);
  ASSERT_TRUE(a.ok()) << a.reason;
  ASSERT_EQ(a.statements.size(), 1u);
  EXPECT_EQ(a.statements[0].unsupported_reason, "");
  EXPECT_EQ(static_cast<int>(a.statements[0].where_shape), static_cast<int>(c.shape));
}

constexpr WhereShape kAbsent = WhereShape::Absent;
constexpr WhereShape kTaut = WhereShape::Tautological;
constexpr WhereShape kRestr = WhereShape::Restrictive;

const ShapeCase kTautologies[] = {
    {"no_where_delete", "DELETE FROM tickets", kAbsent},
    {"no_where_update", "UPDATE tickets SET status = 'x'", kAbsent},
    {"one_equals_one", "DELETE FROM tickets WHERE 1 = 1", kTaut},
    {"literal_true", "UPDATE tickets SET status = 'x' WHERE true", kTaut},
    {"not_false", "DELETE FROM tickets WHERE NOT false", kTaut},
    {"one_in_one", "DELETE FROM tickets WHERE 1 IN (1)", kTaut},
    {"coalesce_null_true", "DELETE FROM tickets WHERE coalesce(NULL, true)", kTaut},
    {"string_equals_itself", "DELETE FROM tickets WHERE 'a' = 'a'", kTaut},
    {"cast_string_true", "DELETE FROM tickets WHERE 't'::boolean", kTaut},
    {"arithmetic_folds", "DELETE FROM tickets WHERE 2 + 2 = 4", kTaut},
    {"string_vs_int", "DELETE FROM tickets WHERE '1' = 1", kTaut},
    {"is_not_distinct_null", "DELETE FROM tickets WHERE NULL IS NOT DISTINCT FROM NULL", kTaut},
    {"null_is_null", "DELETE FROM tickets WHERE NULL IS NULL", kTaut},
    {"true_is_true", "DELETE FROM tickets WHERE (1 < 2) IS TRUE", kTaut},
    {"case_always_true", "DELETE FROM tickets WHERE CASE WHEN id > 5 THEN true ELSE true END",
     kTaut},
    {"or_true_branch", "DELETE FROM tickets WHERE id = 5 OR 1 = 1", kTaut},
    {"or_self_comparison", "DELETE FROM tickets WHERE id = 5 OR status = status", kTaut},
    {"self_comparison", "DELETE FROM tickets WHERE id = id", kTaut},
    {"qualified_self_comparison", "DELETE FROM tickets t WHERE t.id >= tickets_id_dummy() OR t.id = t.id",
     kTaut},
    {"is_not_null_on_not_null_column", "DELETE FROM tickets WHERE status IS NOT NULL", kTaut},
    {"is_not_null_on_primary_key", "DELETE FROM customers WHERE id IS NOT NULL", kTaut},
    {"complementary_or", "DELETE FROM tickets WHERE id = 1 OR id <> 1", kTaut},
    {"null_or_not_null", "DELETE FROM tickets WHERE assignee IS NULL OR assignee IS NOT NULL",
     kTaut},
    {"p_or_not_p", "DELETE FROM tickets WHERE assignee = 'a' OR NOT assignee = 'a'", kTaut},
    {"no_target_column_now", "DELETE FROM tickets WHERE now() > '2000-01-01'", kTaut},
    {"exists_other_table", "DELETE FROM tickets WHERE EXISTS (SELECT 1 FROM customers)", kTaut},
    {"parameter_only", "UPDATE tickets SET status = 'x' WHERE $1", kTaut},
    {"other_table_column_only",
     "UPDATE tickets t SET status = 'x' FROM customers c WHERE c.email = 'a@b'", kTaut},
    {"and_of_tautologies", "DELETE FROM tickets WHERE 1 = 1 AND id = id", kTaut},
    {"merge_on_true",
     "MERGE INTO tickets t USING customers c ON true WHEN MATCHED THEN DELETE", kTaut},
    {"cte_delete_all", "WITH d AS (DELETE FROM tickets RETURNING id) SELECT count(*) FROM d",
     kAbsent},
    {"explain_analyze_update_all", "EXPLAIN ANALYZE UPDATE tickets SET status = 'x' WHERE 1 = 1",
     kTaut},
};
INSTANTIATE_TEST_SUITE_P(Tautologies, Shape, testing::ValuesIn(kTautologies),
                         [](const auto& i) { return std::string(i.param.name); });

const ShapeCase kRestrictive[] = {
    {"by_primary_key", "DELETE FROM tickets WHERE id = 5", kRestr},
    {"by_parameter", "UPDATE tickets SET status = $1 WHERE id = $2", kRestr},
    {"and_restrictive_with_tautology", "DELETE FROM tickets WHERE id = 5 AND 1 = 1", kRestr},
    {"constant_false", "DELETE FROM tickets WHERE 1 = 2", kRestr},
    {"is_null_nullable", "DELETE FROM tickets WHERE assignee IS NULL", kRestr},
    {"is_not_null_nullable", "DELETE FROM tickets WHERE assignee IS NOT NULL", kRestr},
    {"in_subquery", "DELETE FROM tickets WHERE customer_id IN (SELECT id FROM customers)", kRestr},
    {"correlated_exists",
     "DELETE FROM tickets t WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id)",
     kRestr},
    {"join_condition", "UPDATE tickets t SET status = 'x' FROM customers c "
     "WHERE c.id = t.customer_id", kRestr},
    {"or_of_restrictive", "DELETE FROM tickets WHERE id = 1 OR id = 2", kRestr},
    {"text_ordering_not_folded", "DELETE FROM tickets WHERE id = 1 AND 'a' < 'b'", kRestr},
    {"current_of", "DELETE FROM tickets WHERE CURRENT OF c", kRestr},
    {"merge_on_key",
     "MERGE INTO tickets t USING customers c ON t.customer_id = c.id WHEN MATCHED THEN DELETE",
     kRestr},
    {"upsert", "INSERT INTO accounts (id, name) VALUES (1, 'a') "
     "ON CONFLICT (id) DO UPDATE SET name = 'b'", kRestr},
    {"select_not_applicable", "SELECT * FROM tickets WHERE true", WhereShape::NotApplicable},
};
INSTANTIATE_TEST_SUITE_P(Restrictive, Shape, testing::ValuesIn(kRestrictive),
                         [](const auto& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock::sql::test
