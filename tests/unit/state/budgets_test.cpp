// Write budgets: sliding windows of rows, refunds, and separation per agent and budget.
#include <gtest/gtest.h>

#include "state/sqlite_store.hpp"
#include "temp_store.hpp"

namespace airlock::state {
namespace {

using testing::kHour;
using testing::kT0;

class Budgets : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::open_or_die(dir_.file("state.db"));
    ASSERT_TRUE(store_);
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

struct Step {
  std::int64_t at;  // ms after kT0
  std::int64_t rows;
  bool accepted;
  std::int64_t used_before;
};

// max_rows 100 per hour. A charge at t counts while t > now - window.
TEST_F(Budgets, SlidingWindow) {
  const Step steps[] = {
      {0, 60, true, 0},
      {1000, 40, true, 60},               // exactly at the limit is allowed
      {2000, 1, false, 100},              // one over is not
      {2001, 0, true, 100},               // nothing to charge always fits
      {kHour - 1, 1, false, 100},         // both charges still inside the window
      {kHour, 60, true, 40},              // the charge at 0 left the window at exactly +1h
      {kHour + 999, 1, false, 100},       // 40 + 60: full again
      {kHour + 1000, 40, true, 60},       // the 40 at 1000 left
      {3 * kHour, 100, true, 0},          // everything left
      {3 * kHour + 1, 1, false, 100},
  };
  for (const auto& s : steps) {
    auto c = store_->try_charge("bot", "budgets[0]", s.rows, 100, kHour, kT0 + s.at);
    ASSERT_TRUE(c) << "at +" << s.at << ": " << c.error().message;
    EXPECT_EQ(c->accepted, s.accepted) << "at +" << s.at;
    EXPECT_EQ(c->used, s.used_before) << "at +" << s.at;
    EXPECT_EQ(c->charge_id != 0, s.accepted) << "at +" << s.at;
    auto used = store_->used("bot", "budgets[0]", kHour, kT0 + s.at);
    ASSERT_TRUE(used);
    EXPECT_EQ(*used, s.used_before + (s.accepted ? s.rows : 0)) << "at +" << s.at;
  }
}

TEST_F(Budgets, RefundGivesTheRowsBack) {
  auto a = store_->try_charge("bot", "b", 70, 100, kHour, kT0);
  ASSERT_TRUE(a && a->accepted);
  auto b = store_->try_charge("bot", "b", 50, 100, kHour, kT0 + 1);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->accepted);
  ASSERT_TRUE(store_->refund(a->charge_id));
  EXPECT_EQ(store_->used("bot", "b", kHour, kT0 + 2), 0);
  auto c = store_->try_charge("bot", "b", 50, 100, kHour, kT0 + 3);
  ASSERT_TRUE(c && c->accepted);
  // A second refund of the same charge, or of one never made, takes nothing from others.
  ASSERT_TRUE(store_->refund(a->charge_id));
  ASSERT_TRUE(store_->refund(987654));
  EXPECT_EQ(store_->used("bot", "b", kHour, kT0 + 4), 50);
}

TEST_F(Budgets, SeparatePerAgentAndBudget) {
  ASSERT_TRUE(store_->try_charge("bot", "b1", 100, 100, kHour, kT0)->accepted);
  EXPECT_FALSE(store_->try_charge("bot", "b1", 1, 100, kHour, kT0)->accepted);
  EXPECT_TRUE(store_->try_charge("bot", "b2", 100, 100, kHour, kT0)->accepted);
  EXPECT_TRUE(store_->try_charge("bot2", "b1", 100, 100, kHour, kT0)->accepted);
  EXPECT_EQ(store_->used("bot", "b1", kHour, kT0), 100);
  EXPECT_EQ(store_->used("nobody", "b1", kHour, kT0), 0);
}

TEST_F(Budgets, PruningOneBudgetKeepsAnotherWithALongerWindow) {
  ASSERT_TRUE(store_->try_charge("bot", "day", 10, 100, 24 * kHour, kT0)->accepted);
  ASSERT_TRUE(store_->try_charge("bot", "hour", 10, 100, kHour, kT0)->accepted);
  // Charging "hour" two hours later prunes its own old rows only.
  ASSERT_TRUE(store_->try_charge("bot", "hour", 1, 100, kHour, kT0 + 2 * kHour)->accepted);
  EXPECT_EQ(store_->used("bot", "day", 24 * kHour, kT0 + 2 * kHour), 10);
  EXPECT_EQ(store_->used("bot", "hour", kHour, kT0 + 2 * kHour), 1);
}

TEST_F(Budgets, LimitLoweredBelowUseRefusesWithoutOverflow) {
  ASSERT_TRUE(store_->try_charge("bot", "b", 500, 1000, kHour, kT0)->accepted);
  auto c = store_->try_charge("bot", "b", INT64_MAX, 100, kHour, kT0 + 1);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->accepted);
  EXPECT_EQ(c->used, 500);
}

TEST_F(Budgets, InvalidAmountsAreErrors) {
  EXPECT_FALSE(store_->try_charge("bot", "b", -1, 100, kHour, kT0));
  EXPECT_FALSE(store_->try_charge("bot", "b", 1, -100, kHour, kT0));
  EXPECT_FALSE(store_->try_charge("bot", "b", 1, 100, 0, kT0));
  EXPECT_FALSE(store_->used("bot", "b", 0, kT0));
}

}  // namespace
}  // namespace airlock::state
