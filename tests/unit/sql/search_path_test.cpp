// The search path as PostgreSQL searches it (schemas that do not exist are skipped, which is
// how "$user" without a schema of the user's name disappears), and the sequence a literal
// regclass argument of nextval/currval/setval names.
#include <gtest/gtest.h>

#include "sql/analyze.hpp"
#include "sql/resolve.hpp"

namespace airlock::sql::test {
namespace {

using Path = std::vector<std::string>;

Catalog app_catalog() {
  Catalog c;
  c.add_schema("public");
  c.add_schema("alice");
  c.add_relation({"public", "s", RelationKind::Sequence, {}});
  c.add_relation({"alice", "own_seq", RelationKind::Sequence, {}});
  c.add_relation({"public", "My Seq", RelationKind::Sequence, {}});
  return c;
}

struct PathCase {
  const char* name;
  Path given;
  Path effective;
};

class EffectivePath : public testing::TestWithParam<PathCase> {};

TEST_P(EffectivePath, SkipsSchemasThatDoNotExist) {
  EXPECT_EQ(effective_search_path(app_catalog(), GetParam().given), GetParam().effective);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EffectivePath,
    testing::Values(PathCase{"user_schema_exists", {"alice", "public"}, {"alice", "public"}},
                    PathCase{"user_schema_missing", {"bob", "public"}, {"public"}},
                    PathCase{"unsubstituted_user_skipped", {"$user", "public"}, {"public"}},
                    PathCase{"implicit_schemas_kept", {"pg_temp", "pg_catalog", "x"},
                             {"pg_temp", "pg_catalog"}},
                    PathCase{"builtin_schema_kept", {"information_schema"},
                             {"information_schema"}},
                    PathCase{"nothing_left", {"$user"}, {}}),
    [](const testing::TestParamInfo<PathCase>& i) { return std::string(i.param.name); });

TEST(EffectivePath, CatalogThatKnowsNoSchemaKeepsThePath) {
  EXPECT_EQ(effective_search_path(Catalog{}, {"$user", "public"}), (Path{"$user", "public"}));
  EXPECT_FALSE(analyze("SELECT 1").search_path.has_value());
  EXPECT_EQ(analyze("SELECT 1", {}, app_catalog(), {"bob", "public"}).search_path,
            (Path{"public"}));
}

struct RegclassCase {
  const char* name;
  const char* sql;
  Path path;
  const char* schema;  // "" = not resolved through the catalog
  const char* relation;
};

class SequenceArgument : public testing::TestWithParam<RegclassCase> {};

TEST_P(SequenceArgument, ResolvedThroughThePath) {
  const RegclassCase& c = GetParam();
  const Analysis a = analyze(c.sql, {}, app_catalog(), c.path);
  ASSERT_TRUE(a.ok()) << a.reason;
  ASSERT_FALSE(a.statements.empty());
  ASSERT_FALSE(a.statements[0].functions.empty());
  const FunctionRef& f = a.statements[0].functions[0];
  EXPECT_EQ(f.regclass_schema, c.schema);
  EXPECT_EQ(f.regclass_name, *c.schema ? c.relation : "");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SequenceArgument,
    testing::Values(
        RegclassCase{"public_after_missing_user", "SELECT nextval('s')", {"bob", "public"},
                     "public", "s"},
        RegclassCase{"user_schema_first", "SELECT nextval('own_seq')", {"alice", "public"},
                     "alice", "own_seq"},
        RegclassCase{"unquoted_folded", "SELECT currval(' S ')", {"public"}, "public", "s"},
        RegclassCase{"quoted_kept", "SELECT setval('\"My Seq\"', 1)", {"public"}, "public",
                     "My Seq"},
        RegclassCase{"qualified", "SELECT nextval('alice.own_seq')", {"public"}, "alice",
                     "own_seq"},
        RegclassCase{"not_on_path", "SELECT nextval('own_seq')", {"public"}, "", ""},
        RegclassCase{"three_parts", "SELECT nextval('app.public.s')", {"public"}, "", ""},
        RegclassCase{"unterminated_quote", "SELECT nextval('\"s')", {"public"}, "", ""},
        RegclassCase{"computed", "SELECT nextval(current_user || '_seq')", {"public"}, "", ""},
        RegclassCase{"user_function_named_nextval", "SELECT public.nextval('s')", {"public"},
                     "", ""}),
    [](const testing::TestParamInfo<RegclassCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock::sql::test
