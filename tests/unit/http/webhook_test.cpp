// The approval webhook: bodies arrive, failures are counted, notify() never waits on the
// network, https:// verifies the server.
#include "http/webhook.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "metrics/airlock_metrics.hpp"
#include "net/asio.hpp"
#include "test_client.hpp"
#include "test_tls.hpp"

namespace airlock::http {
namespace {

using namespace std::chrono_literals;
using testing::TestServer;

// Polls `done` for up to `limit`.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::unique_ptr<WebhookNotifier> make(WebhookOptions o) {
  auto n = WebhookNotifier::create(std::move(o));
  EXPECT_TRUE(n) << (n ? "" : n.error().message);
  return n ? std::move(*n) : nullptr;
}

TEST(Webhook, PostsTheBodyWithHeaders) {
  TestServer server(200);
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hooks/airlock?team=db";
  o.secret = "hook-secret";
  auto n = make(o);
  ASSERT_TRUE(n);
  const std::string body = R"({"event":"approval_requested","approval":{"id":"apr_1"}})";
  EXPECT_TRUE(n->notify(body));
  auto requests = server.wait_for(1, 5s);
  ASSERT_EQ(requests.size(), 1u);
  const std::string& r = requests[0];
  EXPECT_EQ(r.rfind("POST /hooks/airlock?team=db HTTP/1.1\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Authorization: Bearer hook-secret\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Content-Type: application/json\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"), std::string::npos)
      << r;
  EXPECT_TRUE(r.ends_with("\r\n\r\n" + body)) << r;
  EXPECT_TRUE(eventually([&] { return n->sent() == 1; }));
  EXPECT_EQ(n->failed(), 0u);
}

TEST(Webhook, ErrorStatusAndRefusedConnectionAreCountedFailures) {
  metrics::Registry registry;
  metrics::GatewayMetrics m(registry);
  TestServer server(500);
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  o.sent_counter = &m.webhook_notifications_total.labels({"sent"});
  o.failed_counter = &m.webhook_notifications_total.labels({"failed"});
  o.dropped_counter = &m.webhook_notifications_total.labels({"dropped"});
  auto n = make(o);
  ASSERT_TRUE(n);
  n->notify("{}");
  EXPECT_TRUE(eventually([&] { return n->failed() == 1; }));
  EXPECT_EQ(m.webhook_notifications_total.labels({"failed"}).value(), 1u);

  // A port nobody listens on.
  std::uint16_t closed_port = 0;
  {
    boost::asio::io_context ioc;
    net::tcp::acceptor a(ioc, net::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    closed_port = a.local_endpoint().port();
  }
  o.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/";
  auto refused = make(o);
  ASSERT_TRUE(refused);
  refused->notify("{}");
  EXPECT_TRUE(eventually([&] { return refused->failed() == 1; }));
  EXPECT_EQ(m.webhook_notifications_total.labels({"failed"}).value(), 2u);
  EXPECT_EQ(m.webhook_notifications_total.labels({"sent"}).value(), 0u);
}

TEST(Webhook, SilentServerNeverBlocksNotify) {
  TestServer server(200, /*silent=*/true);
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  o.timeout = 300ms;
  o.max_queue = 2;
  auto n = make(o);
  ASSERT_TRUE(n);
  ASSERT_TRUE(n->notify("{\"n\":1}"));
  ASSERT_TRUE(eventually([&] { return server.connections() == 1; }));  // in flight, unanswered
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(n->notify("{\"n\":2}"));
  EXPECT_TRUE(n->notify("{\"n\":3}"));
  EXPECT_FALSE(n->notify("{\"n\":4}"));  // queue full: dropped, not waited for
  EXPECT_FALSE(n->notify("{\"n\":5}"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms);
  EXPECT_EQ(n->dropped(), 2u);
  // Each delivery gives up after its timeout; the three attempted ones fail in turn.
  EXPECT_TRUE(eventually([&] { return n->failed() == 3; }, 5s));
  EXPECT_EQ(n->sent(), 0u);
}

TEST(Webhook, StopDropsWhatIsQueued) {
  TestServer server(200, /*silent=*/true);
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  o.timeout = 10s;
  auto n = make(o);
  ASSERT_TRUE(n);
  n->notify("{}");
  ASSERT_TRUE(eventually([&] { return server.connections() == 1; }));
  n->notify("{}");
  auto start = std::chrono::steady_clock::now();
  n->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);  // does not wait for the 10 s timeout
  EXPECT_EQ(n->dropped(), 1u);
  EXPECT_FALSE(n->notify("{}"));
  EXPECT_EQ(n->dropped(), 2u);
}

// What `airlock access request` relies on before it exits: drain returns once the queued
// notifications were attempted, delivered or not, and gives up at its limit.
TEST(Webhook, DrainWaitsForTheAttempts) {
  TestServer ok(200);
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(ok.port()) + "/";
  auto n = make(o);
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->drain(0ms));  // nothing queued
  n->notify("{}");
  n->notify("{}");
  EXPECT_TRUE(n->drain(5s));
  EXPECT_EQ(n->sent(), 2u);

  TestServer silent(200, /*silent=*/true);
  o.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/";
  o.timeout = 10s;
  auto slow = make(o);
  ASSERT_TRUE(slow);
  slow->notify("{}");
  EXPECT_FALSE(slow->drain(50ms));
  EXPECT_EQ(slow->failed() + slow->sent(), 0u);
}

TEST(Webhook, CreateRefusesBadConfiguration) {
  for (const char* url : {"ftp://h/", "127.0.0.1:8080/x", "http://user:pw@h/"}) {
    WebhookOptions o;
    o.url = url;
    EXPECT_FALSE(WebhookNotifier::create(o)) << url;
  }
  WebhookOptions o;
  o.url = "https://hooks.example.com/";
  o.ca_file = "/nonexistent/ca.pem";
  auto n = WebhookNotifier::create(o);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

class WebhookTls : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = testing::make_self_signed_cert();
    // One file per test process: ctest runs these tests in parallel processes, and one's
    // TearDown must not remove the file another is using.
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ca_file_ = ::testing::TempDir() + "airlock_webhook_test_ca_" + std::to_string(::getpid()) +
               "_" + info->name() + ".pem";
    std::ofstream(ca_file_) << cert_.cert_pem;
  }
  void TearDown() override { std::remove(ca_file_.c_str()); }

  testing::TestCert cert_;
  std::string ca_file_;
};

TEST_F(WebhookTls, VerifiedServerGetsTheBody) {
  testing::TlsTestServer server(cert_);
  WebhookOptions o;
  o.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/hook";
  o.ca_file = ca_file_;
  auto n = make(o);
  ASSERT_TRUE(n);
  n->notify(R"({"tls":true})");
  auto requests = server.wait_for(1, 5s);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].ends_with(R"({"tls":true})")) << requests[0];
  EXPECT_TRUE(eventually([&] { return n->sent() == 1; }));
}

TEST_F(WebhookTls, UntrustedOrMismatchedCertificateFails) {
  testing::TlsTestServer server(cert_);
  WebhookOptions o;
  o.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/hook";  // system CAs only
  auto untrusted = make(o);
  ASSERT_TRUE(untrusted);
  untrusted->notify("{}");
  EXPECT_TRUE(eventually([&] { return untrusted->failed() == 1; }));

  o.url = "https://localhost:" + std::to_string(server.port()) + "/hook";  // SAN is the IP only
  o.ca_file = ca_file_;
  auto mismatched = make(o);
  ASSERT_TRUE(mismatched);
  mismatched->notify("{}");
  EXPECT_TRUE(eventually([&] { return mismatched->failed() == 1; }));
  EXPECT_TRUE(server.wait_for(1, 200ms).empty());
  EXPECT_EQ(untrusted->sent() + mismatched->sent(), 0u);
}

}  // namespace
}  // namespace airlock::http
