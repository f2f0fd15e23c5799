// Sessions of one agent run on different I/O threads and share its AgentTraffic: the
// counts must come out exact whatever the interleaving.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "test_time.hpp"
#include "traffic/agent_traffic.hpp"
#include "traffic/registry.hpp"

namespace airlock::traffic {
namespace {

using test::at_ms;
using test::ms;

constexpr int kThreads = 4;

template <class Body>
void run_threads(Body body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
  for (auto& th : threads) th.join();
}

TEST(Concurrency, BucketHandsOutExactlyBurstPlusWhatMaxDelayCovers) {
  // 100/s, burst 1000, max_delay 1 s: at one instant, 1000 go now and 100 more are delayed
  // (10 ms apart, the last by exactly 1 s).
  TokenBucket bucket(RateSpec{100, 1000, ms(1000)});
  std::atomic<int> now_count{0}, delayed{0}, refused{0};
  run_threads([&](int) {
    for (int i = 0; i < 5000; ++i) {
      switch (bucket.admit(at_ms(0)).outcome) {
        case TokenBucket::Outcome::Now: ++now_count; break;
        case TokenBucket::Outcome::Delayed: ++delayed; break;
        case TokenBucket::Outcome::Refused: ++refused; break;
      }
    }
  });
  EXPECT_EQ(now_count.load(), 1000);
  EXPECT_EQ(delayed.load(), 100);
  EXPECT_EQ(refused.load(), kThreads * 5000 - 1100);
}

TEST(Concurrency, ConnectionCapIsNeverExceeded) {
  Settings s;
  s.max_connections = 3;
  auto agent = std::make_shared<AgentTraffic>("bot", s);
  std::atomic<std::uint32_t> highest{0};
  std::atomic<int> granted{0};
  run_threads([&](int) {
    for (int i = 0; i < 20'000; ++i) {
      auto slot = ConnectionSlot::acquire(agent);
      if (!slot) continue;
      ++granted;
      std::uint32_t seen = agent->connections();
      std::uint32_t prev = highest.load();
      while (seen > prev && !highest.compare_exchange_weak(prev, seen)) {
      }
    }
  });
  EXPECT_LE(highest.load(), 3u);
  EXPECT_GT(granted.load(), 0);
  EXPECT_EQ(agent->connections(), 0u);
}

TEST(Concurrency, BreakerCountsEveryFailureAndStaysBounded) {
  // failures 399: 4 threads x 100 failures of one statement open it with the last one.
  Breaker breaker(BreakerSpec{399, ms(60'000), ms(60'000), 256});
  run_threads([&](int t) {
    for (int i = 0; i < 100; ++i) {
      EXPECT_TRUE(breaker.check("shared", at_ms(0)).allowed);
      breaker.record_failure("shared", at_ms(0), "e");
      breaker.record_failure("t" + std::to_string(t) + "-" + std::to_string(i), at_ms(0), "e");
      breaker.record_success("t" + std::to_string(t) + "-" + std::to_string(i), at_ms(0));
    }
  });
  EXPECT_EQ(breaker.state("shared"), Breaker::State::Open);
  EXPECT_LE(breaker.size(), 256u);
}

TEST(Concurrency, OneTrialAmongManyThreads) {
  AgentTraffic agent("bot", Settings{RateSpec{}, 0, BreakerSpec{1, ms(1000), ms(500), 4096},
                                     PauseSpec{0, 1, ms(1000), ms(500)}});
  agent.record_failure("q", at_ms(0), "e");
  agent.record_failure("q", at_ms(0), "e");
  std::atomic<int> trials{0}, admitted{0};
  run_threads([&](int) {
    for (int i = 0; i < 1000; ++i) {
      Gate g = agent.admit("q", at_ms(600));
      if (g.admitted()) ++admitted;
      if (g.breaker_trial) ++trials;
    }
  });
  EXPECT_EQ(trials.load(), 1);
  EXPECT_EQ(admitted.load(), 1);
}

TEST(Concurrency, PauseAndReloadWhileStatementsRun) {
  Registry registry;
  Settings s;
  s.pause = PauseSpec{0.5, 20, ms(60'000), ms(30'000)};
  s.breaker.failures = 0;  // one statement fails throughout: only the pause may stop it
  registry.configure({{"bot", s}});
  auto agent = registry.find("bot");
  std::atomic<bool> stop{false};
  std::thread reloader([&] {
    Settings other = s;
    for (int i = 0; !stop.load(); ++i) {
      other.rate = RateSpec{i % 2 == 0 ? 0.0 : 1000.0, 10, ms(0)};
      registry.configure({{"bot", other}});
    }
  });
  run_threads([&](int) {
    for (int i = 0; i < 20'000; ++i) {
      Gate g = agent->admit("q", at_ms(i));
      if (g.admitted()) agent->record_failure("q", at_ms(i), "e");
    }
  });
  stop = true;
  reloader.join();
  EXPECT_EQ(registry.find("bot"), agent);
  EXPECT_NE(agent->pause().state(), Pause::State::Running);
}

}  // namespace
}  // namespace airlock::traffic
