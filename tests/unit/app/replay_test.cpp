// airlock policy replay, the pure part: classifying changes, spotting decisions that rest on
// a literal the trail replaced, and the per-agent, per-rule summary (app/replay.hpp).
#include "app/replay.hpp"

#include <gtest/gtest.h>

#include "sql/analyze.hpp"

namespace airlock::app {
namespace {

TEST(Replay, Classify) {
  struct Case {
    const char* was;
    const char* now;
    Change change;
  };
  const Case cases[] = {
      {"allow", "allow", Change::None},      {"deny", "deny", Change::None},
      {"hold", "hold", Change::None},        {"allow", "deny", Change::AllowToDeny},
      {"deny", "allow", Change::DenyToAllow}, {"allow", "hold", Change::NewlyHeld},
      {"deny", "hold", Change::NewlyHeld},   {"hold", "allow", Change::HoldToAllow},
      {"hold", "deny", Change::HoldToDeny},  {"", "deny", Change::None},  // unknown = deny
      {"", "allow", Change::DenyToAllow},
  };
  for (const auto& c : cases)
    EXPECT_EQ(classify(c.was, c.now), c.change) << c.was << " -> " << c.now;
}

TEST(Replay, PlaceholderOffsets) {
  struct Case {
    const char* text;
    std::vector<std::size_t> offsets;
  };
  const Case cases[] = {
      {"SELECT 1", {}},
      {"SELECT $1", {7}},
      {"SELECT f($1, $12) FROM t", {9, 13}},
      {"SELECT '$1', \"$2\", $3", {19}},
      {"SELECT $$ $1 $$, $tag$ $2 $tag$, $3", {33}},
      {"SELECT a$1 FROM t -- $2\n WHERE x = /* $3 */ $4", {44}},
      {"CREATE TABLE x (a int DEFAULT ?)", {30}},
      {"SELECT E'\\' $1', $2", {17}},
  };
  for (const auto& c : cases) EXPECT_EQ(placeholder_offsets(c.text), c.offsets) << c.text;
}

TEST(Replay, LiteralDependence) {
  struct Case {
    const char* statement;
    const char* why;  // substring of the reason; "" = none
    bool literal_reader;
  };
  const Case cases[] = {
      {"SELECT id FROM t WHERE id = $1", "", false},
      {"SELECT * FROM t LIMIT $1", "", false},
      {"SELECT lower($1) FROM t", "argument of lower()", false},
      {"SELECT nextval($1)", "argument of nextval(), which the policy reads", true},
      {"SELECT pg_catalog.pg_sleep($1)", "argument of pg_sleep()", true},
      {"SELECT current_setting($1)", "current_setting()", true},
      {"SELECT upper(name), pg_sleep($1) FROM t WHERE id = $2", "pg_sleep()", true},
      {"SELECT f(g($1))", "argument of", false},
      {"SELECT nextval('public.s')", "", false},  // kept literals: decided as sent
      {"CREATE TABLE x (a int DEFAULT ?)", "does not parse", true},
      {"SELEC 1", "", false},  // did not parse before either
      {"EXECUTE p", "prepared statement", true},
  };
  for (const auto& c : cases) {
    bool reader = !c.literal_reader;
    const std::string why = literal_dependence(c.statement, sql::analyze(c.statement), reader);
    if (*c.why == '\0') EXPECT_EQ(why, "") << c.statement;
    else EXPECT_NE(why.find(c.why), std::string::npos) << c.statement << ": " << why;
    EXPECT_EQ(reader, c.literal_reader) << c.statement;
  }
}

ReplayItem item(std::uint64_t seq, const char* agent, const char* stmt, const char* was,
                const char* now, const char* rule, bool undecidable = false) {
  ReplayItem it;
  it.seq = seq;
  it.agent = agent;
  it.statement = stmt;
  it.was_decision = was;
  it.was_rule = "allow[0]";
  it.now_decision = now;
  it.now_rule = rule;
  it.undecidable = undecidable;
  return it;
}

struct GroupWant {
  std::string agent;
  Change change;
  std::string rule;
  std::size_t records;
  std::size_t statements;
  std::vector<std::uint64_t> examples;
};

TEST(Replay, Summary) {
  std::vector<ReplayItem> items = {
      item(1, "bot", "SELECT 1", "allow", "allow", "builtin.no_objects"),
      item(2, "bot", "UPDATE t SET a = $1 WHERE id = $2", "allow", "deny", "default_deny"),
      item(3, "bot", "UPDATE t SET a = $1 WHERE id = $2", "allow", "deny", "default_deny"),
      item(4, "bot", "DELETE FROM t WHERE id = $1", "allow", "deny", "default_deny"),
      item(5, "bot", "INSERT INTO t VALUES ($1)", "allow", "deny", "default_deny"),
      item(6, "bot", "INSERT INTO u VALUES ($1)", "allow", "deny", "default_deny"),
      item(7, "bot", "DELETE FROM u WHERE id = $1", "allow", "hold", "hold[0]"),
      item(8, "bot", "SELECT nextval($1)", "allow", "deny", "builtin.sequence_function", true),
      item(9, "ann", "SELECT * FROM s", "deny", "allow", "allow[1]"),
      item(10, "ann", "SELECT * FROM s", "hold", "deny", "default_deny"),
      item(11, "old", "SELECT 1", "allow", "deny", "replay.unknown_agent"),
  };
  items[0].depends_on = "a placeholder is an argument of lower()";  // unchanged
  items[7].depends_on = "a placeholder is an argument of nextval(), which the policy reads";
  const ReplaySummary s = summarize(items, {"old"});
  EXPECT_EQ(s.records, 11u);
  EXPECT_EQ(s.changed, 9u);
  EXPECT_EQ(s.undecidable, 1u);
  ASSERT_EQ(s.undecidable_examples.size(), 1u);
  EXPECT_EQ(s.undecidable_examples[0]->seq, 8u);

  const std::vector<GroupWant> want = {
      {"ann", Change::DenyToAllow, "allow[1]", 1, 1, {9}},
      {"ann", Change::HoldToDeny, "default_deny", 1, 1, {10}},
      {"bot", Change::AllowToDeny, "default_deny", 5, 4, {2, 4, 5}},  // 3 distinct examples
      {"bot", Change::NewlyHeld, "hold[0]", 1, 1, {7}},
      {"old", Change::AllowToDeny, "replay.unknown_agent", 1, 1, {11}},
  };
  ASSERT_EQ(s.groups.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& g = s.groups[i];
    EXPECT_EQ(g.agent, want[i].agent) << i;
    EXPECT_EQ(g.change, want[i].change) << i;
    EXPECT_EQ(g.rule, want[i].rule) << i;
    EXPECT_EQ(g.records, want[i].records) << i;
    EXPECT_EQ(g.statements, want[i].statements) << i;
    std::vector<std::uint64_t> ex;
    for (const auto* e : g.examples) ex.push_back(e->seq);
    EXPECT_EQ(ex, want[i].examples) << i;
  }
  ASSERT_EQ(s.agents.size(), 3u);
  EXPECT_EQ(s.agents[0].agent, "ann");
  EXPECT_EQ(s.agents[1].changed, 6u);  // bot: the undecidable one is not counted
  EXPECT_TRUE(s.agents[2].missing);
  EXPECT_EQ(replay_exit_status(s, false), 1);

  const std::string text = render_summary(s, "cand.yaml");
  EXPECT_NE(text.find("allowed → denied  [default_deny]  5 record(s), 4 distinct"),
            std::string::npos) << text;
  EXPECT_NE(text.find("agent old: 1 record(s), 1 changed (not in the candidate config"),
            std::string::npos) << text;
  EXPECT_NE(text.find("not replayable: 1 record(s)"), std::string::npos) << text;
  EXPECT_NE(text.find("2 record(s) (2 distinct statement(s)) have a decision that may depend"),
            std::string::npos) << text;
  ASSERT_EQ(s.literal_dependent.size(), 2u);
  EXPECT_EQ(s.literal_dependent[0].statement, "SELECT 1");

  const auto j = replay_json(s, items);
  EXPECT_EQ(j["changed"], 9);
  EXPECT_EQ(j["changes"].size(), 10u);  // every change, the undecidable one flagged
  EXPECT_EQ(j["changes"][0]["seq"], 2);
  EXPECT_EQ(j["changes"][0]["change"], "allow_to_deny");
  EXPECT_EQ(j["summary"][2]["examples"], nlohmann::json({2, 4, 5}));
  EXPECT_EQ(j["depends_on_literal"].size(), 2u);
  EXPECT_EQ(j["depends_on_literal"][1]["statement"], "SELECT nextval($1)");
}

TEST(Replay, ExitStatus) {
  struct Case {
    std::vector<ReplayItem> items;
    bool strict;
    int status;
  };
  const Case cases[] = {
      {{}, false, 0},
      {{item(1, "a", "SELECT 1", "allow", "allow", "x")}, false, 0},
      {{item(1, "a", "SELECT 1", "allow", "deny", "x")}, false, 1},
      {{item(1, "a", "SELECT f($1)", "allow", "deny", "builtin.unparsed", true)}, false, 0},
      {{item(1, "a", "SELECT f($1)", "allow", "deny", "builtin.unparsed", true)}, true, 1},
  };
  for (const auto& c : cases)
    EXPECT_EQ(replay_exit_status(summarize(c.items, {}), c.strict), c.status);
}

TEST(Replay, OneLine) {
  EXPECT_EQ(one_line("SELECT\n  a,\tb\r\nFROM t", 100), "SELECT a, b FROM t");
  EXPECT_EQ(one_line("SELECT abcdefgh", 10), "SELECT ...");
  EXPECT_EQ(one_line("SELECT 'ééé'", 12), "SELECT '...");  // cut at a character boundary
}

}  // namespace
}  // namespace airlock::app
