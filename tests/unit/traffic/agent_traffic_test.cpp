// One agent's gate (pause, breaker, rate in that order), its connection cap, and the
// registry across reloads.
#include <gtest/gtest.h>

#include <string>

#include "test_time.hpp"
#include "traffic/agent_traffic.hpp"
#include "traffic/registry.hpp"

namespace airlock::traffic {
namespace {

using test::at_ms;
using test::ms;

Settings strict() {
  Settings s;
  s.rate = RateSpec{1, 1, ms(0)};
  s.breaker = BreakerSpec{1, ms(10'000), ms(500), 4096};
  s.pause = PauseSpec{0.5, 100, ms(10'000), ms(500)};
  return s;
}

void trip(AgentTraffic& agent, const char* key, long long at) {
  agent.record_failure(key, at_ms(at), "boom");
  agent.record_failure(key, at_ms(at), "boom");
}

TEST(AgentTraffic, BreakerRefusalTakesNoToken) {
  AgentTraffic agent("bot", strict());
  trip(agent, "a", 0);
  Gate refused = agent.admit("a", at_ms(1));
  EXPECT_EQ(refused.refusal, Refusal::Breaker);
  EXPECT_EQ(refused.error.sqlstate, "53400");
  EXPECT_EQ(refused.retry_after, ms(499));
  EXPECT_TRUE(agent.admit("b", at_ms(1)).admitted());
  Gate limited = agent.admit("b", at_ms(1));
  EXPECT_EQ(limited.refusal, Refusal::RateLimit);
  EXPECT_EQ(limited.retry_after, ms(1000));
  EXPECT_EQ(limited.error.message,
            "airlock: rate limit for bot exceeded (1 statements/s, burst 1); retry in 1 s");
}

TEST(AgentTraffic, RateRefusalGivesTheTrialBack) {
  AgentTraffic agent("bot", strict());
  trip(agent, "a", 0);
  EXPECT_TRUE(agent.admit("b", at_ms(600)).admitted());  // takes the only token
  EXPECT_EQ(agent.admit("a", at_ms(600)).refusal, Refusal::RateLimit);
  Gate trial = agent.admit("a", at_ms(1600));
  EXPECT_TRUE(trial.admitted());
  EXPECT_TRUE(trial.breaker_trial);
  EXPECT_FALSE(trial.pause_trial);
}

TEST(AgentTraffic, AbandonGivesTheTrialBack) {
  Settings s = strict();
  s.rate = RateSpec{};
  AgentTraffic agent("bot", s);
  trip(agent, "a", 0);
  Gate trial = agent.admit("a", at_ms(500));
  ASSERT_TRUE(trial.breaker_trial);
  EXPECT_EQ(agent.admit("a", at_ms(501)).refusal, Refusal::Breaker);
  agent.abandon("a", trial);
  EXPECT_TRUE(agent.admit("a", at_ms(502)).breaker_trial);
}

TEST(AgentTraffic, DelayedStatementIsAdmittedWithItsDelay) {
  Settings s = strict();
  s.rate = RateSpec{10, 1, ms(250)};
  AgentTraffic agent("bot", s);
  EXPECT_EQ(agent.admit("a", at_ms(0)).delay, ms(0));
  Gate delayed = agent.admit("a", at_ms(0));
  EXPECT_TRUE(delayed.admitted());
  EXPECT_EQ(delayed.delay, ms(100));
}

TEST(AgentTraffic, PausedAgentRefusesEveryStatement) {
  Settings s = strict();
  s.rate = RateSpec{};
  s.breaker.failures = 0;
  s.pause = PauseSpec{0.5, 5, ms(60'000), ms(30'000)};
  AgentTraffic agent("invoice-bot", s);
  agent.record_success("a", at_ms(0));
  for (const char* key : {"a", "b", "c", "d"}) agent.record_failure(key, at_ms(1), "e");
  Gate refused = agent.admit("z", at_ms(1));
  EXPECT_EQ(refused.refusal, Refusal::Paused);
  EXPECT_EQ(refused.error.sqlstate, "53400");
  EXPECT_EQ(refused.error.message,
            "airlock: agent invoice-bot is paused: 80% of its statements failed in the last "
            "60s; resumes in 30 s");
  Gate trial = agent.admit("z", at_ms(30'001));
  EXPECT_TRUE(trial.pause_trial);
  agent.record_success("z", at_ms(30'002));
  EXPECT_TRUE(agent.admit("y", at_ms(30'003)).admitted());
}

// A statement the policy denied: pause and breaker apply, the rate bucket does not.
TEST(AgentTraffic, CheckOfADeniedStatementTakesNoToken) {
  AgentTraffic agent("bot", strict());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(agent.check("denied", at_ms(0)).admitted());
  EXPECT_TRUE(agent.admit("other", at_ms(0)).admitted()) << "the one token is still there";
}

TEST(AgentTraffic, RepeatedDenialsOpenTheBreakerForCheck) {
  AgentTraffic agent("bot", strict());  // failures: 1, so the 2nd failure opens
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(agent.check("denied", at_ms(i)).admitted());
    agent.record_failure("denied", at_ms(i), "airlock: delete is not allowed");
  }
  Gate refused = agent.check("denied", at_ms(2));
  EXPECT_EQ(refused.refusal, Refusal::Breaker);
  EXPECT_NE(refused.error.message.find("delete is not allowed"), std::string::npos);
  // half-open after the cooldown: the denied trial fails and opens it again
  Gate trial = agent.check("denied", at_ms(600));
  ASSERT_TRUE(trial.admitted());
  EXPECT_TRUE(trial.breaker_trial);
  agent.record_failure("denied", at_ms(600), "airlock: delete is not allowed");
  EXPECT_EQ(agent.check("denied", at_ms(601)).refusal, Refusal::Breaker);
}

TEST(AgentTraffic, ConnectionCap) {
  Settings s;
  s.max_connections = 2;
  auto agent = std::make_shared<AgentTraffic>("bot", s);
  auto first = ConnectionSlot::acquire(agent);
  auto second = ConnectionSlot::acquire(agent);
  ASSERT_TRUE(first && second);
  auto third = ConnectionSlot::acquire(agent);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().sqlstate, "53300");
  EXPECT_EQ(third.error().message,
            "airlock: agent bot has reached its limit of 2 concurrent connections");
  first->reset();
  EXPECT_EQ(agent->connections(), 1u);
  auto again = ConnectionSlot::acquire(agent);
  EXPECT_TRUE(again);
  ConnectionSlot moved = std::move(*again);
  EXPECT_EQ(agent->connections(), 2u);
  moved = ConnectionSlot();
  EXPECT_EQ(agent->connections(), 1u);
}

TEST(AgentTraffic, ZeroCapIsUnlimited) {
  AgentTraffic agent("bot", Settings{});
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(agent.try_acquire_connection());
  EXPECT_EQ(agent.connections(), 1000u);
}

TEST(Registry, ReloadKeepsAgentsByName) {
  Registry registry;
  Settings capped;
  capped.max_connections = 1;
  capped.breaker = BreakerSpec{1, ms(10'000), ms(10'000), 4096};
  registry.configure({{"a", capped}, {"b", Settings{}}});
  auto a = registry.find("a");
  auto b = registry.find("b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(registry.find("nobody"), nullptr);
  ASSERT_TRUE(a->try_acquire_connection());
  trip(*a, "q", 0);

  Settings wider = capped;
  wider.max_connections = 2;
  registry.configure({{"a", wider}, {"c", Settings{}}});
  EXPECT_EQ(registry.find("a"), a);  // same object: count and breakers carried over
  EXPECT_EQ(a->connections(), 1u);
  EXPECT_EQ(a->max_connections(), 2u);
  EXPECT_EQ(a->admit("q", at_ms(1)).refusal, Refusal::Breaker);
  EXPECT_EQ(registry.find("b"), nullptr);
  EXPECT_TRUE(b->try_acquire_connection());  // sessions of a removed agent still work
  EXPECT_NE(registry.find("c"), nullptr);
  EXPECT_EQ(registry.size(), 2u);
  EXPECT_EQ(registry.all().size(), 2u);
}

}  // namespace
}  // namespace airlock::traffic
