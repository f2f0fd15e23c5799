// The admin routes and the approvals API, without sockets.
#include "http/router.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fake_store.hpp"
#include "metrics/registry.hpp"

namespace airlock::http {
namespace {

constexpr std::int64_t kNow = 1714564800000;
constexpr const char* kToken = "0123456789abcdef-token";

state::Approval approval(std::string id, std::string agent, std::int64_t created_ms,
                         state::ApprovalStatus status = state::ApprovalStatus::Pending) {
  state::Approval a;
  a.id = std::move(id);
  a.agent = std::move(agent);
  a.statement_hash = "h-" + a.id;
  a.sql = "UPDATE t SET x = $1";
  a.params = "[]";
  a.rule = "hold";
  a.created_ms = created_ms;
  a.expires_ms = created_ms + 3600'000;
  a.status = status;
  return a;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    store_.add(approval("apr_1", "support-bot", kNow - 3000));
    store_.add(approval("apr_2", "billing-bot", kNow - 2000));
    store_.add(approval("apr_3", "support-bot", kNow - 1000, state::ApprovalStatus::Denied));
    store_.add(approval("apr_old", "support-bot", kNow - 7200'000));  // expired an hour ago
    registry_.counter("airlock_test_total", "T.").inc(7);
  }

  Router router(std::string token = kToken) {
    RouterOptions o;
    o.token = std::move(token);
    o.readiness = [this] { return std::pair<bool, std::string>(ready_, reason_); };
    o.metrics = &registry_;
    o.store = &store_;
    o.now_ms = [] { return kNow; };
    return Router(std::move(o));
  }

  static Request req(std::string method, std::string target, std::string body = "",
                     std::string auth = std::string("Bearer ") + kToken) {
    return Request{std::move(method), std::move(target), std::move(auth), std::move(body)};
  }

  testing::FakeStore store_;
  metrics::Registry registry_;
  bool ready_ = true;
  std::string reason_;
};

std::string header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST_F(RouterTest, HealthReadyMetrics) {
  Router r = router();
  Response h = r.handle(req("GET", "/healthz", "", ""));
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");

  EXPECT_EQ(r.handle(req("GET", "/readyz", "", "")).status, 200);
  ready_ = false;
  reason_ = "upstream 10.0.0.5:5432 unreachable";
  Response not_ready = r.handle(req("GET", "/readyz", "", ""));
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready: upstream 10.0.0.5:5432 unreachable\n");

  Response m = r.handle(req("GET", "/metrics", "", ""));
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain; version=0.0.4", 0), 0u) << m.content_type;
  EXPECT_NE(m.body.find("airlock_test_total 7\n"), std::string::npos);
}

TEST_F(RouterTest, UnknownPathAndWrongMethod) {
  Router r = router();
  EXPECT_EQ(r.handle(req("GET", "/nope")).status, 404);
  EXPECT_EQ(r.handle(req("GET", "/healthz/x")).status, 404);
  EXPECT_EQ(r.handle(req("GET", "/v1/approvalsX")).status, 404);
  Response post = r.handle(req("POST", "/healthz"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(header(post, "Allow"), "GET");
  EXPECT_EQ(r.handle(req("DELETE", "/metrics")).status, 405);
  EXPECT_EQ(r.handle(req("POST", "/v1/approvals")).status, 405);
  EXPECT_EQ(header(r.handle(req("GET", "/v1/approvals/apr_1/approve")), "Allow"), "POST");
  EXPECT_EQ(r.handle(req("GET", "/a%zz")).status, 400);
}

TEST_F(RouterTest, ApprovalsNeedTheToken) {
  Router r = router();
  Response none = r.handle(req("GET", "/v1/approvals", "", ""));
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(header(none, "WWW-Authenticate").find("Bearer"), std::string::npos);
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals", "", "Bearer wrong")).status, 401);
  EXPECT_EQ(r.handle(req("POST", "/v1/approvals/apr_1/approve", "", "Bearer wrong")).status, 401);
  EXPECT_EQ(store_.get_approval("apr_1", kNow)->value().status, state::ApprovalStatus::Pending);

  Router disabled = router("");
  Response off = disabled.handle(req("GET", "/v1/approvals", "", "Bearer "));
  EXPECT_EQ(off.status, 403);
  EXPECT_NE(off.body.find("approvals API disabled: set admin.token_env"), std::string::npos);
  // Health and metrics never need the token.
  EXPECT_EQ(disabled.handle(req("GET", "/metrics", "", "")).status, 200);
}

TEST_F(RouterTest, ListFilters) {
  Router r = router();
  auto ids = [&](const std::string& target) {
    Response resp = r.handle(req("GET", target));
    EXPECT_EQ(resp.status, 200) << target << ": " << resp.body;
    EXPECT_EQ(resp.content_type, "application/json");
    std::vector<std::string> out;
    for (const auto& a : nlohmann::json::parse(resp.body)) out.push_back(a["id"]);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids("/v1/approvals"), (V{"apr_2", "apr_1"}));  // pending by default, newest first
  EXPECT_EQ(ids("/v1/approvals/"), (V{"apr_2", "apr_1"}));
  EXPECT_EQ(ids("/v1/approvals?status=pending&agent=support-bot"), (V{"apr_1"}));
  EXPECT_EQ(ids("/v1/approvals?status=all"), (V{"apr_3", "apr_2", "apr_1", "apr_old"}));
  EXPECT_EQ(ids("/v1/approvals?status=expired"), (V{"apr_old"}));
  EXPECT_EQ(ids("/v1/approvals?status=all&limit=1"), (V{"apr_3"}));
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals?status=open")).status, 400);
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals?limit=0")).status, 400);
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals?limit=5x")).status, 400);
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals?agnet=x")).status, 400);
}

TEST_F(RouterTest, ShowOne) {
  Router r = router();
  Response one = r.handle(req("GET", "/v1/approvals/apr_1"));
  EXPECT_EQ(one.status, 200);
  auto j = nlohmann::json::parse(one.body);
  EXPECT_EQ(j["id"], "apr_1");
  EXPECT_EQ(j["agent"], "support-bot");
  EXPECT_EQ(j["status"], "pending");
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals/apr_missing")).status, 404);
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals/apr%2F1")).status, 404);  // "apr/1"
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals/a.b")).status, 404);
}

TEST_F(RouterTest, ApproveAndDeny) {
  Router r = router();
  Response ok = r.handle(req("POST", "/v1/approvals/apr_1/approve",
                             R"({"note": "fine, 12k rows expected", "by": "alice"})"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto j = nlohmann::json::parse(ok.body);
  EXPECT_EQ(j["status"], "approved");
  EXPECT_EQ(j["decided_by"], "alice");
  EXPECT_EQ(j["note"], "fine, 12k rows expected");
  EXPECT_EQ(j["decided_ms"], kNow);

  Response again = r.handle(req("POST", "/v1/approvals/apr_1/deny"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(nlohmann::json::parse(again.body)["error"], "apr_1 is already approved");

  Response denied = r.handle(req("POST", "/v1/approvals/apr_2/deny", ""));  // no body
  ASSERT_EQ(denied.status, 200) << denied.body;
  EXPECT_EQ(nlohmann::json::parse(denied.body)["status"], "denied");
  EXPECT_EQ(nlohmann::json::parse(denied.body)["decided_by"], "admin-api");

  EXPECT_EQ(r.handle(req("POST", "/v1/approvals/apr_old/approve")).status, 409);  // expired
  EXPECT_EQ(r.handle(req("POST", "/v1/approvals/apr_missing/approve")).status, 404);
  EXPECT_EQ(r.handle(req("POST", "/v1/approvals/apr_1/cancel")).status, 404);
}

TEST_F(RouterTest, DecisionBodyIsChecked) {
  store_.add(approval("apr_9", "support-bot", kNow));
  Router r = router();
  for (const char* bad :
       {"{", "[]", "\"note\"", R"({"note": 5})", R"({"notes": "x"})", R"({"by": null})"}) {
    Response resp = r.handle(req("POST", "/v1/approvals/apr_9/approve", bad));
    EXPECT_EQ(resp.status, 400) << bad << " -> " << resp.body;
  }
  std::string long_note = R"({"note": ")" + std::string(1001, 'x') + "\"}";
  EXPECT_EQ(r.handle(req("POST", "/v1/approvals/apr_9/approve", long_note)).status, 400);
  // Nothing was decided by the refused requests.
  EXPECT_EQ(store_.get_approval("apr_9", kNow)->value().status, state::ApprovalStatus::Pending);
}

TEST_F(RouterTest, StoreFailuresAre500) {
  Router r = router();
  store_.break_store();
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals")).status, 500);
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals/apr_1")).status, 500);
  EXPECT_EQ(r.handle(req("POST", "/v1/approvals/apr_1/approve")).status, 500);
}

TEST_F(RouterTest, NoStoreIs503AndThrowingCallbackIs500) {
  RouterOptions o;
  o.token = kToken;
  o.readiness = []() -> std::pair<bool, std::string> { throw std::runtime_error("boom"); };
  Router r(std::move(o));
  EXPECT_EQ(r.handle(req("GET", "/v1/approvals")).status, 503);
  EXPECT_EQ(r.handle(req("GET", "/readyz")).status, 500);
  EXPECT_EQ(r.handle(req("GET", "/metrics")).status, 404);  // no registry given
}

}  // namespace
}  // namespace airlock::http
