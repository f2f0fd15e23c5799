// The admin listener over real sockets: binding, keep-alive, limits, deadlines, stop().
#include "http/admin_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "fake_store.hpp"
#include "metrics/registry.hpp"
#include "test_client.hpp"

namespace airlock::http {
namespace {

using namespace std::chrono_literals;
using testing::request;
using testing::roundtrip;

constexpr const char* kToken = "0123456789abcdef-token";

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state::Approval a;
    a.id = "apr_1";
    a.agent = "bot";
    a.created_ms = 1;
    a.expires_ms = INT64_MAX;
    store_.add(a);
    registry_.gauge("airlock_up", "Up.").set(1);
  }

  AdminOptions options() {
    AdminOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.routes.token = kToken;
    o.routes.metrics = &registry_;
    o.routes.store = &store_;
    o.routes.readiness = [] {
      return std::pair<bool, std::string>(false, "audit trail not writable");
    };
    return o;
  }

  testing::FakeStore store_;
  metrics::Registry registry_;
};

TEST_F(AdminServerTest, ServesRoutes) {
  AdminServer server(options());
  ASSERT_TRUE(server.start());
  ASSERT_NE(server.port(), 0);
  auto health = request(server.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  auto ready = request(server.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, "not ready: audit trail not writable\n");
  auto metrics = request(server.port(), "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.head.find("Content-Type: text/plain; version=0.0.4"), std::string::npos)
      << metrics.head;
  EXPECT_NE(metrics.body.find("airlock_up 1\n"), std::string::npos);
  EXPECT_EQ(request(server.port(), "GET", "/nope").status, 404);
  auto wrong = request(server.port(), "PUT", "/healthz");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_NE(wrong.head.find("Allow: GET"), std::string::npos) << wrong.head;
}

TEST_F(AdminServerTest, ApprovalsOverTheWire) {
  AdminServer server(options());
  ASSERT_TRUE(server.start());
  EXPECT_EQ(request(server.port(), "GET", "/v1/approvals").status, 401);
  std::string auth = std::string("Authorization: Bearer ") + kToken + "\r\n";
  auto list = request(server.port(), "GET", "/v1/approvals?status=pending", "", auth);
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("\"id\":\"apr_1\""), std::string::npos) << list.body;
  auto approve =
      request(server.port(), "POST", "/v1/approvals/apr_1/approve", R"({"note":"ok","by":"bob"})",
              auth + "Content-Type: application/json\r\n");
  EXPECT_EQ(approve.status, 200) << approve.body;
  EXPECT_NE(approve.body.find("\"status\":\"approved\""), std::string::npos) << approve.body;
  EXPECT_EQ(request(server.port(), "POST", "/v1/approvals/apr_1/deny", "", auth).status, 409);
}

TEST_F(AdminServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  AdminServer server(options());
  ASSERT_TRUE(server.start());
  auto responses = roundtrip(server.port(),
                             "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                             "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
                             "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[1].status, 404);
  EXPECT_EQ(responses[2].status, 200);
}

TEST_F(AdminServerTest, OversizedRequestsAreRefused) {
  AdminServer server(options());
  ASSERT_TRUE(server.start());
  // A declared body over 64 KiB is refused before it is read.
  auto big = roundtrip(server.port(),
                       "POST /v1/approvals/apr_1/approve HTTP/1.1\r\nHost: t\r\n"
                       "Content-Length: 70000\r\n\r\n");
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].status, 413);
  auto headers = roundtrip(server.port(), "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " +
                                              std::string(9000, 'a') + "\r\n\r\n");
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].status, 431);
  auto garbage = roundtrip(server.port(), "NOT HTTP AT ALL\r\n\r\n");
  ASSERT_EQ(garbage.size(), 1u);
  EXPECT_EQ(garbage[0].status, 400);
  // Still serving.
  EXPECT_EQ(request(server.port(), "GET", "/healthz").status, 200);
}

TEST_F(AdminServerTest, SlowClientIsCutOffAtTheReadDeadline) {
  AdminOptions o = options();
  o.read_timeout = 200ms;
  AdminServer server(std::move(o));
  ASSERT_TRUE(server.start());
  auto start = std::chrono::steady_clock::now();
  auto none = roundtrip(server.port(), "GET /healthz HTTP/1.1\r\nHost: t\r\n", 5s);  // unfinished
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(none.empty());
  EXPECT_LT(elapsed, 3s);  // closed by the server, not by the client's own timeout
}

TEST_F(AdminServerTest, ConnectionsBeyondTheLimitAreClosed) {
  AdminOptions o = options();
  o.max_connections = 1;
  o.read_timeout = 2s;
  AdminServer server(std::move(o));
  ASSERT_TRUE(server.start());
  std::thread idle([&] { roundtrip(server.port(), "GET /healthz HTTP/1.1\r\n", 1500ms); });
  std::this_thread::sleep_for(200ms);
  auto refused = request(server.port(), "GET", "/healthz");
  EXPECT_EQ(refused.status, 0);  // closed without an answer
  idle.join();
  std::this_thread::sleep_for(700ms);  // the idle connection hits its deadline and is gone
  EXPECT_EQ(request(server.port(), "GET", "/healthz").status, 200);
}

TEST_F(AdminServerTest, StartFailsWhenThePortIsTaken) {
  AdminServer first(options());
  ASSERT_TRUE(first.start());
  AdminOptions o = options();
  o.port = first.port();
  AdminServer second(std::move(o));
  auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos)
      << started.error().message;
}

TEST_F(AdminServerTest, StopWithOpenConnectionsReturns) {
  AdminServer server(options());
  ASSERT_TRUE(server.start());
  std::thread idle([&] { roundtrip(server.port(), "GET /healthz HTTP/1.1\r\n", 1s); });
  std::this_thread::sleep_for(100ms);
  auto start = std::chrono::steady_clock::now();
  server.stop();
  server.stop();  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  idle.join();
}

}  // namespace
}  // namespace airlock::http
