// `airlock check` and the gateway give the same verdict (issue #11). One corpus runs through
// the gateway's decision path (PolicyHook::on_statement, built from a config as a session
// builds it) and through check's (app::decide, the code `airlock check` and `airlock policy
// test` run); verdict and rule id must agree for every statement, with and without a state
// store. Rows with an expectation also pin what both must say.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/policy_source.hpp"
#include "config/config.hpp"
#include "proxy/policy_hook.hpp"
#include "sql/catalog_sources.hpp"

namespace airlock::proxy {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE public.tickets (id integer NOT NULL, subject text, status text, assignee text);
CREATE TABLE public.customers (id integer NOT NULL, name text, email text, ssn text);
CREATE TABLE public.subscriptions (id integer NOT NULL, plan text NOT NULL);
CREATE TABLE public.orders (id integer NOT NULL, total numeric);
CREATE TABLE public.notes (id integer NOT NULL, body text);
)sql";

constexpr const char* kAgents = R"yaml(
agents:
  support-bot:
    allow:
      - tables: [public.tickets, public.subscriptions, public.orders, public.notes]
        actions: [select]
      - tables: [public.customers]
        actions: [select]
        mask: [email]
        deny_columns: [ssn]
      - tables: [public.tickets]
        actions: [update]
        columns: [status, assignee]
        max_rows: 50
      - tables: [public.customers]
        actions: [update]
        columns: [name]
        max_rows: 5
      - tables: [public.notes]
        actions: [insert, copy]
        max_rows: 10
      - tables: [public.orders]
        actions: [insert]
    hold:
      - tables: [public.subscriptions]
        actions: [update]
        reason: plan changes need a human
    budgets:
      - name: order-writes
        tables: [public.orders]
        actions: [insert]
        max_rows: 100
    limits:
      statement_timeout: 5s
  reader:
    allow:
      - tables: [public.tickets]
        actions: [select]
  shadow-bot:
    mode: shadow
    allow:
      - tables: [public.tickets]
        actions: [select, update]
  scribe:
    require_intent: writes
    allow:
      - tables: [public.tickets, public.notes]
        actions: [select, update, insert]
    hold:
      - tables: [public.subscriptions]
        actions: [update]
  auditor:
    require_intent: all
    allow:
      - tables: [public.tickets]
        actions: [select]
)yaml";

std::shared_ptr<const config::Config> load(bool state) {
  const std::string yaml = std::string("upstream: {database: app, user: airlock}\n") +
                           (state ? "state: {path: parity.db}\n" : "") + kAgents;
  auto r = config::load_config_from_string(yaml, "parity.yaml",
                                           config::LoadOptions{.secrets = false});
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r.config;
}

struct Row {
  const char* name;
  const char* agent;
  const char* sql;
  const char* expect = "";  // with a state store; "" = only the same in both paths
  const char* rule = "";
};

// clang-format off
const std::vector<Row> kCorpus = {
  // The issue's examples: the gateway refused them, check allowed them.
  {"set_search_path_attacker", "reader", "SET search_path = attacker, public", "deny", "gateway.search_path"},
  {"set_schema", "reader", "SET SCHEMA 'x'", "deny", "gateway.search_path"},
  {"set_local_search_path_then_select", "reader", "SET LOCAL search_path = ''; SELECT 1", "deny", "gateway.search_path"},
  {"set_search_path_public", "reader", "SET search_path TO public; SELECT * FROM tickets", "deny", "gateway.search_path"},
  {"prepare_reserved_name", "reader", "PREPARE airlock_x AS SELECT 1", "deny", "gateway.reserved_name"},
  {"declare_reserved_cursor", "reader", "DECLARE AIRLOCK_c CURSOR FOR SELECT 1", "deny", "gateway.reserved_name"},
  {"savepoint_reserved_name", "reader", "SAVEPOINT airlock_sp", "deny", "gateway.reserved_name"},
  {"guarded_update_with_select", "support-bot", "UPDATE tickets SET status = 'x' WHERE id = 1; SELECT 1", "deny", "gateway.row_guard"},
  {"select_then_guarded_update", "support-bot", "SELECT 1; UPDATE tickets SET status = 'x' WHERE id = 1", "deny", "gateway.row_guard"},
  {"copy_under_row_limit", "support-bot", "COPY notes FROM STDIN", "deny", "gateway.row_guard"},
  {"budget_with_another_statement", "support-bot", "INSERT INTO orders VALUES (1, 2); SELECT 1", "deny", "gateway.row_guard"},
  {"guarded_update_returning_masked", "support-bot", "UPDATE customers SET name = 'n' WHERE id = 1 RETURNING email", "deny", "gateway.masking"},
  {"pinned_statement_timeout", "support-bot", "SET statement_timeout = '1h'", "deny", "gateway.statement_timeout"},
  {"pinned_statement_timeout_local", "support-bot", "SET LOCAL statement_timeout = 0", "deny", "gateway.statement_timeout"},
  {"statement_timeout_not_pinned", "reader", "SET statement_timeout = '5s'", "allow"},
  {"shadow_and_chain", "shadow-bot", "COMMIT AND CHAIN", "deny", "gateway.shadow"},
  {"shadow_begin_with_others", "shadow-bot", "BEGIN; UPDATE tickets SET status = 'x' WHERE id = 1", "deny", "gateway.shadow"},
  {"shadow_isolation", "shadow-bot", "BEGIN ISOLATION LEVEL SERIALIZABLE", "deny", "gateway.shadow"},
  {"shadow_reserved_savepoint", "shadow-bot", "SAVEPOINT airlock_shadow", "deny", "gateway.reserved_name"},
  // The policy's own refusal comes first.
  {"policy_deny_before_search_path", "reader", "SET search_path = evil; SELECT * FROM customers", "deny", "default_deny"},
  {"policy_deny_column", "support-bot", "SELECT ssn FROM customers", "deny"},
  // What the gateway lets through.
  {"guarded_update_alone", "support-bot", "UPDATE tickets SET status = 'x' WHERE id = 1", "allow", "allow[2]"},
  {"budget_alone", "support-bot", "INSERT INTO orders VALUES (1, 2)", "allow"},
  {"hold_alone", "support-bot", "UPDATE subscriptions SET plan = 'pro' WHERE id = 2", "hold", "hold[0]"},
  {"masked_select", "support-bot", "SELECT email FROM customers", "allow", "allow[1]"},
  {"reset_search_path", "reader", "RESET search_path; SELECT * FROM tickets", "allow"},
  {"prepare_other_name", "reader", "PREPARE q AS SELECT 1", "allow"},
  {"shadow_plain_begin", "shadow-bot", "BEGIN", "allow"},
  {"shadow_update", "shadow-bot", "UPDATE tickets SET status = 'x' WHERE id = 1", "allow"},
  {"select_ok", "reader", "SELECT id FROM tickets", "allow"},
  {"unparsed", "reader", "SELEC 1", "deny", "builtin.unparsed"},
  // require_intent (docs/access.md, "Justification"): only a comment states one here.
  {"intent_write_without", "scribe", "UPDATE tickets SET status = 'x' WHERE id = 1", "deny", "intent.required"},
  {"intent_write_with_comment", "scribe", "UPDATE tickets SET status = 'x' WHERE id = 1 /* airlock: intent=\"close #4411\" */", "allow", "allow[0]"},
  {"intent_write_with_line_comment", "scribe", "-- airlock: intent=\"close #4411\"\nINSERT INTO notes VALUES (1, 'x')", "allow"},
  {"intent_in_a_literal_is_none", "scribe", "UPDATE tickets SET status = '/* airlock: intent=\"x\" */' WHERE id = 1", "deny", "intent.required"},
  {"intent_read_needs_none_under_writes", "scribe", "SELECT id FROM tickets", "allow"},
  {"intent_read_calling_a_writer_needs_one", "scribe", "SELECT id, nextval('s') FROM tickets", "deny"},
  {"intent_begin_needs_none", "scribe", "BEGIN", "allow"},
  {"intent_set_application_name_needs_none", "auditor", "SET application_name = 'intent:audit'", "allow"},
  {"intent_show_needs_none", "auditor", "SHOW search_path", "allow"},
  {"intent_read_under_all", "auditor", "SELECT id FROM tickets", "deny", "intent.required"},
  {"intent_read_under_all_with_comment", "auditor", "SELECT id FROM tickets /* airlock: intent=\"audit\" */", "allow"},
  {"intent_policy_deny_first", "scribe", "DELETE FROM tickets", "deny", "default_deny"},
  {"intent_before_hold", "scribe", "UPDATE subscriptions SET plan = 'pro' WHERE id = 2", "deny", "intent.required"},
  {"intent_hold_with_comment", "scribe", "/* airlock: intent=\"upgrade\" */ UPDATE subscriptions SET plan = 'pro' WHERE id = 2", "hold", "hold[0]"},
  {"intent_one_for_the_string", "scribe", "SELECT 1; UPDATE tickets SET status = 'x' WHERE id = 1", "deny", "intent.required"},
};

// Without a state store (a config without state.path: a gateway would not load its holds or
// budgets, but the rules must still agree).
const std::vector<Row> kWithoutStore = {
  {"hold_without_store", "support-bot", "UPDATE subscriptions SET plan = 'pro' WHERE id = 2", "deny", "hold[0]"},
  {"budget_without_store", "support-bot", "INSERT INTO orders VALUES (1, 2)", "deny", "gateway.row_guard"},
  {"row_limit_without_store", "support-bot", "UPDATE tickets SET status = 'x' WHERE id = 1", "allow", "allow[2]"},
};
// clang-format on

struct Outcome {
  std::string decision;
  std::string rule;
  std::string message;  // the gateway's client text, for a refusal
  std::string sqlstate;
};

std::uint64_t next_generation() {
  static std::uint64_t g = 0x9a7e'0000;  // the decision cache is per thread: no sharing
  return ++g;
}

Outcome gateway(const config::Config& cfg, const std::string& agent,
                const std::shared_ptr<const sql::Catalog>& catalog, const std::string& sql) {
  PolicyHook hook(cfg.agents.at(agent), catalog, next_generation(), {"public"},
                  cfg.upstream.user, !cfg.state.path.empty());
  StatementEvent ev;
  ev.agent = agent;
  ev.sql = sql;
  const Verdict v = hook.on_statement(ev);
  Outcome out;
  out.decision = !v.forward ? "deny" : v.hold ? "hold" : "allow";
  if (v.info) out.rule = v.info->rule;
  if (!v.forward) {
    out.message = v.error.message;
    out.sqlstate = v.error.sqlstate;
  }
  if (v.info) {
    EXPECT_EQ(v.info->decision, out.decision) << sql;
  }
  return out;
}

void run(const std::vector<Row>& rows, bool state, bool expectations) {
  const auto cfg = load(state);
  ASSERT_TRUE(cfg);
  auto catalog = sql::catalog_from_schema_sql(kSchema);
  ASSERT_TRUE(catalog) << catalog.error().message;
  const auto shared = std::make_shared<const sql::Catalog>(std::move(*catalog));
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(r.name) + (state ? " (state store)" : " (no state store)"));
    const Outcome g = gateway(*cfg, r.agent, shared, r.sql);
    const policy::Decision c = app::decide(*cfg, cfg->agents.at(r.agent), *shared, r.sql);
    EXPECT_EQ(std::string(policy::to_string(c.verdict)), g.decision) << r.sql;
    EXPECT_EQ(c.rule, g.rule) << r.sql;
    if (g.decision == "deny" && !c.rule.starts_with("hold")) {
      // check's reason is the gateway's message without its prefix and rule id.
      EXPECT_EQ(g.message, "airlock: " + c.reason + " [" + c.rule + "]") << r.sql;
      EXPECT_EQ(g.sqlstate, c.rule == "gateway.shadow" ? "0A000" : "42501") << r.sql;
    }
    if (expectations && *r.expect) {
      EXPECT_EQ(g.decision, r.expect) << r.sql;
    }
    if (expectations && *r.rule) {
      EXPECT_EQ(g.rule, r.rule) << r.sql;
    }
  }
}

TEST(GatewayParity, CorpusWithStateStore) { run(kCorpus, true, true); }
TEST(GatewayParity, CorpusWithoutStateStore) { run(kCorpus, false, false); }
TEST(GatewayParity, WithoutStateStore) { run(kWithoutStore, false, true); }

// A hold refused for want of a store keeps the gateway's message, which names the hold.
TEST(GatewayParity, HoldWithoutStoreMessage) {
  const auto cfg = load(false);
  ASSERT_TRUE(cfg);
  auto catalog = sql::catalog_from_schema_sql(kSchema);
  ASSERT_TRUE(catalog);
  const auto shared = std::make_shared<const sql::Catalog>(std::move(*catalog));
  const Outcome g = gateway(*cfg, "support-bot", shared,
                            "UPDATE subscriptions SET plan = 'pro' WHERE id = 2");
  EXPECT_EQ(g.sqlstate, "42501");
  EXPECT_TRUE(g.message.starts_with("airlock: held for human approval: "));
  EXPECT_TRUE(g.message.ends_with(" [hold[0]]; no state store is configured (state.path), so "
                                  "it is refused"))
      << g.message;
}

}  // namespace
}  // namespace airlock::proxy
