// The two lineage facts result masking relies on (issue #6), against data/schema.sql:
//   direct   per result column: "d" when the value is a stored column's value as it is;
//   stored   the columns whose values a write stores (StatementFacts::stored_sources).
#include <gtest/gtest.h>

#include <algorithm>

#include "schema_fixture.hpp"

namespace airlock::sql::test {
namespace {

// One letter per result column: d(irect) or -.
std::string direct_of(const StatementFacts& f) {
  std::string out;
  for (const auto& o : f.output_columns) out += o.direct ? 'd' : '-';
  return out;
}

std::string stored_of(const StatementFacts& f) {
  std::vector<std::string> names;
  for (const auto& c : f.stored_sources) names.push_back(c.relation + "." + c.column);
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out + (f.stored_opaque ? " opaque" : "");
}

struct Case {
  const char* name;
  const char* sql;
  const char* direct;
  const char* stored;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class MaskingLineage : public testing::TestWithParam<Case> {};

TEST_P(MaskingLineage, Facts) {
  const Case& c = GetParam();
  const Analysis a = analyze_with_schema(c.sql);
  ASSERT_TRUE(a.ok()) << a.reason;
  ASSERT_EQ(a.statements.size(), 1u);
  EXPECT_EQ(direct_of(a.statements[0]), c.direct);
  EXPECT_EQ(stored_of(a.statements[0]), c.stored);
}

const Case kCases[] = {
    {"plain_and_alias", "SELECT email, phone AS remark, c.ssn FROM customers c", "ddd", ""},
    {"expressions_are_not_direct",
     "SELECT lower(email), email || '', substr(phone, 1, 3), email::varchar, "
     "CASE WHEN true THEN phone END, (SELECT 1) FROM customers",
     "------", ""},
    {"star_is_direct", "SELECT * FROM accounts", "dddd", ""},
    {"whole_row_is_not_direct", "SELECT c, row_to_json(c) FROM customers c", "--", ""},
    {"field_of_whole_row_is_direct", "SELECT (c).email, (c.*).phone FROM customers c",
     "dd", ""},
    {"field_of_row_constructor_is_not_direct", "SELECT (ROW(email)).f1 FROM customers", "-", ""},
    {"through_cte_and_subquery",
     "WITH w AS (SELECT email AS e, lower(phone) AS p FROM customers) "
     "SELECT s.e, s.p FROM (SELECT e, p FROM w) s",
     "d-", ""},
    {"union_direct_only_if_every_arm",
     "SELECT email, phone FROM customers UNION SELECT assignee, 'x' FROM tickets", "d-", ""},
    {"values_not_direct", "VALUES ('a')", "-", ""},
    {"returning_direct", "UPDATE tickets SET status = 'x' WHERE id = 1 RETURNING assignee, "
                         "upper(subject)",
     "d-", ""},
    {"copy_column_list_direct", "COPY customers (email, phone) TO STDOUT", "dd", ""},
    {"insert_select_stores", "INSERT INTO tickets (subject) SELECT email FROM customers", "",
     "customers.email"},
    {"insert_values_store_nothing_read", "INSERT INTO tickets (subject) VALUES ('x')", "", ""},
    {"update_set_stores",
     "UPDATE tickets t SET assignee = c.phone FROM customers c WHERE c.id = t.customer_id", "",
     "customers.phone"},
    {"update_subquery_stores",
     "UPDATE tickets SET subject = (SELECT ssn FROM customers WHERE id = 1) WHERE id = 1", "",
     "customers.ssn"},
    {"merge_stores",
     "MERGE INTO tickets t USING customers c ON t.customer_id = c.id "
     "WHEN MATCHED THEN UPDATE SET assignee = c.email "
     "WHEN NOT MATCHED THEN INSERT (subject) VALUES (c.phone)",
     "", "customers.email,customers.phone"},
    {"on_conflict_excluded_stores_nothing",
     "INSERT INTO accounts (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE "
     "SET name = excluded.name",
     "", ""},
    {"select_into_stores", "SELECT email INTO newt FROM customers", "d", "customers.email"},
    {"create_table_as_stores", "CREATE TABLE newt AS SELECT phone FROM customers", "",
     "customers.phone"},
    {"create_view_stores", "CREATE VIEW v AS SELECT lower(ssn) FROM customers", "",
     "customers.ssn"},
    {"cte_write_stores",
     "WITH x AS (INSERT INTO tickets (subject) SELECT email FROM customers RETURNING id) "
     "SELECT id FROM x",
     "d", "customers.email"},
    {"user_function_value_is_opaque",
     "INSERT INTO tickets (subject) SELECT mask_email(name) FROM customers", "",
     "customers.name opaque"},
};
INSTANTIATE_TEST_SUITE_P(Table, MaskingLineage, testing::ValuesIn(kCases),
                         [](const auto& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock::sql::test
