// Beast-free pieces: request targets, bearer tokens, webhook URLs, approval JSON.
#include "http/message.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/approval_json.hpp"
#include "http/bearer.hpp"
#include "http/url.hpp"

namespace airlock::http {
namespace {

TEST(Target, SplitsAndDecodes) {
  auto t = parse_target("/v1/approvals?status=all&agent=support%2Dbot+x&empty=&flag");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/v1/approvals");
  EXPECT_EQ(t->query.at("status"), "all");
  EXPECT_EQ(t->query.at("agent"), "support-bot x");
  EXPECT_EQ(t->query.at("empty"), "");
  EXPECT_EQ(t->query.at("flag"), "");
  EXPECT_EQ(parse_target("/a%20b")->path, "/a b");
}

TEST(Target, RefusesMalformed) {
  for (const char* bad : {"", "v1/approvals", "http://h/x", "/a%2", "/a%zz", "/a%00b", "/?x=%0"}) {
    EXPECT_FALSE(parse_target(bad)) << bad;
  }
}

TEST(Bearer, Matches) {
  struct Row {
    const char* header;
    const char* token;
    bool match;
  };
  for (const Row& r :
       {Row{"Bearer s3cret-token", "s3cret-token", true},
        Row{"bearer s3cret-token", "s3cret-token", true},
        Row{"BEARER  s3cret-token ", "s3cret-token", true},
        Row{"Bearer s3cret-toke", "s3cret-token", false},
        Row{"Bearer s3cret-token2", "s3cret-token", false},
        Row{"Bearer S3cret-token", "s3cret-token", false},
        Row{"Basic s3cret-token", "s3cret-token", false},
        Row{"s3cret-token", "s3cret-token", false}, Row{"Bearer ", "s3cret-token", false},
        Row{"", "s3cret-token", false}, Row{"Bearer ", "", false}, Row{"Bearer x", "", false}}) {
    EXPECT_EQ(bearer_matches(r.header, r.token), r.match) << r.header << " / " << r.token;
  }
}

TEST(Url, Parses) {
  struct Row {
    const char* text;
    bool tls;
    const char* host;
    std::uint16_t port;
    const char* target;
  };
  for (const Row& r :
       {Row{"http://hooks.example.com/airlock?x=1", false, "hooks.example.com", 80, "/airlock?x=1"},
        Row{"https://hooks.example.com", true, "hooks.example.com", 443, "/"},
        Row{"http://127.0.0.1:8080", false, "127.0.0.1", 8080, "/"},
        Row{"https://[::1]:8443/h#frag", true, "::1", 8443, "/h"},
        Row{"http://h?q", false, "h", 80, "/?q"}}) {
    auto url = parse_url(r.text);
    ASSERT_TRUE(url) << r.text << ": " << url.error().message;
    EXPECT_EQ(url->tls, r.tls) << r.text;
    EXPECT_EQ(url->host, r.host) << r.text;
    EXPECT_EQ(url->port, r.port) << r.text;
    EXPECT_EQ(url->target, r.target) << r.text;
  }
}

TEST(Url, Refuses) {
  for (const char* bad : {"ftp://h/", "hooks.example.com/x", "http://", "http://:80/",
                          "http://h:0/", "http://h:70000/", "http://u:p@h/", "http://[::1/",
                          "http://h h/", "http://h/a b", "HTTP://h/"}) {
    auto url = parse_url(bad);
    EXPECT_FALSE(url) << bad;
  }
  // The message never repeats the path, which may hold a token.
  auto url = parse_url("http://h:99999/secret-token-in-path");
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().message.find("secret"), std::string::npos);
}

TEST(ApprovalJson, Shape) {
  state::Approval a;
  a.id = "apr_0123456789abcdef";
  a.agent = "support-bot";
  a.sql = "UPDATE subscriptions SET plan = $1 WHERE status = $2";
  a.params = "[\"free\",\"past_due\"]";
  a.rows = 12000;
  a.rule = "max_rows";
  a.reason = "over the row limit";
  a.created_ms = 1714564800000;  // 2024-05-01T12:00:00Z
  a.expires_ms = 1714568400000;
  auto j = nlohmann::json::parse(approval_json(a));
  EXPECT_EQ(j["id"], "apr_0123456789abcdef");
  EXPECT_EQ(j["status"], "pending");
  EXPECT_EQ(j["rows"], 12000);
  EXPECT_EQ(j["params"], nlohmann::json::parse("[\"free\",\"past_due\"]"));
  EXPECT_EQ(j["created_at"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(j["created_ms"], 1714564800000);
  EXPECT_TRUE(j["decided_at"].is_null());

  a.rows.reset();
  a.params = "not json";
  a.sql = "SELECT '\xff'";  // invalid UTF-8 must not throw
  auto k = nlohmann::json::parse(approval_event_json("approval_requested", a));
  EXPECT_EQ(k["event"], "approval_requested");
  EXPECT_TRUE(k["approval"]["rows"].is_null());
  EXPECT_EQ(k["approval"]["params"], "not json");
}

}  // namespace
}  // namespace airlock::http
