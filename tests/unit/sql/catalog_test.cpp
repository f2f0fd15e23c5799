// Catalog sources (schema file, catalog rows, built-in pg_catalog) and name resolution.
#include <gtest/gtest.h>

#include "schema_fixture.hpp"
#include "sql/analyze.hpp"
#include "sql/catalog_sources.hpp"
#include "sql/resolve.hpp"

namespace airlock::sql::test {
namespace {

std::string column_list(const CatalogRelation* r) {
  if (r == nullptr) return "<missing>";
  std::string out;
  for (const auto& c : r->columns) out += (out.empty() ? "" : ",") + c.name + (c.not_null ? "!" : "");
  return out;
}

TEST(SchemaFile, TablesColumnsAndNotNull) {
  const Catalog& c = schema_catalog();
  EXPECT_EQ(column_list(c.find_relation("public", "customers")),
            "id!,account_id!,name,email!,phone,ssn");
  EXPECT_EQ(column_list(c.find_relation("public", "accounts")), "id!,name!,role,created_at!");
  EXPECT_EQ(column_list(c.find_relation("billing", "invoices")),  // ADD COLUMN, ADD PRIMARY KEY
            "id!,customer_id!,amount_cents,due_date,paid");
  EXPECT_EQ(column_list(c.find_relation("public", "customer_contacts")), "id,name,email_lower");
  EXPECT_EQ(column_list(c.find_relation("billing", "open_invoices")),
            "id,customer_id,amount_cents");
  EXPECT_EQ(c.find_relation("public", "customer_contacts")->kind, RelationKind::View);
  EXPECT_EQ(c.find_relation("billing", "open_invoices")->kind, RelationKind::MatView);
  EXPECT_EQ(c.find_relation("public", "ticket_comments_id_seq")->kind, RelationKind::Sequence);
  EXPECT_TRUE(c.has_schema("billing"));
  EXPECT_EQ(c.find_relation("public", "tickets_status_idx"), nullptr);  // indexes are skipped
}

TEST(SchemaFile, Functions) {
  const Catalog& c = schema_catalog();
  EXPECT_EQ(c.find_function("public", "mask_email", 1)->volatility, Volatility::Immutable);
  EXPECT_EQ(c.find_function("public", "current_tenant", 0)->volatility, Volatility::Stable);
  const auto g1 = c.find_function("public", "grant_admin", 1);  // second argument defaulted
  ASSERT_TRUE(g1.has_value());
  EXPECT_TRUE(g1->security_definer);
  EXPECT_EQ(g1->volatility, Volatility::Volatile);
  EXPECT_TRUE(c.find_function("public", "grant_admin", 2).has_value());
  EXPECT_FALSE(c.find_function("public", "grant_admin", 3).has_value());
}

TEST(SchemaFile, ViewOverStarIsExpandedAndUnknownStarIsOpaque) {
  auto c = catalog_from_schema_sql(
      "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT * FROM t;"
      "CREATE VIEW w AS SELECT * FROM elsewhere; CREATE VIEW x (p, q) AS SELECT a, b FROM t;"
      "CREATE TEMP TABLE tmp (z int); CREATE TABLE child (c int) INHERITS (t);");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(column_list(c->find_relation("public", "v")), "a,b");
  EXPECT_FALSE(c->find_relation("public", "w")->columns_known);
  EXPECT_EQ(column_list(c->find_relation("public", "x")), "p,q");
  EXPECT_EQ(column_list(c->find_relation("pg_temp", "tmp")), "z");
  EXPECT_EQ(column_list(c->find_relation("public", "child")), "a,b,c");
}

TEST(SchemaFile, SearchPathDecidesCreationSchema) {
  auto c = catalog_from_schema_sql("CREATE SCHEMA app; SET search_path = app, public; "
                                   "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS int "
                                   "LANGUAGE sql AS 'select 1';");
  ASSERT_TRUE(c.has_value());
  EXPECT_NE(c->find_relation("app", "t"), nullptr);
  EXPECT_TRUE(c->find_function("app", "f", 0).has_value());
}

TEST(SchemaFile, ErrorsAreValues) {
  EXPECT_FALSE(catalog_from_schema_sql("CREATE TABLE (").has_value());
  EXPECT_FALSE(catalog_from_schema_sql(std::string("CREATE TABLE t (a int);\xff")).has_value());
}

TEST(Builtin, FunctionsAndRelationsAreKnownWithoutAnyCatalog) {
  const Catalog empty;
  EXPECT_EQ(empty.find_function("pg_catalog", "pg_sleep", 1)->volatility, Volatility::Volatile);
  EXPECT_EQ(empty.find_function("pg_catalog", "now", 0)->volatility, Volatility::Stable);
  EXPECT_EQ(empty.find_function("pg_catalog", "lower", 1)->volatility, Volatility::Immutable);
  EXPECT_TRUE(empty.find_function("pg_catalog", "concat", 5).has_value());  // variadic
  EXPECT_TRUE(empty.find_function("pg_catalog", "set_config", 3).has_value());
  const CatalogRelation* pg_class = empty.find_relation("pg_catalog", "pg_class");
  ASSERT_NE(pg_class, nullptr);
  EXPECT_EQ(pg_class->columns.front().name, "oid");
  EXPECT_TRUE(pg_class->columns.front().not_null);
  for (const char* r : {"pg_type", "pg_namespace", "pg_attribute", "pg_proc", "pg_settings",
                        "pg_database", "pg_roles", "pg_stat_activity"})
    EXPECT_NE(empty.find_relation("pg_catalog", r), nullptr) << r;
  EXPECT_NE(empty.find_relation("information_schema", "columns"), nullptr);
}

TEST(Resolve, SearchPathPicksSchema) {
  const std::string sql = "SELECT amount_cents FROM invoices";
  Analysis a = analyze(sql, {}, schema_catalog(), {"billing", "public"});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a.statements[0].relations[0].resolved);
  EXPECT_EQ(a.statements[0].relations[0].resolved_schema, "billing");
  EXPECT_EQ(a.statements[0].relations[0].kind, RelationKind::Table);
  EXPECT_EQ(a.statements[0].column_access[0].schema, "billing");
  resolve(a, schema_catalog(), {"public"});  // re-resolution with another path
  EXPECT_FALSE(a.statements[0].relations[0].resolved);
  EXPECT_EQ(a.statements[0].relations[0].resolved_schema, "");
}

TEST(Resolve, PgCatalogIsSearchedFirstUnlessListed) {
  Catalog c;
  c.add_schema("public");
  c.add_function({"public", "lower", 1, 1, false, Volatility::Volatile, true});
  c.add_relation({"public", "pg_class", RelationKind::Table, {{"x", false}}, true});
  Analysis a = analyze("SELECT lower('A') FROM pg_class", {}, c, {"public"});
  EXPECT_EQ(a.statements[0].functions[0].resolved_schema, "pg_catalog");
  EXPECT_EQ(a.statements[0].relations[0].resolved_schema, "pg_catalog");
  a = analyze("SELECT lower('A') FROM pg_class", {}, c, {"public", "pg_catalog"});
  EXPECT_EQ(a.statements[0].functions[0].resolved_schema, "public");
  EXPECT_TRUE(a.statements[0].functions[0].security_definer);
  EXPECT_EQ(a.statements[0].relations[0].resolved_schema, "public");
}

TEST(Resolve, PgTempFirstForRelationsNeverForFunctions) {
  Catalog c;
  c.add_relation({"pg_temp", "customers", RelationKind::Table, {{"spoof", false}}, true});
  c.add_relation({"public", "customers", RelationKind::Table, {{"ssn", false}}, true});
  c.add_function({"pg_temp", "f", 0, 0, false, Volatility::Immutable, false});
  c.add_function({"public", "f", 0, 0, false, Volatility::Volatile, false});
  const Analysis a = analyze("SELECT f() FROM customers", {}, c, {"public"});
  EXPECT_EQ(a.statements[0].relations[0].resolved_schema, "pg_temp");
  EXPECT_EQ(a.statements[0].functions[0].resolved_schema, "public");
  const Analysis b = analyze("SELECT * FROM customers", {}, c, {"public", "pg_temp"});
  EXPECT_EQ(b.statements[0].relations[0].resolved_schema, "public");
}

TEST(Resolve, FunctionsVolatilityAndCteReferences) {
  const Analysis a = analyze_with_schema(
      "WITH c AS (SELECT 1) SELECT now(), pg_sleep(5), grant_admin(1), nope() FROM c");
  ASSERT_TRUE(a.ok());
  const auto& fns = a.statements[0].functions;
  ASSERT_EQ(fns.size(), 4u);
  EXPECT_EQ(fns[0].volatility, Volatility::Stable);
  EXPECT_EQ(fns[1].volatility, Volatility::Volatile);
  EXPECT_EQ(fns[2].resolved_schema, "public");
  EXPECT_TRUE(fns[2].security_definer);
  EXPECT_FALSE(fns[3].resolved);
  EXPECT_EQ(fns[3].volatility, Volatility::Unknown);
  for (const auto& r : a.statements[0].relations) {
    if (r.cte_reference) {
      EXPECT_FALSE(r.resolved);
    }
  }
}

TEST(LiteralArgs, ConstantsAreReported) {
  const Analysis a = analyze(
      "SELECT pg_sleep(5), nextval('public.ticket_comments_id_seq'), "
      "set_config('role', 'admin', false), pg_sleep(2 + 3), f(a => 1, b), g(NULL, 'x'::regclass)");
  ASSERT_TRUE(a.ok());
  using Args = std::vector<std::optional<std::string>>;
  const auto& fns = a.statements[0].functions;
  ASSERT_EQ(fns.size(), 6u);
  EXPECT_EQ(fns[0].literal_args, (Args{"5"}));
  EXPECT_EQ(fns[1].literal_args, (Args{"public.ticket_comments_id_seq"}));
  EXPECT_EQ(fns[2].literal_args, (Args{"role", "admin", "false"}));
  EXPECT_EQ(fns[3].literal_args, (Args{"5"}));
  EXPECT_EQ(fns[4].literal_args, (Args{"1", std::nullopt}));
  EXPECT_EQ(fns[5].literal_args, (Args{std::nullopt, "x"}));
}

TEST(CatalogRows, BuildsFromQueryResult) {
  const std::vector<CatalogRow> rows = {
      {"n", "app", {}, {}, {}, {}, {}, {}},
      {"r", "app", "users", "r", "2", "email", "f", {}},
      {"r", "app", "users", "r", "1", "id", "t", {}},
      {"r", "app", "users_seq", "S", {}, {}, {}, {}},
      {"f", "app", "touch", "2", "v", "t", "1", "f"},
  };
  auto c = catalog_from_rows(rows);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(column_list(c->find_relation("app", "users")), "id!,email");
  EXPECT_EQ(c->find_relation("app", "users_seq")->kind, RelationKind::Sequence);
  const auto f = c->find_function("app", "touch", 1);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->security_definer);
  EXPECT_FALSE(catalog_from_rows({{"x", "y", {}, {}, {}, {}, {}, {}}}).has_value());
  EXPECT_FALSE(catalog_from_rows({{"r", "a"}}).has_value());
}

TEST(CatalogRows, QueryIsPlainReadOnlySql) {
  const Analysis a = analyze(catalog_query_sql());
  ASSERT_TRUE(a.ok()) << a.reason;
  ASSERT_EQ(a.statements.size(), 1u);
  EXPECT_EQ(a.statements[0].kind, StatementKind::Select);
  for (const auto& r : a.statements[0].relations) {
    EXPECT_EQ(r.resolved_schema, "pg_catalog");
    EXPECT_EQ(r.mode, AccessMode::Read);
  }
}

}  // namespace
}  // namespace airlock::sql::test
