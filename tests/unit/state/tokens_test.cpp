// Tokens in the store: stored as given (verifier, never a secret), listed live or all,
// revoked once, and their events claimed exactly once, expiry included.
#include <gtest/gtest.h>

#include "temp_store.hpp"

namespace airlock::state {
namespace {

using testing::kHour;
using testing::kT0;

Token token(const std::string& id, std::int64_t ttl = kHour) {
  Token t;
  t.id = id;
  t.agent = "bot";
  t.allow = {"public.tickets:select,update", "public.notes:select"};
  t.max_rows = 10;
  t.reason = "ticket #123";
  t.verifier = "SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2VydmVy";
  t.issued_by = "alice";
  t.created_ms = kT0;
  t.expires_ms = kT0 + ttl;
  return t;
}

std::vector<std::string> events_of(Store& s, std::int64_t now) {
  auto claimed = s.claim_token_events(now, 100);
  EXPECT_TRUE(claimed) << claimed.error().message;
  std::vector<std::string> out;
  for (const auto& e : *claimed) out.push_back(e.token + " " + e.event + " " + e.by);
  return out;
}

class Tokens : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::unique_ptr<Store> store_ = testing::open_or_die(dir_.file("state.db"));
};

TEST_F(Tokens, StoredAsGivenAndReadBack) {
  ASSERT_TRUE(store_->add_token(token("tok_a")));
  auto got = store_->get_token("tok_a");
  ASSERT_TRUE(got && *got);
  const Token& t = **got;
  EXPECT_EQ(t.agent, "bot");
  EXPECT_EQ(t.allow, token("tok_a").allow);
  EXPECT_EQ(t.max_rows, 10);
  EXPECT_EQ(t.verifier, token("tok_a").verifier);
  EXPECT_EQ(t.expires_ms, kT0 + kHour);
  EXPECT_EQ(t.revoked_ms, 0);
  EXPECT_TRUE(t.live(kT0));
  EXPECT_FALSE(t.live(kT0 + kHour));
  EXPECT_FALSE(store_->add_token(token("tok_a"))) << "ids are unique";
  auto none = store_->get_token("tok_nope");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(Tokens, ListLiveOrAll) {
  ASSERT_TRUE(store_->add_token(token("tok_a", kHour)));
  ASSERT_TRUE(store_->add_token(token("tok_b", 1000)));
  ASSERT_TRUE(store_->add_token(token("tok_c", kHour)));
  ASSERT_TRUE(store_->revoke_token("tok_c", "bob", kT0 + 10));
  auto live = store_->list_tokens(true, kT0 + 2000);
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, "tok_a");
  auto all = store_->list_tokens(false, kT0 + 2000);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_F(Tokens, RevokedOnceAndNeverAfterExpiry) {
  ASSERT_TRUE(store_->add_token(token("tok_a")));
  ASSERT_TRUE(store_->add_token(token("tok_b", 1000)));
  auto r = store_->revoke_token("tok_a", "bob", kT0 + 5);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->revoked_ms, kT0 + 5);
  EXPECT_EQ(r->revoked_by, "bob");
  EXPECT_FALSE((*store_->get_token("tok_a"))->live(kT0 + 6));

  struct Case {
    const char* id;
    std::int64_t now;
    const char* sqlstate;
    const char* says;
  };
  for (const Case& c : {Case{"tok_a", kT0 + 7, kWrongState, "already revoked"},
                        Case{"tok_b", kT0 + 1000, kWrongState, "expired at"},
                        Case{"tok_zz", kT0, kNotFound, "no token tok_zz"}}) {
    auto again = store_->revoke_token(c.id, "bob", c.now);
    ASSERT_FALSE(again) << c.id;
    EXPECT_EQ(again.error().sqlstate, std::string(c.sqlstate)) << c.id;
    EXPECT_NE(again.error().message.find(c.says), std::string::npos) << again.error().message;
  }
}

TEST_F(Tokens, EventsAreClaimedOnceExpiryIncluded) {
  ASSERT_TRUE(store_->add_token(token("tok_a", kHour)));
  ASSERT_TRUE(store_->add_token(token("tok_b", 1000)));
  EXPECT_EQ(events_of(*store_, kT0), (std::vector<std::string>{"tok_a issued alice", "tok_b issued alice"}));
  EXPECT_TRUE(events_of(*store_, kT0 + 1).empty()) << "claimed once";
  EXPECT_EQ(events_of(*store_, kT0 + 1000), (std::vector<std::string>{"tok_b expired "}));
  EXPECT_TRUE(events_of(*store_, kT0 + 5000).empty()) << "expiry is one event";
  ASSERT_TRUE(store_->revoke_token("tok_a", "bob", kT0 + 6000));
  EXPECT_EQ(events_of(*store_, kT0 + kHour + 1), (std::vector<std::string>{"tok_a revoked bob"}))
      << "a revoked token does not expire as well";
}

TEST_F(Tokens, ClaimingIsSharedBetweenConnections) {
  auto other = testing::open_or_die(dir_.file("state.db"));
  ASSERT_TRUE(store_->add_token(token("tok_a")));
  auto first = events_of(*other, kT0);
  auto second = events_of(*store_, kT0);
  EXPECT_EQ(first.size() + second.size(), 1u);
}

TEST_F(Tokens, SessionCountsAreReplacedWhole) {
  ASSERT_TRUE(store_->add_token(token("tok_a")));
  ASSERT_TRUE(store_->add_token(token("tok_b")));
  ASSERT_TRUE(store_->set_token_sessions({{"tok_a", 2}, {"tok_b", 1}}));
  EXPECT_EQ((*store_->get_token("tok_a"))->sessions, 2);
  ASSERT_TRUE(store_->set_token_sessions({{"tok_b", 3}}));
  EXPECT_EQ((*store_->get_token("tok_a"))->sessions, 0);
  EXPECT_EQ((*store_->get_token("tok_b"))->sessions, 3);
}

}  // namespace
}  // namespace airlock::state
