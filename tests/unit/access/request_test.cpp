// Access requests as approvals: what is refused at request time (with every reason), and the
// approval a request becomes (rule, hash, line, params, expiry), on a real SQLite store.
#include "access/request.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "access_fixture.hpp"

namespace airlock::access {
namespace {

using testing::AccessTest;
using testing::ask;
using testing::kT0;

struct RefusedRow {
  const char* name;
  TokenRequest request;
  std::vector<const char*> reasons;  // substrings, each in the error
};

class Refused : public AccessTest, public ::testing::WithParamInterface<RefusedRow> {};

TEST_P(Refused, AtRequestTimeWithEveryReason) {
  const auto& row = GetParam();
  auto opened = open_access_request(*store_, *cfg_, row.request, kT0);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().sqlstate, sqlstate::kInvalidParameterValue);
  for (const char* r : row.reasons) EXPECT_NE(opened.error().message.find(r), std::string::npos)
      << opened.error().message << "\nmissing: " << r;
  // Nothing was stored.
  auto all = store_->list_approvals(state::ApprovalFilter{.status = std::nullopt}, kT0);
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

TokenRequest with(TokenRequest r, auto change) {
  change(r);
  return r;
}

const RefusedRow kRefused[] = {
    {"delete_beyond_policy", ask({"public.tickets:select,delete"}), {"never widens", "delete"}},
    {"table_beyond_policy", ask({"public.invoices:select"}), {"never widens", "invoices"}},
    {"two_entries_two_reasons",
     ask({"public.tickets:delete", "public.customers:update"}),
     {"tickets", "customers"}},
    {"no_allow", ask({}), {"at least one allow entry"}},
    {"no_reason", ask({"public.tickets:select"}, "  "), {"needs a reason"}},
    {"unknown_agent",
     with(ask({"public.tickets:select"}), [](TokenRequest& r) { r.agent = "nobody"; }),
     {"no agent 'nobody'"}},
    {"ttl_over_a_day",
     with(ask({"public.tickets:select"}), [](TokenRequest& r) { r.ttl = std::chrono::hours(25); }),
     {"at most 24h"}},
    {"truncate_with_max_rows",
     with(ask({"public.tickets:select,truncate"}), [](TokenRequest& r) { r.max_rows = 5; }),
     {"truncate on public.tickets cannot be limited to max_rows"}},
    {"scope_and_reason_together", ask({"public.tickets:truncate"}, ""),
     {"truncate", "needs a reason"}},
};

INSTANTIATE_TEST_SUITE_P(AccessRequest, Refused, ::testing::ValuesIn(kRefused),
                         [](const auto& row_info) { return std::string(row_info.param.name); });

TEST_F(AccessTest, RequestBecomesAPendingApprovalApproversCanRead) {
  auto req = ask({"public.tickets: select , update"});
  req.max_rows = 10;
  auto opened = open_access_request(*store_, *cfg_, req, kT0);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_TRUE(opened->id.starts_with("apr_"));
  EXPECT_EQ(opened->agent, "support-bot");
  EXPECT_EQ(opened->rule, "access.request");
  EXPECT_EQ(opened->reason, "ticket #123");
  EXPECT_EQ(opened->status, state::ApprovalStatus::Pending);
  EXPECT_EQ(opened->sql,
            "ACCESS REQUEST select, update on public.tickets; at most 10 rows per write for 15m");
  EXPECT_TRUE(opened->statement_hash.starts_with("access:"));
  EXPECT_EQ(opened->expires_ms, kT0 + 30 * 60 * 1000);  // approvals.expire_after
  const auto params = nlohmann::json::parse(opened->params);
  EXPECT_EQ(params["allow"], nlohmann::json::array({"public.tickets:select,update"}));
  EXPECT_EQ(params["max_rows"], 10);
  EXPECT_EQ(params["ttl_ms"], 15 * 60 * 1000);
  // What `approvals list` shows.
  auto pending = store_->list_approvals(state::ApprovalFilter{}, kT0 + 1);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().id, opened->id);
}

TEST_F(AccessTest, RetriesNeverMergeAndAStatementNeverConsumesOne) {
  auto a = open_access_request(*store_, *cfg_, ask({"public.tickets:select"}), kT0);
  auto b = open_access_request(*store_, *cfg_, ask({"public.tickets:select"}), kT0);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->id, b->id);
  EXPECT_NE(a->statement_hash, b->statement_hash);
  ASSERT_TRUE(store_->decide_approval(a->id, true, "alice", "", kT0 + 1));
  // A held statement consumes by its own hash: never an access request's.
  auto used = store_->consume_approval("support-bot", "", kT0 + 2);
  ASSERT_TRUE(used);
  EXPECT_FALSE(*used);
}

TEST_F(AccessTest, GivenIdIsKept) {
  const std::string id = state::new_approval_id();
  auto opened = open_access_request(*store_, *cfg_, ask({"public.tickets:select"}), kT0, id);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->id, id);
}

TEST_F(AccessTest, ApprovalReadsBackAsTheRequest) {
  auto req = ask({"public.customers:select"});
  req.ttl = std::chrono::seconds(90);
  auto opened = open_access_request(*store_, *cfg_, req, kT0);
  ASSERT_TRUE(opened);
  auto back = requested_access(*opened);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->agent, "support-bot");
  EXPECT_EQ(back->allow, std::vector<std::string>{"public.customers:select"});
  EXPECT_FALSE(back->max_rows);
  EXPECT_EQ(back->ttl, std::chrono::seconds(90));
  EXPECT_EQ(back->reason, "ticket #123");
  EXPECT_EQ(back->request_id, opened->id);
}

TEST(RequestedAccess, AHeldStatementIsNoAccessRequest) {
  state::Approval held = state::testing::request("support-bot", "h1");
  EXPECT_FALSE(requested_access(held));
  held.rule = kRequestRule;  // the rule alone is not enough: the hash says what it is
  EXPECT_FALSE(requested_access(held));
  held.statement_hash = "access:00";
  held.params = "[]";
  EXPECT_FALSE(requested_access(held));
}

TEST(RequestLine, WithoutRowLimit) {
  EXPECT_EQ(request_line(ask({"public.tickets:select", "public.customers:select"})),
            "ACCESS REQUEST select on public.tickets; select on public.customers for 15m");
}

}  // namespace
}  // namespace airlock::access
