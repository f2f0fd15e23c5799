// require_intent at the gateway's decision point (PolicyHook, docs/access.md "Justification"):
// an intent stated for the session counts as one stated by a comment; the decision cache,
// keyed by the text, never carries one session's intent to another; observe mode forwards
// and records the refusal.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "proxy/policy_hook.hpp"

namespace airlock::proxy {
namespace {

constexpr const char* kConfig = R"yaml(
upstream: {database: app, user: airlock}
agents:
  scribe:
    require_intent: writes
    allow:
      - tables: [public.tickets]
        actions: [select, update]
  watcher:
    mode: observe
    require_intent: writes
    allow:
      - tables: [public.tickets]
        actions: [select, update]
)yaml";

constexpr const char* kUpdate = "UPDATE tickets SET status = 'x' WHERE id = 1";

std::uint64_t next_generation() {
  static std::uint64_t g = 0x1e7e'0000;  // the decision cache is per thread: no sharing
  return ++g;
}

class IntentHook : public testing::Test {
 protected:
  void SetUp() override {
    auto r = config::load_config_from_string(kConfig, "t.yaml",
                                             config::LoadOptions{.secrets = false});
    ASSERT_TRUE(r.errors.empty()) << r.errors.front().to_string();
    cfg_ = r.config;
  }
  std::unique_ptr<PolicyHook> hook(const std::string& agent) {
    return std::make_unique<PolicyHook>(cfg_->agents.at(agent), nullptr, generation_,
                                        std::vector<std::string>{"public"}, "airlock");
  }
  static Verdict decide(PolicyHook& h, std::string_view sql, std::string_view session_intent) {
    StatementEvent ev;
    ev.agent = "scribe";
    ev.sql = sql;
    ev.session_intent = session_intent;
    return h.on_statement(ev);
  }
  std::shared_ptr<const config::Config> cfg_;
  std::uint64_t generation_ = next_generation();
};

TEST_F(IntentHook, SessionIntentCounts) {
  auto h = hook("scribe");
  const Verdict v = decide(*h, kUpdate, "close ticket 1");
  EXPECT_TRUE(v.forward);
  ASSERT_TRUE(v.info);
  EXPECT_EQ(v.info->intent, "");  // the statement states none; the session's is recorded
}

TEST_F(IntentHook, MissingIntentRefusedWithHint) {
  auto h = hook("scribe");
  const Verdict v = decide(*h, kUpdate, "");
  ASSERT_FALSE(v.forward);
  EXPECT_EQ(v.error.sqlstate, "42501");
  EXPECT_EQ(v.error.message,
            "airlock: this agent must state an intent for statements that may change data "
            "[intent.required]");
  EXPECT_NE(v.hint.find("/* airlock: intent=\""), std::string::npos) << v.hint;
  EXPECT_NE(v.hint.find("application_name"), std::string::npos) << v.hint;
  EXPECT_NE(v.hint.find("intent argument"), std::string::npos) << v.hint;
  ASSERT_TRUE(v.info);
  EXPECT_EQ(v.info->decision, "deny");
  EXPECT_EQ(v.info->rule, "intent.required");
}

// The same text, decided (and cached) for a session with an intent, then for one without.
TEST_F(IntentHook, CacheDoesNotCarryASessionsIntent) {
  auto with = hook("scribe");
  auto without = hook("scribe");
  for (int i = 0; i < 3; ++i) {  // a text is cached the second time it is decided
    EXPECT_TRUE(decide(*with, kUpdate, "close ticket 1").forward);
    EXPECT_FALSE(decide(*without, kUpdate, "").forward);
  }
}

TEST_F(IntentHook, CommentIntentIsCachedWithTheText) {
  auto h = hook("scribe");
  const std::string sql = std::string(kUpdate) + " /* airlock: intent=\"close #1\" */";
  for (int i = 0; i < 3; ++i) {
    const Verdict v = decide(*h, sql, "");
    EXPECT_TRUE(v.forward);
    ASSERT_TRUE(v.info);
    EXPECT_EQ(v.info->intent, "close #1");
  }
}

TEST_F(IntentHook, ObserveModeForwardsAndRecordsTheRefusal) {
  auto h = hook("watcher");
  const Verdict v = decide(*h, kUpdate, "");
  EXPECT_TRUE(v.forward);
  ASSERT_TRUE(v.info);
  EXPECT_EQ(v.info->decision, "deny");
  EXPECT_EQ(v.info->rule, "intent.required");
}

TEST_F(IntentHook, ReadsNeedNoneUnderWrites) {
  auto h = hook("scribe");
  EXPECT_TRUE(decide(*h, "SELECT id FROM tickets", "").forward);
}

}  // namespace
}  // namespace airlock::proxy
