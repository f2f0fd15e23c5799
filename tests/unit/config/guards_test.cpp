// state:, approvals: and budgets: that must load, and what they load into.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "config/config.hpp"

namespace airlock::config {
namespace {

std::string data_file(const std::string& name) {
  return std::string(AIRLOCK_TEST_DATA_DIR) + "/" + name;
}

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += "  " + e.to_string() + "\n";
  return out;
}

class GuardsLoad : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("CFG_TEST_BOT_PASSWORD", "bot-secret", 1);
    ::setenv("CFG_TEST_WEBHOOK_SECRET", "hook-secret", 1);
    ::unsetenv("CFG_TEST_UNSET");
  }
};

const char* kGuarded = R"(upstream: {database: app, user: airlock}
state: {path: ./state/../airlock-state.db}
approvals:
  hold_wait: 90s
  expire_after: 2h
  webhook:
    url: https://hooks.example/airlock
    timeout: 3s
    secret_env: CFG_TEST_WEBHOOK_SECRET
agents:
  bot:
    password_env: CFG_TEST_BOT_PASSWORD
    allow:
      - tables: [public.tickets]
        actions: [update]
        max_rows: 50
        over_limit: hold
    hold:
      - tables: [public.subscriptions]
        actions: [update]
    budgets:
      - tables: [public.tickets, public.comments]
        actions: [update, delete]
        max_rows: 500
        window: 1h
        over_limit: hold
      - name: everything
        max_rows: 10000
        window: 1d
)";

TEST_F(GuardsLoad, EveryKeySet) {
  // The state file resolves against the config file's folder, normalized.
  LoadResult r = load_config_from_string(kGuarded, data_file("guarded.yaml"));
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.state.path, data_file("airlock-state.db"));
  EXPECT_EQ(c.approvals.hold_wait, Millis(90'000));
  EXPECT_EQ(c.approvals.expire_after, Millis(7'200'000));
  EXPECT_EQ(c.approvals.webhook.url, "https://hooks.example/airlock");
  EXPECT_EQ(c.approvals.webhook.timeout, Millis(3'000));
  EXPECT_EQ(c.approvals.webhook.secret, "hook-secret");
  const Agent& a = c.agents.at("bot");
  ASSERT_EQ(a.budgets.size(), 2u);
  EXPECT_EQ(a.budgets[0].id, "budgets[0]");
  EXPECT_EQ(a.budgets[0].tables,
            (std::vector<std::string>{"public.tickets", "public.comments"}));
  EXPECT_EQ(a.budgets[0].actions, (std::vector<std::string>{"update", "delete"}));
  EXPECT_EQ(a.budgets[0].max_rows, 500);
  EXPECT_EQ(a.budgets[0].window, Millis(3'600'000));
  EXPECT_EQ(a.budgets[0].over_limit, "hold");
  EXPECT_EQ(a.budgets[0].line, 22);
  EXPECT_EQ(a.budgets[1].id, "everything");
  EXPECT_TRUE(a.budgets[1].tables.empty());
  EXPECT_TRUE(a.budgets[1].actions.empty());
  EXPECT_EQ(a.budgets[1].window, Millis(86'400'000));
  EXPECT_EQ(a.budgets[1].over_limit, "deny");
}

TEST_F(GuardsLoad, Defaults) {
  LoadResult r = load_config_from_string(
      "upstream: {database: app, user: a}\n"
      "agents: {bot: {password_env: CFG_TEST_BOT_PASSWORD}}\n",
      "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.state.path, "");
  EXPECT_EQ(c.approvals.hold_wait, Millis(60'000));
  EXPECT_EQ(c.approvals.expire_after, Millis(3'600'000));
  EXPECT_EQ(c.approvals.webhook.url, "");
  EXPECT_EQ(c.approvals.webhook.timeout, Millis(5'000));
  EXPECT_EQ(c.approvals.webhook.secret, "");
  EXPECT_TRUE(c.agents.at("bot").budgets.empty());
}

TEST_F(GuardsLoad, HoldWaitZeroAndAnAbsolutePath) {
  LoadResult r = load_config_from_string(
      "upstream: {database: app, user: a}\n"
      "state: {path: /tmp/airlock-unit-state.db}\n"
      "approvals: {hold_wait: 0, webhook: {url: 'http://127.0.0.1:9000/hook'}}\n"
      "agents: {bot: {password_env: CFG_TEST_BOT_PASSWORD}}\n",
      data_file("t.yaml"));
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_EQ(r.config->state.path, "/tmp/airlock-unit-state.db");
  EXPECT_EQ(r.config->approvals.hold_wait, Millis(0));
  EXPECT_EQ(r.config->approvals.webhook.url, "http://127.0.0.1:9000/hook");
}

// airlock check / policy test (and the approvals CLI) read no secrets and touch no files:
// a policy with holds loads without state.path, secret_env is only checked for shape.
TEST_F(GuardsLoad, WithoutSecretsNothingOutsideTheFileIsRequired) {
  LoadOptions no_secrets{.secrets = false};
  LoadResult r = load_config_from_string(
      "upstream: {database: app, user: a}\n"
      "state: {path: /nonexistent/airlock/state.db}\n"
      "approvals: {webhook: {url: 'https://h.example/x', secret_env: CFG_TEST_UNSET}}\n"
      "agents:\n  bot:\n    hold: [{tables: [public.t]}]\n    budgets: [{max_rows: 3}]\n",
      "t.yaml", no_secrets);
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_EQ(r.config->state.path, "/nonexistent/airlock/state.db");
  EXPECT_EQ(r.config->approvals.webhook.secret, "");

  LoadResult no_state = load_config_from_string(
      "upstream: {database: app, user: a}\n"
      "agents:\n  bot:\n    hold: [{tables: [public.t]}]\n    budgets: [{max_rows: 3}]\n",
      "t.yaml", no_secrets);
  EXPECT_TRUE(no_state.errors.empty()) << dump(no_state);
}

}  // namespace
}  // namespace airlock::config
