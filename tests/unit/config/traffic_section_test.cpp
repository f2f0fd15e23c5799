// An agent's limits: and breaker: that must load, and what they load into.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "config/config.hpp"

namespace airlock::config {
namespace {

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += "  " + e.to_string() + "\n";
  return out;
}

class TrafficLoad : public testing::Test {
 protected:
  static void SetUpTestSuite() { ::setenv("CFG_TEST_BOT_PASSWORD", "bot-secret", 1); }

  static const Agent& load_agent(const std::string& agent_body, LoadResult& keep) {
    keep = load_config_from_string(
        "upstream: {database: app, user: airlock}\n"
        "agents:\n"
        "  invoice-bot:\n"
        "    password_env: CFG_TEST_BOT_PASSWORD\n" +
            agent_body,
        "t.yaml");
    EXPECT_NE(keep.config, nullptr) << dump(keep);
    static const Agent none;
    if (!keep.config) return none;
    return keep.config->agents.at("invoice-bot");
  }
};

TEST_F(TrafficLoad, Defaults) {
  LoadResult r;
  const Agent& a = load_agent("", r);
  EXPECT_EQ(a.limits.rate, 0.0);  // no rate limit
  EXPECT_EQ(a.limits.burst, 0u);
  EXPECT_EQ(a.limits.max_delay, Millis(250));
  EXPECT_EQ(a.limits.max_connections, 0u);  // no cap
  EXPECT_EQ(a.limits.statement_timeout, Millis(0));  // off
  EXPECT_EQ(a.breaker.failures, 5u);
  EXPECT_EQ(a.breaker.window, Millis(30'000));
  EXPECT_EQ(a.breaker.cooldown, Millis(30'000));
  EXPECT_EQ(a.breaker.pause_error_rate, 0.0);
  EXPECT_EQ(a.breaker.pause_min_statements, 20u);
  EXPECT_EQ(a.breaker.pause_window, Millis(60'000));
  EXPECT_EQ(a.breaker.pause_cooldown, Millis(30'000));
}

TEST_F(TrafficLoad, EveryKey) {
  LoadResult r;
  const Agent& a = load_agent(
      "    limits: {rate: 50, burst: 100, max_delay: 100ms, max_connections: 10,\n"
      "             statement_timeout: 30s}\n"
      "    breaker:\n"
      "      failures: 3\n"
      "      window: 10s\n"
      "      cooldown: 60s\n"
      "      pause_error_rate: 0.8\n"
      "      pause_min_statements: 50\n"
      "      pause_window: 2m\n"
      "      pause_cooldown: 45s\n",
      r);
  EXPECT_EQ(a.limits.rate, 50.0);
  EXPECT_EQ(a.limits.burst, 100u);
  EXPECT_EQ(a.limits.max_delay, Millis(100));
  EXPECT_EQ(a.limits.max_connections, 10u);
  EXPECT_EQ(a.limits.statement_timeout, Millis(30'000));
  EXPECT_EQ(a.breaker.failures, 3u);
  EXPECT_EQ(a.breaker.window, Millis(10'000));
  EXPECT_EQ(a.breaker.cooldown, Millis(60'000));
  EXPECT_EQ(a.breaker.pause_error_rate, 0.8);
  EXPECT_EQ(a.breaker.pause_min_statements, 50u);
  EXPECT_EQ(a.breaker.pause_window, Millis(120'000));
  EXPECT_EQ(a.breaker.pause_cooldown, Millis(45'000));
}

TEST_F(TrafficLoad, BurstDefaultsToOneSecondOfRate) {
  LoadResult r;
  EXPECT_EQ(load_agent("    limits: {rate: 2.5}\n", r).limits.burst, 3u);
  EXPECT_EQ(load_agent("    limits: {rate: 0.5}\n", r).limits.burst, 1u);
  EXPECT_EQ(load_agent("    limits: {rate: 0.5}\n", r).limits.rate, 0.5);
}

TEST_F(TrafficLoad, ZeroesTurnThingsOff) {
  LoadResult r;
  const Agent& a = load_agent(
      "    limits: {rate: 0, max_delay: 0}\n"
      "    breaker: {failures: 0, pause_error_rate: 0}\n",
      r);
  EXPECT_EQ(a.limits.rate, 0.0);
  EXPECT_EQ(a.limits.max_delay, Millis(0));
  EXPECT_EQ(a.breaker.failures, 0u);
  EXPECT_EQ(a.breaker.pause_error_rate, 0.0);
}

TEST_F(TrafficLoad, ErrorRateAsPercentage) {
  LoadResult r;
  EXPECT_DOUBLE_EQ(load_agent("    breaker: {pause_error_rate: 80%}\n", r).breaker.pause_error_rate,
                   0.8);
}

TEST_F(TrafficLoad, BreakerOff) {
  LoadResult r;
  const Agent& a = load_agent("    breaker: off\n", r);
  EXPECT_EQ(a.breaker.failures, 0u);
  EXPECT_EQ(a.breaker.pause_error_rate, 0.0);
}

}  // namespace
}  // namespace airlock::config
