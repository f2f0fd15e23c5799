// Races: several threads on one Store, and two Stores (two connections, as the gateway and
// the CLI are two processes) on one file. An approval is consumed exactly once and a budget
// never accepts more than its maximum, whoever wins.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "state/sqlite_store.hpp"
#include "temp_store.hpp"

namespace airlock::state {
namespace {

using testing::kHour;
using testing::kT0;
using testing::request;

constexpr int kRounds = 40;
constexpr int kThreads = 4;

// Each racer thread uses stores[i % stores.size()].
void race_consume(const std::vector<Store*>& stores) {
  for (int round = 0; round < kRounds; ++round) {
    std::string hash = "h" + std::to_string(round);
    auto a = stores[0]->open_approval(request("bot", hash), kT0);
    ASSERT_TRUE(a);
    // Decided through the last store: the "CLI" connection.
    ASSERT_TRUE(stores.back()->decide_approval(a->id, true, "alice", "", kT0 + 1));
    std::atomic<int> won{0};
    std::atomic<int> errors{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        auto got = stores[static_cast<std::size_t>(t) % stores.size()]->consume_approval(
            "bot", hash, kT0 + 2);
        if (!got) ++errors;
        else if (*got) ++won;
      });
    }
    go = true;
    for (auto& th : threads) th.join();
    EXPECT_EQ(errors.load(), 0) << "round " << round;
    EXPECT_EQ(won.load(), 1) << "round " << round;
  }
}

TEST(StateRace, ConsumeOnceAcrossThreadsOfOneStore) {
  testing::TempDir dir;
  auto store = testing::open_or_die(dir.file("state.db"));
  ASSERT_TRUE(store);
  race_consume({store.get()});
}

TEST(StateRace, ConsumeOnceAcrossTwoStoresOnOneFile) {
  testing::TempDir dir;
  auto gateway = testing::open_or_die(dir.file("state.db"));
  auto cli = testing::open_or_die(dir.file("state.db"));
  ASSERT_TRUE(gateway && cli);
  race_consume({gateway.get(), cli.get()});
}

TEST(StateRace, DecisionByOneStoreIsSeenByTheOther) {
  testing::TempDir dir;
  auto gateway = testing::open_or_die(dir.file("state.db"));
  auto cli = testing::open_or_die(dir.file("state.db"));
  ASSERT_TRUE(gateway && cli);
  auto a = gateway->open_approval(request(), kT0);
  ASSERT_TRUE(a);
  ASSERT_TRUE(cli->decide_approval(a->id, false, "alice", "no", kT0 + 1));
  auto seen = gateway->get_approval(a->id, kT0 + 2);
  ASSERT_TRUE(seen && *seen);
  EXPECT_EQ((*seen)->status, ApprovalStatus::Denied);
  auto again = gateway->decide_approval(a->id, true, "bob", "", kT0 + 3);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, a->id + " is already denied");
}

TEST(StateRace, BudgetNeverOverspentAcrossTwoStores) {
  testing::TempDir dir;
  auto one = testing::open_or_die(dir.file("state.db"));
  auto two = testing::open_or_die(dir.file("state.db"));
  ASSERT_TRUE(one && two);
  constexpr std::int64_t kMax = 100;
  std::atomic<std::int64_t> accepted_rows{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Store* store = t % 2 ? two.get() : one.get();
    threads.emplace_back([&, store, t] {
      for (int i = 0; i < 30; ++i) {
        auto c = store->try_charge("bot", "b", 1 + (t + i) % 3, kMax, kHour, kT0 + i);
        if (!c) ++errors;
        else if (c->accepted) accepted_rows += 1 + (t + i) % 3;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_LE(accepted_rows.load(), kMax);
  EXPECT_EQ(one->used("bot", "b", kHour, kT0 + 100), accepted_rows.load());
}

}  // namespace
}  // namespace airlock::state
