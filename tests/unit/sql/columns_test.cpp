// Columns read/written per relation and result-column lineage, against data/schema.sql.
// Rows are named after the bypass or trap they pin down.
#include <gtest/gtest.h>

#include "schema_fixture.hpp"

namespace airlock::sql::test {
namespace {

struct ColumnsCase {
  const char* name;
  const char* sql;
  const char* access;
  const char* outputs;
  bool with_catalog = true;
};

std::ostream& operator<<(std::ostream& os, const ColumnsCase& c) { return os << c.name; }

class Columns : public testing::TestWithParam<ColumnsCase> {};

TEST_P(Columns, Match) {
  const ColumnsCase& c = GetParam();
  const Analysis a = c.with_catalog ? analyze_with_schema(c.sql) : analyze(c.sql);
  ASSERT_TRUE(a.ok()) << a.reason;
  ASSERT_EQ(a.statements.size(), 1u);
  const StatementFacts& f = a.statements[0];
  EXPECT_EQ(f.unsupported_reason, "");
  EXPECT_EQ(access_of(f), c.access);
  EXPECT_EQ(outputs_of(f), c.outputs);
}

#define CUST "public.customers."
#define ALL_CUST                                                                         \
  "id<-" CUST "id; account_id<-" CUST "account_id; name<-" CUST "name; email<-" CUST   \
  "email; phone<-" CUST "phone; ssn<-" CUST "ssn"
#define CUST_SET CUST "account_id," CUST "email," CUST "id," CUST "name," CUST "phone," CUST "ssn"

const ColumnsCase kStarAndWholeRow[] = {
    {"star_expands_ssn", "SELECT * FROM customers", "public.customers r*", ALL_CUST},
    {"qualified_star_expands", "SELECT c.* FROM customers c JOIN tickets t ON t.customer_id = c.id",
     "public.customers r* | public.tickets r=customer_id", ALL_CUST},
    {"whole_row_alias_reads_all", "SELECT c FROM customers c", "public.customers r*",
     "c<-" CUST_SET},
    {"row_to_json_whole_row", "SELECT row_to_json(c) FROM customers c", "public.customers r*",
     "row_to_json<-" CUST_SET},
    {"to_jsonb_qualified_star", "SELECT to_jsonb(t.*) FROM customers t", "public.customers r*",
     "to_jsonb<-" CUST_SET},
    {"whole_row_field_reads_one_column", "SELECT (c).ssn FROM customers c",
     "public.customers r=ssn", "ssn<-" CUST "ssn"},
    {"qualified_star_field", "SELECT (customers.*).name FROM customers", "public.customers r=name",
     "name<-" CUST "name"},
    {"alias_star_field", "SELECT (c.*).phone AS p FROM customers c", "public.customers r=phone",
     "p<-" CUST "phone"},
    {"whole_row_field_in_where", "SELECT id FROM customers c WHERE (c).ssn = 'x'",
     "public.customers r=id,ssn", "id<-" CUST "id"},
    {"whole_row_field_of_subquery", "SELECT (s).x FROM (SELECT ssn AS x, name FROM customers) s",
     "public.customers r=name,ssn", "x<-" CUST "ssn"},
    {"whole_row_all_fields_reads_all", "SELECT (c).* FROM customers c", "public.customers r*",
     "c<-" CUST_SET},
    {"row_constructor_field_reads_its_arguments",
     "SELECT (ROW(c.email, c.ssn)).f1 FROM customers c", "public.customers r=email,ssn",
     "f1<-" CUST "email," CUST "ssn"},
    {"whole_row_field_without_catalog", "SELECT (c).email FROM customers c",
     "customers r=c,email", "email<-customers.c,customers.email", false},
    {"table_statement_reads_all", "TABLE customers", "public.customers r*", ALL_CUST},
    {"relation_name_as_whole_row", "SELECT customers::text FROM customers",
     "public.customers r*", "customers<-" CUST_SET},
    {"star_without_catalog_is_star", "SELECT * FROM customers", "customers r*",
     "*<-customers.* star", false},
    {"whole_row_without_catalog", "SELECT c FROM customers c", "customers r*",
     "c<-customers.*,customers.c", false},
    {"count_star_reads_no_column", "SELECT count(*) FROM customers", "public.customers",
     "count<-"},
    {"copy_to_reads_all", "COPY customers TO STDOUT", "public.customers r*", ALL_CUST},
    {"returning_star", "DELETE FROM ticket_comments WHERE id = 1 RETURNING *",
     "public.ticket_comments r*",
     "id<-public.ticket_comments.id; ticket_id<-public.ticket_comments.ticket_id; "
     "author<-public.ticket_comments.author; body<-public.ticket_comments.body"},
    {"join_using_star_is_merged", "SELECT * FROM customers JOIN subscriptions USING (id)",
     "public.customers r* | public.subscriptions r*",
     "*<-" CUST_SET ",public.subscriptions.customer_id,public.subscriptions.id,"
     "public.subscriptions.plan,public.subscriptions.status star"},
    {"function_in_from_star", "SELECT * FROM generate_series(1, 3) g", "", "*<- star"},
};
INSTANTIATE_TEST_SUITE_P(StarAndWholeRow, Columns, testing::ValuesIn(kStarAndWholeRow),
                         [](const auto& i) { return std::string(i.param.name); });

const ColumnsCase kDerived[] = {
    {"alias_hides_phone", "SELECT phone AS remark FROM customers", "public.customers r=phone",
     "remark<-" CUST "phone"},
    {"lower_email", "SELECT lower(email) FROM customers", "public.customers r=email",
     "lower<-" CUST "email"},
    {"concat_empty_string", "SELECT email || '' AS e FROM customers", "public.customers r=email",
     "e<-" CUST "email"},
    {"substr_phone", "SELECT substr(phone, 1, 3) FROM customers", "public.customers r=phone",
     "substr<-" CUST "phone"},
    {"cast_keeps_source", "SELECT ssn::varchar(4), CAST(phone AS bytea) p FROM customers",
     "public.customers r=phone,ssn", "ssn<-" CUST "ssn; p<-" CUST "phone"},
    {"scalar_subquery",
     "SELECT (SELECT ssn FROM customers c WHERE c.id = t.customer_id) AS x FROM tickets t",
     "public.customers r=id,ssn | public.tickets r=customer_id", "x<-" CUST "ssn"},
    {"cte_renames", "WITH c AS (SELECT phone AS p FROM customers) SELECT p AS remark FROM c",
     "public.customers r=phone", "remark<-" CUST "phone"},
    {"cte_star_then_column", "WITH c AS (SELECT * FROM customers) SELECT ssn FROM c",
     "public.customers r*", "ssn<-" CUST "ssn"},
    {"cte_column_list", "WITH c(a, b) AS (SELECT email, ssn FROM customers) SELECT b FROM c",
     "public.customers r=email,ssn", "b<-" CUST "ssn"},
    {"from_subquery_alias", "SELECT s.x FROM (SELECT ssn AS x FROM customers) s",
     "public.customers r=ssn", "x<-" CUST "ssn"},
    {"subquery_column_aliases", "SELECT z FROM (SELECT ssn FROM customers) s(z)",
     "public.customers r=ssn", "z<-" CUST "ssn"},
    {"table_alias_column_rename", "SELECT f FROM customers AS c(a, b, f)",
     "public.customers r=name", "f<-" CUST "name"},
    {"user_function_is_opaque", "SELECT mask_email(email) FROM customers",
     "public.customers r=email", "mask_email<-" CUST "email opaque"},
    {"query_to_xml_is_opaque", "SELECT query_to_xml('select ssn from customers', true, false, '')",
     "", "query_to_xml<- opaque"},
    {"case_branches", "SELECT CASE WHEN ssn IS NULL THEN phone ELSE email END AS contact FROM customers",
     "public.customers r=email,phone,ssn", "contact<-" CUST "email," CUST "phone," CUST "ssn"},
    {"union_merges_positions", "SELECT email FROM customers UNION SELECT assignee FROM tickets",
     "public.customers r=email | public.tickets r=assignee",
     "email<-" CUST "email,public.tickets.assignee"},
    {"recursive_cte_mixes_columns",
     "WITH RECURSIVE r(n, s) AS (SELECT 1, ssn FROM customers UNION ALL "
     "SELECT n + 1, s FROM r WHERE n < 3) SELECT n FROM r",
     "public.customers r=ssn", "n<-" CUST "ssn"},
    {"lateral_subquery", "SELECT x.n FROM customers c, LATERAL (SELECT c.ssn AS n) x",
     "public.customers r=ssn", "n<-" CUST "ssn"},
    {"view_columns", "SELECT email_lower FROM customer_contacts",
     "public.customer_contacts r=email_lower",
     "email_lower<-public.customer_contacts.email_lower"},
    {"values_rows", "VALUES (1, 'a'), (2, 'b')", "", "column1<-; column2<-"},
    {"returning_column", "UPDATE tickets SET status = 'closed' WHERE id = 1 RETURNING assignee",
     "public.tickets r=assignee,id w=status", "assignee<-public.tickets.assignee"},
    {"copy_column_list", "COPY customers (email) TO STDOUT", "public.customers r=email",
     "email<-" CUST "email"},
    {"explain_has_no_result_columns", "EXPLAIN ANALYZE SELECT ssn FROM customers",
     "public.customers r=ssn", ""},
};
INSTANTIATE_TEST_SUITE_P(Derived, Columns, testing::ValuesIn(kDerived),
                         [](const auto& i) { return std::string(i.param.name); });

const ColumnsCase kAttribution[] = {
    {"unqualified_join_by_catalog",
     "SELECT plan, email FROM customers c JOIN subscriptions s ON s.customer_id = c.id",
     "public.customers r=email,id | public.subscriptions r=customer_id,plan",
     "plan<-public.subscriptions.plan; email<-" CUST "email"},
    {"unknown_attributes_to_all",
     "SELECT plan FROM customers c JOIN subscriptions s ON true", "customers r=plan | subscriptions r=plan",
     "plan<-customers.plan,subscriptions.plan", false},
    {"ambiguous_attributes_to_all", "SELECT id FROM customers, tickets",
     "public.customers r=id | public.tickets r=id", "id<-" CUST "id,public.tickets.id"},
    {"correlated_exists",
     "SELECT name FROM customers c WHERE EXISTS "
     "(SELECT 1 FROM tickets t WHERE t.customer_id = c.id AND status = 'open')",
     "public.customers r=id,name | public.tickets r=customer_id,status", "name<-" CUST "name"},
    {"group_having_order",
     "SELECT status, count(*) FROM tickets GROUP BY status HAVING max(assignee) > '' ORDER BY 2",
     "public.tickets r=assignee,status", "status<-public.tickets.status; count<-"},
    {"order_by_output_alias", "SELECT phone AS email FROM customers ORDER BY email",
     "public.customers r=phone", "email<-" CUST "phone"},
    {"group_by_prefers_input", "SELECT max(phone) AS email FROM customers GROUP BY email",
     "public.customers r=email,phone", "email<-" CUST "phone"},
    {"where_and_join_on", "SELECT 1 FROM customers c JOIN tickets t ON t.customer_id = c.id "
     "WHERE c.ssn LIKE '1%' AND t.assignee = 'bob'",
     "public.customers r=id,ssn | public.tickets r=assignee,customer_id", "?column?<-"},
    {"function_args", "SELECT 1 FROM tickets WHERE coalesce(assignee, subject) = 'x'",
     "public.tickets r=assignee,subject", "?column?<-"},
    {"schema_qualified_column", "SELECT billing.invoices.amount_cents FROM billing.invoices",
     "billing.invoices r=amount_cents", "amount_cents<-billing.invoices.amount_cents"},
    {"not_on_search_path_unresolved", "SELECT amount_cents FROM invoices",
     "invoices r=amount_cents", "amount_cents<-invoices.amount_cents"},
    {"system_column", "SELECT ctid FROM customers", "public.customers r=ctid",
     "ctid<-" CUST "ctid"},
    {"pg_catalog_relation", "SELECT relname FROM pg_class",
     "pg_catalog.pg_class r=relname", "relname<-pg_catalog.pg_class.relname"},
};
INSTANTIATE_TEST_SUITE_P(Attribution, Columns, testing::ValuesIn(kAttribution),
                         [](const auto& i) { return std::string(i.param.name); });

const ColumnsCase kWrites[] = {
    {"insert_column_list", "INSERT INTO tickets (subject, status) VALUES ('a', 'open')",
     "public.tickets w=status,subject", ""},
    {"insert_without_columns_writes_all", "INSERT INTO accounts VALUES (1, 'x')",
     "public.accounts w*", ""},
    {"insert_select",
     "INSERT INTO ticket_comments (ticket_id, body) SELECT id, subject FROM tickets",
     "public.ticket_comments w=body,ticket_id | public.tickets r=id,subject", ""},
    {"on_conflict_excluded_is_not_a_read",
     "INSERT INTO accounts (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE "
     "SET name = excluded.name RETURNING role",
     "public.accounts r=id,role w=id,name", "role<-public.accounts.role"},
    {"update_from", "UPDATE tickets t SET assignee = c.email FROM customers c "
     "WHERE c.id = t.customer_id",
     "public.customers r=email,id | public.tickets r=customer_id w=assignee", ""},
    {"update_multi_assign",
     "UPDATE customers SET (phone, ssn) = (SELECT phone, ssn FROM customers WHERE id = 2) "
     "WHERE id = 1",
     "public.customers r=id,phone,ssn w=phone,ssn", ""},
    {"merge_writes",
     "MERGE INTO subscriptions s USING customers c ON s.customer_id = c.id "
     "WHEN MATCHED THEN UPDATE SET status = 'x' "
     "WHEN NOT MATCHED THEN INSERT (customer_id, plan, status) VALUES (c.id, 'free', 'active')",
     "public.customers r=id | public.subscriptions r=customer_id w=customer_id,plan,status", ""},
    {"copy_from_columns", "COPY tickets (subject) FROM STDIN", "public.tickets w=subject", ""},
    {"data_modifying_cte",
     "WITH d AS (DELETE FROM tickets WHERE status = 'spam' RETURNING customer_id) "
     "SELECT email FROM customers WHERE id IN (SELECT customer_id FROM d)",
     "public.customers r=email,id | public.tickets r=customer_id,status",
     "email<-" CUST "email"},
};
INSTANTIATE_TEST_SUITE_P(Writes, Columns, testing::ValuesIn(kWrites),
                         [](const auto& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock::sql::test
