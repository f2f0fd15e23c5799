#pragma once
// A config with one agent and a real SQLite store in a fresh directory, for the access
// request tests; the clock is explicit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "access/issue.hpp"
#include "config/config.hpp"
#include "state/temp_store.hpp"

namespace airlock::access::testing {

using state::testing::kT0;

// support-bot: select and update on public.tickets (update held for a human is also a
// grant), select on public.customers. Requests expire after 30 minutes.
inline std::shared_ptr<const config::Config> support_config() {
  ::setenv("ACCESS_TEST_BOT_PASSWORD", "bot-secret", 1);
  auto loaded = config::load_config_from_string(
      "upstream: {database: app, user: airlock}\n"
      "state: {path: state.db}\n"
      "approvals: {hold_wait: 1m, expire_after: 30m}\n"
      "agents:\n"
      "  support-bot:\n"
      "    password_env: ACCESS_TEST_BOT_PASSWORD\n"
      "    allow:\n"
      "      - tables: [public.tickets]\n"
      "        actions: [select, update]\n"
      "      - tables: [public.customers]\n"
      "        actions: [select]\n",
      "access.yaml");
  for (const auto& e : loaded.errors) ADD_FAILURE() << e.to_string();
  return loaded.config;
}

inline TokenRequest ask(std::vector<std::string> allow, std::string reason = "ticket #123") {
  TokenRequest r;
  r.agent = "support-bot";
  r.allow = std::move(allow);
  r.ttl = std::chrono::minutes(15);
  r.reason = std::move(reason);
  return r;
}

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_ = support_config();
    ASSERT_TRUE(cfg_);
    store_ = state::testing::open_or_die(dir_.file("state.db"));
    ASSERT_TRUE(store_);
  }
  state::testing::TempDir dir_;
  std::shared_ptr<const config::Config> cfg_;
  std::unique_ptr<state::Store> store_;
};

}  // namespace airlock::access::testing
