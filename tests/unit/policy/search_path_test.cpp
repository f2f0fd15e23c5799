// "$user" in the search path, as PostgreSQL resolves it: the session user's schema when it
// exists, otherwise skipped. The gateway hands sql::analyze the path with "$user" replaced
// by its upstream role and keeps the path as written in EvalContext; the catalog says which
// schemas exist. A row per case: the catalog's schemas, the SQL, the verdict and the rule
// (or, for a denial, a piece of the reason naming the object).
#include <gtest/gtest.h>

#include "policy/evaluate.hpp"
#include "sql/analyze.hpp"
#include "sql/catalog.hpp"

namespace airlock::policy {
namespace {

struct Case {
  const char* name;
  bool user_schema;  // the catalog holds schema "airlock" (the upstream role) and its tables
  const char* sql;
  Verdict verdict;
  const char* rule;
  const char* reason_part = "";
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

const AgentPolicy& policy() {
  static const AgentPolicy p = [] {
    RuleSpec read;
    read.tables = {"public.tickets"};
    read.actions = {"select"};
    RuleSpec seq;
    seq.sequences = {"public.ticket_comments_id_seq"};
    const std::vector<RuleSpec> allow = {read, seq};
    return AgentPolicy::compile("bot", allow, {});
  }();
  return p;
}

sql::Catalog catalog(bool user_schema) {
  sql::Catalog c;
  c.add_relation({"public", "tickets", sql::RelationKind::Table, {{"id"}, {"status"}}});
  c.add_relation({"public", "ticket_comments_id_seq", sql::RelationKind::Sequence, {}});
  if (user_schema) {
    c.add_schema("airlock");
    c.add_relation({"airlock", "notes", sql::RelationKind::Table, {{"id"}}});
    c.add_relation({"airlock", "notes_seq", sql::RelationKind::Sequence, {}});
  }
  return c;
}

class UserInSearchPath : public testing::TestWithParam<Case> {};

TEST_P(UserInSearchPath, Table) {
  const Case& c = GetParam();
  const sql::Catalog cat = catalog(c.user_schema);
  EvalContext ctx;
  ctx.search_path = {"$user", "public"};  // PostgreSQL's default, as SHOW reports it
  const auto analysis = sql::analyze(c.sql, {}, cat, {"airlock", "public"});
  const Decision d = evaluate(policy(), analysis, ctx);
  EXPECT_EQ(to_string(d.verdict), to_string(c.verdict)) << d.rule << ": " << d.reason;
  EXPECT_EQ(d.rule, c.rule) << d.reason;
  EXPECT_NE(d.reason.find(c.reason_part), std::string::npos) << d.reason;
  EXPECT_EQ(d.reason.find("$user"), std::string::npos) << d.reason;
}

constexpr Verdict A = Verdict::Allow;
constexpr Verdict D = Verdict::Deny;

const Case kCases[] = {
    {"nextval_no_user_schema", false, "SELECT nextval('ticket_comments_id_seq')", A, "allow[1]"},
    {"nextval_with_user_schema_found_in_public", true,
     "SELECT nextval('ticket_comments_id_seq')", A, "allow[1]"},
    {"nextval_regclass_cast", false, "SELECT nextval('ticket_comments_id_seq'::regclass)", A,
     "allow[1]"},
    {"currval_mixed_case_unquoted", false, "SELECT currval('Ticket_Comments_Id_Seq')", A,
     "allow[1]"},
    {"nextval_user_schema_sequence_denied", true, "SELECT nextval('notes_seq')", D,
     "default_deny", "airlock.notes_seq"},
    {"nextval_unknown_sequence_resolves_to_public", false, "SELECT nextval('nope_seq')", D,
     "default_deny", "public.nope_seq"},
    {"nextval_quoted_name_not_folded", false, "SELECT nextval('\"Ticket_comments_id_seq\"')", D,
     "default_deny", "public.\"Ticket_comments_id_seq\""},
    {"select_public_table", false, "SELECT id FROM tickets", A, "allow[0]"},
    {"select_user_schema_table_denied", true, "SELECT id FROM notes", D, "default_deny",
     "airlock.notes"},
    {"unknown_table_no_user_schema", false, "SELECT * FROM notes", D, "default_deny",
     "public.notes"},
    {"create_table_goes_to_user_schema", true, "CREATE TABLE t2 (a int)", D, "default_deny",
     "airlock.t2"},
    {"discard_all_keeps_resolution", false,
     "DISCARD ALL; SELECT nextval('ticket_comments_id_seq')", A, "allow[1]"},
};
INSTANTIATE_TEST_SUITE_P(Catalog, UserInSearchPath, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

// Without a catalog nobody can tell whether the user's schema exists: "$user" stays in the
// path and what it would resolve first is refused, not guessed.
TEST(UserInSearchPathNoCatalog, UnknownSchemaIsRefused) {
  EvalContext ctx;
  ctx.search_path = {"$user", "public"};
  const Decision d =
      evaluate(policy(), sql::analyze("SELECT nextval('ticket_comments_id_seq')"), ctx);
  EXPECT_EQ(d.verdict, Verdict::Deny);
}

}  // namespace
}  // namespace airlock::policy
