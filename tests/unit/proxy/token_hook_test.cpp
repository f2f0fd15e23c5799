// A token session at the gateway's decision point (PolicyHook, docs/access.md "Tokens"): the
// scope narrows the agent's policy (token.scope), and once the token has ended (revoked,
// expired, unverifiable) every statement is refused (token.ended) without waiting for the
// watchdog to close the session.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "policy/token_scope.hpp"
#include "proxy/guard_text.hpp"
#include "proxy/policy_hook.hpp"

namespace airlock::proxy {
namespace {

constexpr const char* kConfig = R"yaml(
upstream: {database: app, user: airlock}
agents:
  bot:
    allow:
      - tables: [public.tickets, public.accounts]
        actions: [select, update]
)yaml";

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class TokenHook : public testing::Test {
 protected:
  void SetUp() override {
    auto r = config::load_config_from_string(kConfig, "t.yaml",
                                             config::LoadOptions{.secrets = false});
    ASSERT_TRUE(r.errors.empty()) << r.errors.front().to_string();
    cfg_ = r.config;
    lease_.id = "tok_0123456789abcdef";
    lease_.agent = "bot";
    lease_.expires_ms = wall_ms() + 60'000;
    lease_.verified_ms = wall_ms();
    std::vector<policy::ScopeEntry> scope{*policy::parse_scope_entry("public.tickets:select")};
    hook_ = std::make_unique<PolicyHook>(cfg_->agents.at("bot"), nullptr, ++generation_,
                                         std::vector<std::string>{"public"}, "airlock");
    hook_->watch_token(&lease_);
    hook_->restrict_to_token(lease_.id,
                             std::make_shared<const policy::AgentPolicy>(
                                 policy::compile_scope("bot", scope, std::nullopt)),
                             policy::describe_scope(scope, std::nullopt));
  }
  std::string rule(std::string_view sql) {
    StatementEvent ev;
    ev.agent = "bot";
    ev.sql = sql;
    const Verdict v = hook_->on_statement(ev);
    return v.forward ? "allow" : rule_of(v.error.message);
  }
  static inline std::uint64_t generation_ = 0x70c0'0000;
  std::shared_ptr<const config::Config> cfg_;
  TokenLease lease_;
  std::unique_ptr<PolicyHook> hook_;
};

TEST_F(TokenHook, ScopeNarrowsThePolicy) {
  EXPECT_EQ(rule("SELECT * FROM tickets"), "allow");
  EXPECT_EQ(rule("SELECT * FROM accounts"), "token.scope");
  EXPECT_EQ(rule("UPDATE tickets SET id = 1 WHERE id = 1"), "token.scope");
}

TEST_F(TokenHook, RevokedRefusesEvenACachedVerdict) {
  EXPECT_EQ(rule("SELECT * FROM tickets"), "allow");
  EXPECT_EQ(rule("SELECT * FROM tickets"), "allow");  // now in the decision cache
  lease_.end = TokenLease::Revoked;
  EXPECT_EQ(rule("SELECT * FROM tickets"), "token.ended");
}

TEST_F(TokenHook, ExpiredAndUnverifiableRefuse) {
  lease_.expires_ms = wall_ms() - 1;
  EXPECT_EQ(rule("SELECT * FROM tickets"), "token.ended");
  lease_.expires_ms = wall_ms() + 60'000;
  EXPECT_EQ(rule("SELECT * FROM tickets"), "allow");
  lease_.verified_ms = wall_ms() - TokenLease::kUnverifiedAfterMs - 1000;
  EXPECT_EQ(rule("SELECT * FROM tickets"), "token.ended");
}

}  // namespace
}  // namespace airlock::proxy
