// Compiling allow/hold lists: names in the parser's form, lookups, the hint.
#include <gtest/gtest.h>

#include "policy/agent_policy.hpp"
#include "policy/builtin_functions.hpp"

namespace airlock::policy {
namespace {

RuleSpec tables(std::vector<std::string> t, std::vector<std::string> actions) {
  RuleSpec r;
  r.tables = std::move(t);
  r.actions = std::move(actions);
  return r;
}

TEST(ObjectNames, QuotedPartsKeepCaseUnquotedFold) {
  auto n = parse_qualified("\"Sales\".\"Order \"\"Items\"\"\"");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->schema, "Sales");
  EXPECT_EQ(n->name, "Order \"Items\"");
  EXPECT_EQ(display(*n), "\"Sales\".\"Order \"\"Items\"\"\"");
  EXPECT_EQ(parse_qualified("public.tickets")->name, "tickets");
  EXPECT_FALSE(parse_qualified("tickets"));
  EXPECT_FALSE(parse_qualified("a.b.c"));
  EXPECT_EQ(ObjectName({"a.b", "c"}).key() == ObjectName({"a", "b.c"}).key(), false);
}

TEST(AgentPolicy, LookupsByTableSequenceFunction) {
  RuleSpec seq;
  seq.sequences = {"public.s"};
  RuleSpec fn;
  fn.functions = {"public.f"};
  const std::vector<RuleSpec> allow = {tables({"public.t", "\"X\".y"}, {"select"}), seq, fn};
  const std::vector<RuleSpec> hold = {tables({"public.t"}, {"update"})};
  const AgentPolicy p = AgentPolicy::compile("bot", allow, hold);
  auto t = p.for_table({"public", "t"});
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0]->id, "allow[0]");
  EXPECT_EQ(t[1]->id, "hold[0]");
  EXPECT_TRUE(t[0]->has(Action::Select));
  EXPECT_FALSE(t[0]->has(Action::Update));
  EXPECT_EQ(p.for_table({"X", "y"}).size(), 1u);
  EXPECT_TRUE(p.for_table({"x", "y"}).empty());
  EXPECT_EQ(p.for_sequence({"public", "s"}).front()->id, "allow[1]");
  EXPECT_EQ(p.for_function({"public", "f"}).front()->id, "allow[2]");
  EXPECT_TRUE(p.may_write());  // a hold entry with update counts
}

TEST(AgentPolicy, HintNamesWhatIsAllowed) {
  RuleSpec upd = tables({"public.tickets"}, {"update"});
  upd.columns = {"status", "assignee"};
  const std::vector<RuleSpec> allow = {tables({"public.tickets", "public.subscriptions"},
                                              {"select"}),
                                       upd};
  const AgentPolicy p = AgentPolicy::compile("support-bot", allow, {});
  EXPECT_EQ(p.hint(),
            "support-bot may: select on public.tickets, public.subscriptions; update (status, "
            "assignee) on public.tickets. Ask an administrator to extend the policy.");
  EXPECT_FALSE(AgentPolicy::compile("r", std::vector<RuleSpec>{allow[0]}, {}).may_write());
}

TEST(Builtins, TablesSortedAndFamilies) {
  EXPECT_TRUE(detail::builtin_tables_sorted());
  using detail::classify_function;
  using detail::FunctionClass;
  EXPECT_EQ(classify_function("pg_read_file").cls, FunctionClass::Dangerous);
  EXPECT_EQ(classify_function("pg_ls_waldir").cls, FunctionClass::Dangerous);
  EXPECT_EQ(classify_function("dblink_exec").cls, FunctionClass::Dangerous);
  EXPECT_EQ(classify_function("lo_import").cls, FunctionClass::Dangerous);
  EXPECT_EQ(classify_function("pg_try_advisory_lock").cls, FunctionClass::Dangerous);
  EXPECT_EQ(classify_function("lower").cls, FunctionClass::Safe);
  EXPECT_EQ(classify_function("nextval").cls, FunctionClass::Sequence);
  EXPECT_EQ(classify_function("random").cls, FunctionClass::Unknown);
  EXPECT_TRUE(detail::is_pg_catalog_relation("pg_class"));
  EXPECT_TRUE(detail::is_pg_catalog_relation("pg_stat_user_tables"));
  EXPECT_FALSE(detail::is_pg_catalog_relation("pg_secret_table"));
}

}  // namespace
}  // namespace airlock::policy
