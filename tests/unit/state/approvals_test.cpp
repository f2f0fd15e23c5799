// Approvals: open/reuse, decisions, expiry, and consumption exactly once.
#include <gtest/gtest.h>

#include "state/sqlite_store.hpp"
#include "temp_store.hpp"

namespace airlock::state {
namespace {

using testing::kHour;
using testing::kT0;
using testing::request;

class Approvals : public ::testing::Test {
 protected:
  void SetUp() override { fresh(); }
  // A new, empty file (table rows call this once each).
  void fresh() {
    store_ = testing::open_or_die(dir_.file("state" + std::to_string(files_++) + ".db"));
    ASSERT_TRUE(store_);
  }
  // A stored request in the given state, decided or consumed at kT0 + 1000.
  Approval make(ApprovalStatus status, const std::string& hash = "h1") {
    auto a = store_->open_approval(request("bot", hash), kT0);
    EXPECT_TRUE(a);
    if (status == ApprovalStatus::Approved || status == ApprovalStatus::Executed) {
      EXPECT_TRUE(store_->decide_approval(a->id, true, "alice", "", kT0 + 1000));
    } else if (status == ApprovalStatus::Denied) {
      EXPECT_TRUE(store_->decide_approval(a->id, false, "alice", "", kT0 + 1000));
    }
    if (status == ApprovalStatus::Executed) {
      EXPECT_TRUE(store_->consume_approval("bot", hash, kT0 + 2000).value());
    }
    return *a;
  }
  ApprovalStatus status_at(const std::string& id, std::int64_t now) {
    auto a = store_->get_approval(id, now);
    EXPECT_TRUE(a && *a);
    return (a && *a) ? (*a)->status : ApprovalStatus::Expired;
  }

  testing::TempDir dir_;
  int files_ = 0;
  std::unique_ptr<Store> store_;
};

TEST_F(Approvals, OpenStoresTheRequestWithANewId) {
  auto a = store_->open_approval(request(), kT0);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id.substr(0, 4), "apr_");
  EXPECT_EQ(a->status, ApprovalStatus::Pending);
  auto got = store_->get_approval(a->id, kT0 + 1);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->agent, "bot");
  EXPECT_EQ((*got)->statement_hash, "h1");
  EXPECT_EQ((*got)->created_ms, kT0);
  EXPECT_EQ((*got)->expires_ms, kT0 + kHour);
  EXPECT_EQ((*got)->status, ApprovalStatus::Pending);
  auto unknown = store_->get_approval("apr_0000000000000000", kT0);
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(Approvals, OpenKeepsAGivenIdAndNullRows) {
  Approval r = request();
  r.id = "apr_00000000000000ff";
  r.rows.reset();
  auto a = store_->open_approval(r, kT0);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id, r.id);
  auto got = store_->get_approval(r.id, kT0);
  ASSERT_TRUE(got && *got);
  EXPECT_FALSE((*got)->rows.has_value());
}

struct ReuseCase {
  const char* name;
  ApprovalStatus first;  // state of the earlier request for bot/h1
  std::string agent;     // the new request's
  std::string hash;
  std::int64_t now;
  bool reused;
};

TEST_F(Approvals, OpenReusesOnlyAPendingUnexpiredRequestForTheSameStatement) {
  const ReuseCase cases[] = {
      {"same_pending", ApprovalStatus::Pending, "bot", "h1", kT0 + 10, true},
      {"other_agent", ApprovalStatus::Pending, "bot2", "h1", kT0 + 10, false},
      {"other_hash", ApprovalStatus::Pending, "bot", "h2", kT0 + 10, false},
      {"pending_expired", ApprovalStatus::Pending, "bot", "h1", kT0 + kHour, false},
      {"approved", ApprovalStatus::Approved, "bot", "h1", kT0 + 10, false},
      {"denied", ApprovalStatus::Denied, "bot", "h1", kT0 + 10, false},
      {"executed", ApprovalStatus::Executed, "bot", "h1", kT0 + 10000, false},
  };
  for (const auto& c : cases) {
    fresh();
    Approval first = make(c.first);
    auto again = store_->open_approval(request(c.agent, c.hash, c.now), c.now);
    ASSERT_TRUE(again) << c.name;
    EXPECT_EQ(again->id == first.id, c.reused) << c.name;
    EXPECT_EQ(again->status, ApprovalStatus::Pending) << c.name;
  }
}

struct DecideCase {
  const char* name;
  ApprovalStatus before;
  bool approve;
  std::int64_t now;
  const char* error;  // nullptr: accepted
  const char* sqlstate;
};

TEST_F(Approvals, DecideOnlyAPendingUnexpiredRequest) {
  const DecideCase cases[] = {
      {"approve_pending", ApprovalStatus::Pending, true, kT0 + 5, nullptr, ""},
      {"deny_pending", ApprovalStatus::Pending, false, kT0 + 5, nullptr, ""},
      {"approve_twice", ApprovalStatus::Approved, true, kT0 + 5000, "is already approved",
       kWrongState},
      {"deny_after_approve", ApprovalStatus::Approved, false, kT0 + 5000, "is already approved",
       kWrongState},
      {"approve_denied", ApprovalStatus::Denied, true, kT0 + 5000, "is already denied",
       kWrongState},
      {"deny_executed", ApprovalStatus::Executed, false, kT0 + 5000, "is already executed",
       kWrongState},
      {"approve_expired", ApprovalStatus::Pending, true, kT0 + kHour,
       "expired at 2023-11-14T23:13:20Z", kWrongState},
      {"deny_expired", ApprovalStatus::Pending, false, kT0 + 2 * kHour,
       "expired at 2023-11-14T23:13:20Z",
       kWrongState},
  };
  for (const auto& c : cases) {
    fresh();
    Approval a = make(c.before);
    auto d = store_->decide_approval(a.id, c.approve, "bob", "looks fine", c.now);
    if (c.error == nullptr) {
      ASSERT_TRUE(d) << c.name << ": " << d.error().message;
      auto want = c.approve ? ApprovalStatus::Approved : ApprovalStatus::Denied;
      EXPECT_EQ(d->status, want) << c.name;
      EXPECT_EQ(d->decided_by, "bob") << c.name;
      EXPECT_EQ(d->note, "looks fine") << c.name;
      EXPECT_EQ(d->decided_ms, c.now) << c.name;
      EXPECT_EQ(status_at(a.id, c.now), want) << c.name;
    } else {
      ASSERT_FALSE(d) << c.name;
      EXPECT_EQ(d.error().message, a.id + " " + c.error) << c.name;
      EXPECT_EQ(d.error().sqlstate, c.sqlstate) << c.name;
      // Unchanged: an expired request stays expired, a decided one keeps its decision.
      bool expired = c.now >= a.expires_ms && c.before != ApprovalStatus::Denied &&
                     c.before != ApprovalStatus::Executed;
      EXPECT_EQ(status_at(a.id, c.now), expired ? ApprovalStatus::Expired : c.before) << c.name;
    }
  }
}

TEST_F(Approvals, DecideUnknownId) {
  auto d = store_->decide_approval("apr_0123456789abcdef", true, "bob", "", kT0);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message, "no approval apr_0123456789abcdef");
  EXPECT_EQ(d.error().sqlstate, kNotFound);
}

TEST_F(Approvals, ExpiryIsReportedByGetAndList) {
  Approval pending = make(ApprovalStatus::Pending, "h1");
  Approval approved = make(ApprovalStatus::Approved, "h2");
  EXPECT_EQ(status_at(pending.id, kT0 + kHour - 1), ApprovalStatus::Pending);
  EXPECT_EQ(status_at(pending.id, kT0 + kHour), ApprovalStatus::Expired);
  EXPECT_EQ(status_at(approved.id, kT0 + kHour - 1), ApprovalStatus::Approved);
  EXPECT_EQ(status_at(approved.id, kT0 + kHour), ApprovalStatus::Expired);
  auto expired = store_->list_approvals({.status = ApprovalStatus::Expired}, kT0 + kHour);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->size(), 2u);
  auto open = store_->list_approvals({.status = ApprovalStatus::Pending}, kT0 + kHour);
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
}

TEST_F(Approvals, ConsumeExactlyOnce) {
  Approval a = make(ApprovalStatus::Approved);
  auto first = store_->consume_approval("bot", "h1", kT0 + 3000);
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->id, a.id);
  EXPECT_EQ((*first)->status, ApprovalStatus::Executed);
  EXPECT_EQ((*first)->executed_ms, kT0 + 3000);
  auto second = store_->consume_approval("bot", "h1", kT0 + 3001);
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  EXPECT_EQ(status_at(a.id, kT0 + 4000), ApprovalStatus::Executed);
  // Executed is final: expiry no longer applies to it.
  EXPECT_EQ(status_at(a.id, kT0 + 2 * kHour), ApprovalStatus::Executed);
}

struct ConsumeCase {
  const char* name;
  ApprovalStatus state;
  std::string agent;
  std::string hash;
  std::int64_t now;
};

TEST_F(Approvals, ConsumeNeverTakesAnotherStatementOrAnUnapprovedRequest) {
  const ConsumeCase cases[] = {
      {"wrong_agent", ApprovalStatus::Approved, "bot2", "h1", kT0 + 3000},
      {"wrong_hash", ApprovalStatus::Approved, "bot", "h2", kT0 + 3000},
      {"hash_prefix", ApprovalStatus::Approved, "bot", "h", kT0 + 3000},
      {"agent_case", ApprovalStatus::Approved, "Bot", "h1", kT0 + 3000},
      {"pending", ApprovalStatus::Pending, "bot", "h1", kT0 + 3000},
      {"denied", ApprovalStatus::Denied, "bot", "h1", kT0 + 3000},
      {"approved_but_expired", ApprovalStatus::Approved, "bot", "h1", kT0 + kHour},
  };
  for (const auto& c : cases) {
    fresh();
    Approval a = make(c.state);
    auto got = store_->consume_approval(c.agent, c.hash, c.now);
    ASSERT_TRUE(got) << c.name;
    EXPECT_FALSE(*got) << c.name;
    // Nothing changed: the right statement can still use an approval in time.
    auto before = store_->get_approval(a.id, kT0 + 3000);
    ASSERT_TRUE(before && *before) << c.name;
    EXPECT_EQ((*before)->status, c.state) << c.name;
    EXPECT_EQ((*before)->executed_ms, 0) << c.name;
  }
}

TEST_F(Approvals, ListFiltersNewestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto a = store_->open_approval(
        request(i % 2 ? "bot" : "bot2", "h" + std::to_string(i), kT0 + i), kT0 + i);
    ASSERT_TRUE(a);
    ids.push_back(a->id);
  }
  ASSERT_TRUE(store_->decide_approval(ids[1], false, "x", "", kT0 + 10));
  const std::int64_t now = kT0 + 20;

  auto all = store_->list_approvals({}, now);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ(all->front().id, ids[4]);
  EXPECT_EQ(all->back().id, ids[0]);

  auto pending = store_->list_approvals({.status = ApprovalStatus::Pending}, now);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->size(), 4u);

  auto bot_pending =
      store_->list_approvals({.status = ApprovalStatus::Pending, .agent = "bot"}, now);
  ASSERT_TRUE(bot_pending);
  ASSERT_EQ(bot_pending->size(), 1u);
  EXPECT_EQ(bot_pending->front().id, ids[3]);

  auto denied = store_->list_approvals({.status = ApprovalStatus::Denied}, now);
  ASSERT_TRUE(denied);
  ASSERT_EQ(denied->size(), 1u);
  EXPECT_EQ(denied->front().id, ids[1]);

  auto limited = store_->list_approvals({.limit = 2}, now);
  ASSERT_TRUE(limited);
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ(limited->back().id, ids[3]);

  auto nobody = store_->list_approvals({.agent = "nobody"}, now);
  ASSERT_TRUE(nobody);
  EXPECT_TRUE(nobody->empty());
}

}  // namespace
}  // namespace airlock::state
