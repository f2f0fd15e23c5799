// Masked result positions and styles (issue #6, docs/policy.md "Masking"): every derived
// form of a masked column, whole-row forms, `*`, RETURNING, set operations, and the ways
// out that cannot be masked (COPY, cursors, writes). Rows are named after what they stop.
#include <gtest/gtest.h>

#include <string>

#include "policy/evaluate.hpp"
#include "sql/analyze.hpp"
#include "schema_catalog.hpp"

namespace airlock::policy {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE public.customers (id integer NOT NULL, name text, email text, phone text,
                               ssn text, note text);
CREATE TABLE public.tickets (id integer NOT NULL, subject text, status text, assignee text,
                             customer_id integer);
CREATE TABLE public.notes (id integer NOT NULL, body text);
CREATE TABLE public.scratch (id integer NOT NULL, note text);
CREATE FUNCTION public.my_func(text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT $1 $$;
)";

const sql::Catalog& catalog() {
  static const sql::Catalog c = test::catalog_from(kSchema);
  return c;
}

const AgentPolicy& policy() {
  static const AgentPolicy p = [] {
    RuleSpec customers;  // allow[0]
    customers.tables = {"public.customers"};
    customers.actions = {"select"};
    customers.mask = {{"email", MaskStyle::Partial}, {"phone", MaskStyle::Hash}};
    RuleSpec customers_write;  // allow[1]: its mask covers RETURNING and every SELECT too
    customers_write.tables = {"public.customers"};
    customers_write.actions = {"update", "insert"};
    customers_write.mask = {"ssn"};
    RuleSpec tickets;  // allow[2]
    tickets.tables = {"public.tickets"};
    tickets.actions = {"select"};
    RuleSpec notes;  // allow[3]
    notes.tables = {"public.notes"};
    notes.actions = {"select"};
    notes.mask = {{"body", MaskStyle::Null}};
    RuleSpec scratch;  // allow[4]
    scratch.tables = {"public.scratch"};
    scratch.actions = {"select", "insert", "update", "ddl"};
    RuleSpec func;  // allow[5]
    func.functions = {"public.my_func"};
    const std::vector<RuleSpec> allow = {customers, customers_write, tickets, notes, scratch, func};
    return AgentPolicy::compile("bot", allow, {});
  }();
  return p;
}

Decision decide(const std::string& sql, bool with_catalog = true) {
  const std::vector<std::string> path = {"public"};
  const sql::Analysis a = with_catalog ? sql::analyze(sql, {}, catalog(), path) : sql::analyze(sql);
  return evaluate(policy(), a, EvalContext{});
}

// "S:P=style" per masked output, in order, joined by spaces.
std::string masks_of(const Decision& d) {
  std::string out;
  for (const auto& m : d.masked_outputs) {
    if (!out.empty()) out += ' ';
    out += std::to_string(m.statement) + ":" + std::to_string(m.position) + "=" +
           std::string(to_string(m.style));
  }
  return out;
}

struct Case {
  const char* name;
  const char* sql;
  Verdict verdict;
  const char* rule;    // "" = any
  const char* masked;  // masks_of() of the decision
  bool with_catalog = true;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class Masks : public testing::TestWithParam<Case> {};

TEST_P(Masks, Table) {
  const Case& c = GetParam();
  const Decision d = decide(c.sql, c.with_catalog);
  EXPECT_EQ(to_string(d.verdict), to_string(c.verdict)) << d.rule << ": " << d.reason;
  if (*c.rule != '\0') {
    EXPECT_EQ(d.rule, c.rule) << d.reason;
  }
  EXPECT_EQ(masks_of(d), c.masked);
  // Every statement with masked outputs states the result shape they are numbered for.
  for (const auto& m : d.masked_outputs) {
    bool shaped = false;
    for (const auto& s : d.result_shapes) {
      shaped = shaped || (s.statement == m.statement && m.position < s.columns.size());
    }
    EXPECT_TRUE(shaped) << "no result shape for " << m.statement << ":" << m.position;
  }
}

constexpr Verdict A = Verdict::Allow;
constexpr Verdict D = Verdict::Deny;

const Case kDerived[] = {
    {"plain_column_keeps_style", "SELECT id, email FROM customers", A, "allow[0]", "0:1=partial"},
    {"alias_remark_still_masked", "SELECT phone AS remark FROM customers", A, "", "0:0=hash"},
    {"qualified_alias", "SELECT c.email AS contact FROM customers c", A, "", "0:0=partial"},
    {"lower_email_full", "SELECT lower(email) FROM customers", A, "", "0:0=full"},
    {"concat_empty_string_full", "SELECT email || '' FROM customers", A, "", "0:0=full"},
    {"substr_phone_full_not_hash", "SELECT substr(phone, 1, 3) FROM customers", A, "",
     "0:0=full"},
    {"cast_varchar_full", "SELECT email::varchar FROM customers", A, "", "0:0=full"},
    {"cast_function_form_full", "SELECT CAST(phone AS bigint) FROM customers", A, "",
     "0:0=full"},
    {"collate_full", "SELECT email COLLATE \"C\" FROM customers", A, "", "0:0=full"},
    {"case_with_guess_full", "SELECT CASE WHEN id = 1 THEN '555' ELSE phone END FROM customers",
     A, "", "0:0=full"},
    {"coalesce_full", "SELECT coalesce(phone, 'none') FROM customers", A, "", "0:0=full"},
    {"two_masked_sources_full", "SELECT email || phone FROM customers", A, "", "0:0=full"},
    {"aggregate_full", "SELECT max(email) FROM customers", A, "", "0:0=full"},
    {"group_by_keeps_style", "SELECT email, count(*) FROM customers GROUP BY email", A, "",
     "0:0=partial"},
    {"scalar_subquery",
     "SELECT t.id, (SELECT c.email FROM customers c WHERE c.id = t.customer_id) FROM tickets t",
     A, "", "0:1=full"},
    {"exists_subquery_not_masked",
     "SELECT id FROM tickets t WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = t.id)", A,
     "", ""},
    {"cte_direct_keeps_style", "WITH c AS (SELECT email AS e FROM customers) SELECT e FROM c",
     A, "", "0:0=partial"},
    {"cte_expression_full", "WITH c AS (SELECT lower(email) AS e FROM customers) SELECT e FROM c",
     A, "", "0:0=full"},
    {"cte_star_then_column", "WITH c AS (SELECT * FROM customers) SELECT id, phone FROM c", A,
     "", "0:1=hash"},
    {"cte_column_list", "WITH c(a, b) AS (SELECT name, ssn FROM customers) SELECT b, a FROM c",
     A, "", "0:0=full"},
    {"recursive_cte_full",
     "WITH RECURSIVE r(n, p) AS (SELECT 1, phone FROM customers UNION ALL "
     "SELECT n + 1, p FROM r WHERE n < 3) SELECT n, p FROM r",
     A, "", "0:0=full 0:1=full"},
    {"from_subquery_direct", "SELECT x FROM (SELECT phone AS x FROM customers) s", A, "",
     "0:0=hash"},
    {"subquery_column_aliases", "SELECT z FROM (SELECT email FROM customers) s(z)", A, "",
     "0:0=partial"},
    {"lateral_direct", "SELECT x.n FROM customers c, LATERAL (SELECT c.email AS n) x", A, "",
     "0:0=partial"},
    {"union_same_column_keeps_style",
     "SELECT email FROM customers WHERE id = 1 UNION SELECT email FROM customers WHERE id = 2",
     A, "", "0:0=partial"},
    {"union_other_column_full", "SELECT email FROM customers UNION SELECT subject FROM tickets",
     A, "", "0:0=full"},
    {"union_with_constant_arm_full", "SELECT phone FROM customers UNION ALL SELECT '555-0101'",
     A, "", "0:0=full"},
    {"union_masked_in_second_arm", "SELECT subject FROM tickets UNION SELECT email FROM customers",
     A, "", "0:0=full"},
    {"opaque_function_masked", "SELECT id, public.my_func(name) FROM customers", A, "",
     "0:1=full"},
    {"opaque_function_of_masked", "SELECT public.my_func(email) FROM customers", A, "",
     "0:0=full"},
    {"no_masked_column", "SELECT id, name FROM customers", A, "allow[0]", ""},
    {"where_only_not_masked", "SELECT id FROM customers WHERE email LIKE '%@example.com'", A,
     "", ""},
    {"count_star_not_masked", "SELECT count(*) FROM customers", A, "", ""},
    {"null_style", "SELECT id, body FROM notes", A, "", "0:1=null"},
    {"null_style_stays_null_when_derived", "SELECT upper(body) FROM notes", A, "", "0:0=null"},
    {"explain_shows_no_rows", "EXPLAIN SELECT email FROM customers", A, "", ""},
};
INSTANTIATE_TEST_SUITE_P(Derived, Masks, testing::ValuesIn(kDerived),
                         [](const auto& i) { return std::string(i.param.name); });

const Case kWholeRowAndStar[] = {
    {"star_expanded", "SELECT * FROM customers", A, "", "0:2=partial 0:3=hash 0:4=full"},
    {"qualified_star", "SELECT c.* FROM customers c", A, "", "0:2=partial 0:3=hash 0:4=full"},
    {"star_after_other_table",
     "SELECT t.*, c.email FROM tickets t JOIN customers c ON c.id = t.customer_id", A, "",
     "0:5=partial"},
    {"star_without_catalog_denied", "SELECT * FROM customers", D, "builtin.columns_unknown", "",
     false},
    {"row_to_json_whole_row", "SELECT id, row_to_json(c) FROM customers c", A, "", "0:1=full"},
    {"row_to_json_field_extracted", "SELECT row_to_json(c)->>'email' FROM customers c", A, "",
     "0:0=full"},
    {"to_jsonb_qualified_star", "SELECT to_jsonb(c.*) FROM customers c", A, "", "0:0=full"},
    {"whole_row_column", "SELECT c FROM customers c", A, "", "0:0=full"},
    {"whole_row_field_keeps_style", "SELECT (c).email FROM customers c", A, "", "0:0=partial"},
    {"qualified_star_field_keeps_style", "SELECT id, (c.*).phone FROM customers c", A, "",
     "0:1=hash"},
    {"whole_row_field_unmasked", "SELECT (customers.*).name FROM customers", A, "", ""},
    {"whole_row_field_in_expression_full", "SELECT lower((c).email) FROM customers c", A, "",
     "0:0=full"},
    {"json_agg_whole_row", "SELECT json_agg(c) FROM customers c", A, "", "0:0=full"},
    {"relation_name_as_whole_row", "SELECT customers::text FROM customers", A, "", "0:0=full"},
    {"whole_row_without_catalog", "SELECT c FROM customers c", A, "", "0:0=full", false},
    {"row_to_json_without_catalog", "SELECT row_to_json(c) FROM customers c", A, "", "0:0=full",
     false},
    {"unexpanded_star_then_masked_denied",
     "SELECT g.*, c.email FROM generate_series(1, 3) g, customers c", D,
     "builtin.columns_unknown", ""},
    {"masked_then_unexpanded_star",
     "SELECT c.email, g.* FROM generate_series(1, 3) g, customers c", A, "", "0:0=partial"},
    {"table_statement", "TABLE customers", A, "", "0:2=partial 0:3=hash 0:4=full"},
};
INSTANTIATE_TEST_SUITE_P(WholeRowAndStar, Masks, testing::ValuesIn(kWholeRowAndStar),
                         [](const auto& i) { return std::string(i.param.name); });

const Case kStatements[] = {
    {"returning_column", "UPDATE customers SET name = 'x' WHERE id = 1 RETURNING id, email", A,
     "", "0:1=partial"},
    {"returning_star", "UPDATE customers SET name = 'x' WHERE id = 1 RETURNING *", A, "",
     "0:2=partial 0:3=hash 0:4=full"},
    {"insert_returning_expression",
     "INSERT INTO customers (id, ssn) VALUES (9, '123') RETURNING lower(ssn)", A, "",
     "0:0=full"},
    {"second_statement_numbered_alone", "SELECT 1; SELECT name, email FROM customers", A, "",
     "1:1=partial"},
    {"each_statement_its_own_positions",
     "SELECT email FROM customers; SELECT id, phone FROM customers", A, "",
     "0:0=partial 1:1=hash"},
    {"prepare_then_execute", "PREPARE p AS SELECT id, email FROM customers; EXECUTE p", A, "",
     "0:1=partial 1:1=partial"},
    {"copy_table_denied", "COPY customers TO STDOUT", D, "builtin.masking_copy", ""},
    {"copy_column_denied", "COPY customers (email) TO STDOUT", D, "builtin.masking_copy", ""},
    {"copy_query_denied", "COPY (SELECT lower(email) FROM customers) TO STDOUT", D,
     "builtin.masking_copy", ""},
    {"copy_without_masked_column", "COPY (SELECT id, name FROM customers) TO STDOUT", A, "", ""},
    {"declare_cursor_denied", "DECLARE c CURSOR FOR SELECT email FROM customers", D,
     "builtin.masking_cursor", ""},
    {"insert_select_copies_masked",
     "INSERT INTO scratch (id, note) SELECT id, email FROM customers", D,
     "builtin.masking_write", ""},
    {"update_from_copies_masked",
     "UPDATE scratch s SET note = c.phone FROM customers c WHERE c.id = s.id", D,
     "builtin.masking_write", ""},
    {"update_own_table_copies_masked", "UPDATE customers SET name = ssn WHERE id = 1", D,
     "builtin.masking_write", ""},
    {"update_subquery_copies_masked",
     "UPDATE scratch SET note = (SELECT email FROM customers WHERE id = 1) WHERE id = 1", D,
     "builtin.masking_write", ""},
    {"merge_insert_copies_masked",
     "MERGE INTO scratch s USING customers c ON s.id = c.id "
     "WHEN NOT MATCHED THEN INSERT (id, note) VALUES (c.id, c.email)",
     D, "builtin.masking_write", ""},
    {"cte_insert_copies_masked",
     "WITH x AS (INSERT INTO scratch (id, note) SELECT id, phone FROM customers RETURNING id) "
     "SELECT id FROM x",
     D, "builtin.masking_write", ""},
    {"select_into_copies_masked", "SELECT email INTO scratch FROM customers", D,
     "builtin.masking_write", ""},
    {"create_table_as_copies_masked", "CREATE TABLE scratch AS SELECT phone FROM customers", D,
     "builtin.masking_write", ""},
    {"insert_unmasked_columns_allowed",
     "INSERT INTO scratch (id, note) SELECT id, name FROM customers", A, "", ""},
    {"update_literal_where_masked_allowed",
     "UPDATE scratch SET note = 'x' WHERE id IN (SELECT id FROM customers WHERE email = 'a')", A,
     "", ""},
};
INSTANTIATE_TEST_SUITE_P(Statements, Masks, testing::ValuesIn(kStatements),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(MaskDetails, SourcesShapeAndErrors) {
  const Decision d = decide("SELECT id, email || phone AS contact, name FROM customers c");
  ASSERT_EQ(d.masked_outputs.size(), 1u);
  EXPECT_EQ(d.masked_outputs[0].column, "public.customers.email,public.customers.phone");
  EXPECT_EQ(d.masked_columns, (std::vector<std::string>{"contact"}));
  ASSERT_EQ(d.result_shapes.size(), 1u);
  EXPECT_EQ(d.result_shapes[0].columns, (std::vector<std::string>{"id", "contact", "name"}));
  EXPECT_FALSE(d.result_shapes[0].open_ended);
  EXPECT_TRUE(d.redact_errors);
}

TEST(MaskDetails, OpenEndedShapeAfterUnexpandedStar) {
  const Decision d = decide("SELECT c.email, g.* FROM generate_series(1, 3) g, customers c");
  ASSERT_EQ(d.result_shapes.size(), 1u);
  EXPECT_EQ(d.result_shapes[0].columns, (std::vector<std::string>{"email"}));
  EXPECT_TRUE(d.result_shapes[0].open_ended);
}

TEST(MaskDetails, RedactErrorsWhenAMaskedColumnIsReadAnywhere) {
  EXPECT_TRUE(decide("SELECT id FROM customers WHERE email::int = 1").redact_errors);
  EXPECT_FALSE(decide("SELECT id, name FROM customers").redact_errors);
  EXPECT_FALSE(decide("SELECT id FROM tickets").redact_errors);
  EXPECT_FALSE(decide("COPY customers TO STDOUT").redact_errors);  // denied: nothing runs
}

TEST(MaskDetails, ExecuteOfAnEarlierStringGetsItsMasks) {
  // The gateway stores the PREPARE's decision (restamped to statement 0) and hands it back.
  const Decision prepared =
      restamp(decide("SELECT 1; PREPARE p AS SELECT id, phone FROM customers"), 1, 0);
  EvalContext ctx;
  ctx.prepared = [&](std::string_view name) -> std::optional<Decision> {
    if (name == "p") return prepared;
    return std::nullopt;
  };
  const std::vector<std::string> path = {"public"};
  const Decision d =
      evaluate(policy(), sql::analyze("SELECT 2; EXECUTE p", {}, catalog(), path), ctx);
  EXPECT_EQ(masks_of(d), "1:1=hash");
  ASSERT_EQ(d.result_shapes.size(), 1u);
  EXPECT_EQ(d.result_shapes[0].statement, 1u);
}

TEST(MaskDetails, CreateTableAsExecuteOfMaskedIsAWrite) {
  const Decision d = decide(
      "PREPARE p AS SELECT email FROM customers; CREATE TABLE scratch AS EXECUTE p");
  EXPECT_EQ(d.verdict, Verdict::Deny);
  EXPECT_EQ(d.rule, "builtin.masking_write");
}

TEST(MaskDetails, CombineKeepsTheStricterStyleAtOnePosition) {
  Decision a = Decision::allow("allow[0]");
  a.masked_outputs = {{0, 1, "public.c.email", MaskStyle::Partial}};
  Decision b = Decision::allow("allow[1]");
  b.masked_outputs = {{0, 1, "public.c.phone", MaskStyle::Hash},
                      {0, 0, "public.c.ssn", MaskStyle::Null}};
  combine(a, b);
  ASSERT_EQ(a.masked_outputs.size(), 2u);
  EXPECT_EQ(a.masked_outputs[0], (MaskedOutput{0, 0, "public.c.ssn", MaskStyle::Null}));
  EXPECT_EQ(a.masked_outputs[1],
            (MaskedOutput{0, 1, "public.c.email,public.c.phone", MaskStyle::Full}));
}

}  // namespace
}  // namespace airlock::policy
