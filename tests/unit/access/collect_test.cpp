// Collecting an access request: each state says what it is, an approved one yields its token
// exactly once (ttl from collection, request_id set), only its agent may collect it over MCP.
#include "access/collect.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "access/request.hpp"
#include "access_fixture.hpp"

namespace airlock::access {
namespace {

using testing::AccessTest;
using testing::ask;
using testing::kT0;

constexpr std::int64_t kMinute = 60'000;

class Collect : public AccessTest {
 protected:
  std::string open(std::vector<std::string> allow = {"public.tickets:select,update"}) {
    auto req = ask(std::move(allow));
    req.max_rows = 5;
    auto a = open_access_request(*store_, *cfg_, req, kT0);
    EXPECT_TRUE(a) << (a ? "" : a.error().message);
    return a ? a->id : "";
  }
  Result<Collection> collect(const std::string& id, std::int64_t at,
                             std::string_view agent = "support-bot") {
    return collect_access(*store_, *cfg_, id, agent, at);
  }
};

TEST_F(Collect, PendingUntilDecided) {
  const auto id = open();
  auto c = collect(id, kT0 + 1);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, Collected::Pending);
  EXPECT_FALSE(c->token);
  EXPECT_EQ(nlohmann::json::parse(collection_json(*c))["status"], "pending");
}

TEST_F(Collect, ApprovedYieldsTheTokenOnceWithTtlFromCollection) {
  const auto id = open();
  ASSERT_TRUE(store_->decide_approval(id, true, "alice", "ok", kT0 + kMinute));
  const std::int64_t collected_at = kT0 + 10 * kMinute;
  auto c = collect(id, collected_at);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->status, Collected::Approved);
  ASSERT_TRUE(c->token);
  const state::Token& t = c->token->token;
  EXPECT_EQ(t.agent, "support-bot");
  EXPECT_EQ(t.allow, std::vector<std::string>{"public.tickets:select,update"});
  EXPECT_EQ(t.max_rows, 5);
  EXPECT_EQ(t.request_id, id);
  EXPECT_EQ(t.issued_by, "alice");  // the approver granted it
  EXPECT_EQ(t.expires_ms, collected_at + 15 * kMinute);
  EXPECT_EQ(c->request.status, state::ApprovalStatus::Executed);
  EXPECT_TRUE(token_id_of_secret(c->token->secret));
  const auto j = nlohmann::json::parse(collection_json(*c));
  EXPECT_EQ(j["status"], "approved");
  EXPECT_EQ(j["id"], id);
  EXPECT_EQ(j["user"], t.id);
  EXPECT_EQ(j["password"], c->token->secret);
  EXPECT_TRUE(j.contains("expires_at"));

  // The second collection says so, and no second token exists.
  auto again = collect(id, collected_at + 1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, Collected::Collected);
  EXPECT_FALSE(again->token);
  EXPECT_FALSE(nlohmann::json::parse(collection_json(*again)).contains("password"));
  auto tokens = store_->list_tokens(false, collected_at + 2);
  ASSERT_TRUE(tokens);
  EXPECT_EQ(tokens->size(), 1u);
}

TEST_F(Collect, DeniedCarriesTheNote) {
  const auto id = open();
  ASSERT_TRUE(store_->decide_approval(id, false, "bob", "use the read replica", kT0 + 1));
  auto c = collect(id, kT0 + 2);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, Collected::Denied);
  EXPECT_FALSE(c->token);
  const auto j = nlohmann::json::parse(collection_json(*c));
  EXPECT_EQ(j["note"], "use the read replica");
  EXPECT_EQ(j["decided_by"], "bob");
}

TEST_F(Collect, ExpiredWhenNotDecidedInTime) {
  const auto id = open();
  auto c = collect(id, kT0 + 31 * kMinute);  // approvals.expire_after is 30m
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, Collected::Expired);
}

TEST_F(Collect, ApprovedButNotCollectedInTimeExpires) {
  const auto id = open();
  ASSERT_TRUE(store_->decide_approval(id, true, "alice", "", kT0 + 1));
  auto c = collect(id, kT0 + 31 * kMinute);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, Collected::Expired);
  auto tokens = store_->list_tokens(false, kT0);
  ASSERT_TRUE(tokens);
  EXPECT_TRUE(tokens->empty());
}

TEST_F(Collect, AnotherAgentGetsNoSuchRequest) {
  const auto id = open();
  ASSERT_TRUE(store_->decide_approval(id, true, "alice", "", kT0 + 1));
  auto c = collect(id, kT0 + 2, "other-bot");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().sqlstate, state::kNotFound);
  // ... and took nothing: its agent still collects it.
  auto mine = collect(id, kT0 + 3);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, Collected::Approved);
}

TEST_F(Collect, OnlyTheLoginThatAskedOverMcp) {
  auto req = ask({"public.tickets:select"});
  req.requested_by = "support-bot";  // the agent's own password asked
  auto a = open_access_request(*store_, *cfg_, req, kT0);
  ASSERT_TRUE(a);
  ASSERT_TRUE(store_->decide_approval(a->id, true, "alice", "", kT0 + 1));
  // A token of the same agent may not collect the wider token its agent asked for.
  auto other = collect_access(*store_, *cfg_, a->id, "support-bot", kT0 + 2, "tok_0123456789abcdef");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().sqlstate, state::kNotFound);
  auto mine = collect_access(*store_, *cfg_, a->id, "support-bot", kT0 + 3, "support-bot");
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, Collected::Approved);
}

TEST_F(Collect, AnyAgentWhenNoneIsNamed) {  // the CLI
  const auto id = open();
  ASSERT_TRUE(store_->decide_approval(id, true, "alice", "", kT0 + 1));
  auto c = collect(id, kT0 + 2, "");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, Collected::Approved);
}

TEST_F(Collect, UnknownIdAndHeldStatementAreNotFound) {
  auto unknown = collect("apr_0000000000000000", kT0);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().sqlstate, state::kNotFound);
  auto held = store_->open_approval(state::testing::request("support-bot", "h1"), kT0);
  ASSERT_TRUE(held);
  ASSERT_TRUE(store_->decide_approval(held->id, true, "alice", "", kT0 + 1));
  auto c = collect(held->id, kT0 + 2);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().sqlstate, state::kNotFound);
  // The held statement's approval is still there for its statement.
  auto used = store_->consume_approval("support-bot", "h1", kT0 + 3);
  ASSERT_TRUE(used);
  EXPECT_TRUE(*used);
}

TEST_F(Collect, ScopeTheAgentLostSinceIsRefusedAndStaysApproved) {
  const auto id = open();
  ASSERT_TRUE(store_->decide_approval(id, true, "alice", "", kT0 + 1));
  auto narrowed = std::make_shared<config::Config>(*cfg_);
  narrowed->agents.erase("support-bot");
  auto c = collect_access(*store_, *narrowed, id, "support-bot", kT0 + 2);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().sqlstate, sqlstate::kInvalidParameterValue);
  auto a = store_->get_approval(id, kT0 + 3);
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->status, state::ApprovalStatus::Approved);
}

}  // namespace
}  // namespace airlock::access
