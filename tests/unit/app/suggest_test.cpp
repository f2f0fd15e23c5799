// airlock policy suggest, the pure part: the narrowest allow list covering the observed
// statements, its YAML, and the line diff against the current policy (app/suggest.hpp).
#include "app/suggest.hpp"

#include <gtest/gtest.h>

#include "sql/catalog_sources.hpp"

namespace airlock::app {
namespace {

TEST(Suggest, LooksSensitive) {
  const std::pair<const char*, bool> cases[] = {
      {"email", true},        {"contact_email", true}, {"Phone_Number", true},
      {"ssn", true},          {"password_hash", true}, {"api_token", true},
      {"client_secret", true}, {"home_address", true}, {"date_of_birth", true},
      {"name", false},        {"id", false},           {"status", false},
  };
  for (const auto& [col, want] : cases) EXPECT_EQ(looks_sensitive(col), want) << col;
}

TEST(Suggest, ConfigName) {
  EXPECT_EQ(config_name("public", "orders"), "public.orders");
  EXPECT_EQ(config_name("", "orders"), "public.orders");
  EXPECT_EQ(config_name("Sales", "Order Items"), "\"Sales\".\"Order Items\"");
  EXPECT_EQ(config_name("s", "a\"b"), "s.\"a\"\"b\"");
}

struct SuggestCase {
  const char* name;
  std::vector<Observed> observed;
  double headroom;
  std::string yaml;  // render_rules of the allow list, with its notes
  std::vector<std::string> sensitive;
  std::size_t not_understood = 0;
};

Observed seen(const char* sql, std::optional<std::int64_t> rows = std::nullopt) {
  return Observed{sql, 1, rows};
}

TEST(Suggest, Build) {
  const SuggestCase cases[] = {
      {"reads_share_an_entry",
       {seen("SELECT id, name FROM orders WHERE id = $1"),
        seen("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id")},
       2.0,
       "allow:\n"
       "  - tables: [public.customers, public.orders]\n"
       "    actions: [select]\n",
       {}},
      {"writes_with_columns_and_rows",
       {seen("UPDATE orders SET status = $1 WHERE id = $2", 3),
        seen("UPDATE orders SET status = $1, note = $2 WHERE id = $3", 1),
        seen("INSERT INTO orders(status, note) VALUES ($1, $2)", 1)},
       2.0,
       "allow:\n"
       "  - tables: [public.orders]  # most rows changed by one statement: 1, times 2\n"
       "    actions: [insert]\n"
       "    columns: [note, status]\n"
       "    max_rows: 2\n"
       "  - tables: [public.orders]  # most rows changed by one statement: 3, times 2\n"
       "    actions: [update]\n"
       "    columns: [note, status]\n"
       "    max_rows: 6\n",
       {}},
      {"headroom_rounds_up_and_zero_rows_give_one",
       {seen("DELETE FROM orders WHERE id = $1", 3), seen("DELETE FROM carts WHERE id = $1", 0)},
       1.5,
       "allow:\n"
       "  - tables: [public.carts]  # most rows changed by one statement: 0, times 1.5\n"
       "    actions: [delete]\n"
       "    max_rows: 1\n"
       "  - tables: [public.orders]  # most rows changed by one statement: 3, times 1.5\n"
       "    actions: [delete]\n"
       "    max_rows: 5\n",
       {}},
      {"no_row_counts_no_max_rows",
       {seen("UPDATE orders SET status = $1 WHERE id = $2", 4),
        seen("UPDATE orders SET status = $1 WHERE id = $2 AND note = $3")},
       2.0,
       "allow:\n"
       "  - tables: [public.orders]  # no max_rows: the trail has no row counts for these writes\n"
       "    actions: [update]\n"
       "    columns: [status]\n",
       {}},
      {"insert_without_column_list_writes_all",
       {seen("INSERT INTO orders VALUES ($1, $2)")},
       2.0,
       "allow:\n"
       "  - tables: [public.orders]  # no max_rows: the trail has no row counts for this write\n"
       "    actions: [insert]\n",
       {}},
      {"sensitive_columns_listed_functions_named",
       {seen("SELECT name, email, billing.mask_card(card_token) FROM customers WHERE phone = $1")},
       2.0,
       "allow:\n"
       "  - tables: [public.customers]\n"
       "    actions: [select]\n"
       "  - functions: [billing.mask_card]\n",
       {"public.customers.card_token", "public.customers.email", "public.customers.phone"}},
      {"builtins_need_no_entry",
       {seen("SELECT count(*), lower(name) FROM pg_catalog.pg_class, orders")},
       2.0,
       "allow:\n"
       "  - tables: [public.orders]\n"
       "    actions: [select]\n",
       {}},
      {"ddl_lock_and_qualified_names",
       {seen("LOCK TABLE app.jobs IN SHARE MODE"), seen("SELECT id FROM app.jobs FOR UPDATE"),
        seen("CREATE INDEX ON \"Sales\".\"Order Items\" (id)")},
       2.0,
       "allow:\n"
       "  - tables: ['\"Sales\".\"Order Items\"']\n"
       "    actions: [ddl]\n"
       "  - tables: [app.jobs]\n"
       "    actions: [select, lock]\n",
       {}},
      {"not_understood",
       {seen("SELEC 1"), seen("SELECT 1")},
       2.0,
       "allow: []\n",
       {},
       1},
  };
  for (const auto& c : cases) {
    const Suggestion s = build_suggestion(c.observed, sql::Catalog{}, c.headroom);
    EXPECT_EQ(render_rules(s.allow, {}, s.entry_notes), c.yaml) << c.name;
    EXPECT_EQ(s.sensitive, c.sensitive) << c.name;
    EXPECT_EQ(s.not_understood.size(), c.not_understood) << c.name;
  }
}

TEST(Suggest, CatalogExpandsStarForSensitiveColumns) {
  auto catalog = sql::catalog_from_schema_sql(
      "CREATE TABLE public.customers (id int, name text, email text, birth_date date);");
  ASSERT_TRUE(catalog);
  const Suggestion with = build_suggestion({seen("SELECT * FROM customers")}, *catalog, 2.0);
  EXPECT_EQ(with.sensitive, (std::vector<std::string>{"public.customers.birth_date",
                                                       "public.customers.email"}));
  EXPECT_TRUE(with.notes.empty());
  const Suggestion without =
      build_suggestion({seen("SELECT * FROM customers")}, sql::Catalog{}, 2.0);
  EXPECT_TRUE(without.sensitive.empty());
  ASSERT_EQ(without.notes.size(), 1u);
  EXPECT_NE(without.notes[0].find("SELECT * of public.customers"), std::string::npos);
}

TEST(Suggest, RenderRulesOfAConfig) {
  policy::RuleSpec masked;
  masked.tables = {"public.customers"};
  masked.actions = {"select"};
  masked.mask = {"email", {"phone", MaskStyle::Partial}};
  masked.deny_columns = {"ssn"};
  policy::RuleSpec held;
  held.tables = {"public.orders"};
  held.actions = {"update"};
  held.max_rows = 10;
  held.over_limit = "hold";
  held.reason = "a person: looks at it";
  EXPECT_EQ(render_rules({masked}, {held}),
            "allow:\n"
            "  - tables: [public.customers]\n"
            "    actions: [select]\n"
            "    mask: [email, {column: phone, style: partial}]\n"
            "    deny_columns: [ssn]\n"
            "hold:\n"
            "  - tables: [public.orders]\n"
            "    actions: [update]\n"
            "    max_rows: 10\n"
            "    over_limit: hold\n"
            "    reason: 'a person: looks at it'\n");
}

TEST(Suggest, LineDiff) {
  struct Case {
    const char* from;
    const char* to;
    std::string diff;
  };
  const Case cases[] = {
      {"a\nb\n", "a\nb\n", ""},
      {"a\nb\nc\n", "a\nc\n", "--- cur\n+++ new\n@@ -1,3 +1,2 @@\n a\n-b\n c\n"},
      {"a\n", "a\nb\n", "--- cur\n+++ new\n@@ -1,1 +1,2 @@\n a\n+b\n"},
      {"x\ny\n", "x\nz\n", "--- cur\n+++ new\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n"},
      {"", "a\n", "--- cur\n+++ new\n@@ -1,0 +1,1 @@\n+a\n"},
  };
  for (const auto& c : cases) EXPECT_EQ(line_diff("cur", c.from, "new", c.to), c.diff) << c.from;
}

}  // namespace
}  // namespace airlock::app
