// Token scopes (policy/token_scope.hpp): how an entry is written, which scopes a policy
// grants, and the scope as a policy of its own, evaluated after the agent's. The last table
// is the point of it all: through a token, a statement runs only if both say so.
#include <gtest/gtest.h>

#include <string>

#include "policy/evaluate.hpp"
#include "policy/token_scope.hpp"
#include "sql/analyze.hpp"
#include "schema_catalog.hpp"

namespace airlock::policy {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE public.tickets (id integer NOT NULL, status text);
CREATE TABLE public.accounts (id integer NOT NULL, name text);
CREATE TABLE public.notes (id integer NOT NULL, body text);
)";

const sql::Catalog& catalog() {
  static const sql::Catalog c = test::catalog_from(kSchema);
  return c;
}

// The agent: reads and updates tickets, reads accounts, holds deletes of notes.
AgentPolicy agent() {
  RuleSpec tickets;
  tickets.tables = {"public.tickets"};
  tickets.actions = {"select", "update"};
  RuleSpec accounts;
  accounts.tables = {"public.accounts"};
  accounts.actions = {"select"};
  RuleSpec notes;
  notes.tables = {"public.notes"};
  notes.actions = {"delete"};
  std::vector<RuleSpec> allow{tickets, accounts};
  std::vector<RuleSpec> hold{notes};
  return AgentPolicy::compile("bot", allow, hold);
}

struct EntryCase {
  const char* text;
  const char* written;  // "" = refused
  const char* error;    // a part of the message when refused
};

class ScopeEntries : public ::testing::TestWithParam<EntryCase> {};

TEST_P(ScopeEntries, Table) {
  const EntryCase& c = GetParam();
  auto e = parse_scope_entry(c.text);
  if (*c.written == '\0') {
    ASSERT_FALSE(e) << c.text;
    EXPECT_NE(e.error().message.find(c.error), std::string::npos) << e.error().message;
  } else {
    ASSERT_TRUE(e) << c.text << ": " << e.error().message;
    EXPECT_EQ(e->written, c.written);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Written, ScopeEntries,
    ::testing::Values(
        EntryCase{"public.tickets:select,update", "public.tickets:select,update", ""},
        EntryCase{" public.tickets : select , update , select", "public.tickets:select,update", ""},
        EntryCase{"Public.Tickets:select", "public.tickets:select", ""},
        EntryCase{"\"Odd Schema\".t:delete", "\"Odd Schema\".t:delete", ""},
        EntryCase{"tickets:select", "", "schema.table"},
        EntryCase{"public.tickets", "", "no actions"},
        EntryCase{"public.tickets:", "", "unknown action ''"},
        EntryCase{"public.tickets:select,drop", "", "unknown action 'drop'"},
        EntryCase{"public.tickets:select\nupdate", "", "line breaks"},
        EntryCase{"a.b.c:select", "", "schema.table"}));

TEST(TokenScope, NeverWiderThanThePolicy) {
  const AgentPolicy a = agent();
  auto scope = [](std::initializer_list<const char*> texts) {
    std::vector<ScopeEntry> out;
    for (const char* t : texts) out.push_back(*parse_scope_entry(t));
    return out;
  };
  EXPECT_TRUE(beyond_policy(a, scope({"public.tickets:select,update", "public.accounts:select"})).empty());
  EXPECT_TRUE(beyond_policy(a, scope({"public.notes:delete"})).empty()) << "a hold grants it, held";
  EXPECT_EQ(beyond_policy(a, scope({"public.tickets:select,delete", "public.accounts:update",
                                    "public.other:select"})),
            (std::vector<std::string>{"delete on public.tickets is not in bot's policy",
                                      "update on public.accounts is not in bot's policy",
                                      "select on public.other is not in bot's policy"}));
}

TEST(TokenScope, MaxRowsLimitsEveryCountedWrite) {
  const std::vector<ScopeEntry> entries{*parse_scope_entry("public.tickets:select,insert,copy")};
  const AgentPolicy scope = compile_scope("bot", entries, 5);
  EvalContext ctx;
  ctx.search_path = {"public"};
  for (const char* sql : {"COPY tickets FROM STDIN", "INSERT INTO tickets VALUES (1, 'x')"}) {
    const auto an = sql::analyze(sql, sql::AnalyzeLimits{}, catalog(), {"public"});
    const Decision d = evaluate(scope, an, ctx);
    EXPECT_EQ(d.verdict, Verdict::Allow) << sql << ": " << d.reason;
    EXPECT_EQ(d.row_limit, std::optional<std::uint64_t>(5)) << sql;
  }
  const auto read = sql::analyze("SELECT * FROM tickets", sql::AnalyzeLimits{}, catalog(), {"public"});
  EXPECT_FALSE(evaluate(scope, read, ctx).row_limit) << "reads are not limited";
}

struct StatementCase {
  const char* sql;
  const char* agent_rule;  // the agent's decision alone
  const char* through;     // agent, then scope: "allow", "hold", or the denying rule
  std::optional<std::uint64_t> row_limit = std::nullopt;
};

class ThroughToken : public ::testing::TestWithParam<StatementCase> {};

// What PolicyHook does (narrow_to_token), on the engine alone.
TEST_P(ThroughToken, Table) {
  const StatementCase& c = GetParam();
  const AgentPolicy a = agent();
  const std::vector<ScopeEntry> entries{*parse_scope_entry("public.tickets:select,update"),
                                        *parse_scope_entry("public.notes:delete")};
  const AgentPolicy scope = compile_scope("bot", entries, 5);
  const auto an = sql::analyze(c.sql, sql::AnalyzeLimits{}, catalog(), {"public"});
  EvalContext ctx;
  ctx.search_path = {"public"};
  Decision d = evaluate(a, an, ctx);
  EXPECT_EQ(d.verdict == Verdict::Deny ? d.rule : std::string(to_string(d.verdict)), c.agent_rule) << c.sql;
  if (d.verdict != Verdict::Deny) {
    Decision t = evaluate(scope, an, ctx);
    if (t.verdict != Verdict::Allow) d = Decision::deny("token.scope", t.reason);
    else if (t.row_limit && (!d.row_limit || *t.row_limit < *d.row_limit)) d.row_limit = t.row_limit;
  }
  EXPECT_EQ(d.verdict == Verdict::Deny ? d.rule : std::string(to_string(d.verdict)), c.through) << c.sql;
  EXPECT_EQ(d.row_limit, c.row_limit) << c.sql;
}

INSTANTIATE_TEST_SUITE_P(
    Statements, ThroughToken,
    ::testing::Values(
        StatementCase{"SELECT * FROM tickets WHERE id = 1", "allow", "allow"},
        StatementCase{"UPDATE tickets SET status = 'x' WHERE id = 1", "allow", "allow", 5},
        StatementCase{"SELECT * FROM accounts", "allow", "token.scope"},
        StatementCase{"SELECT t.id FROM tickets t JOIN accounts a ON a.id = t.id", "allow", "token.scope"},
        StatementCase{"DELETE FROM notes WHERE id = 1", "hold", "hold", 5},
        StatementCase{"DELETE FROM tickets WHERE id = 1", "default_deny", "default_deny"},
        StatementCase{"SELECT 1", "allow", "allow"}));

}  // namespace
}  // namespace airlock::policy
