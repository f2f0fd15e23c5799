// The gateway's /metrics output parses as Prometheus text format 0.0.4 (issue #5 asks for
// a scrape that parses), checked by text_validator.cpp, which is itself checked against
// known-bad texts so that it cannot pass vacuously.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <set>

#include "metrics/airlock_metrics.hpp"
#include "text_validator.hpp"

namespace airlock::metrics {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& p : v) s += p + "\n";
  return s;
}

TEST(Exposition, GatewayMetricsParseWhenEmptyAndWhenUsed) {
  Registry r;
  GatewayMetrics m(r);
  std::string empty = r.render();
  EXPECT_TRUE(testing::validate_exposition(empty).empty())
      << joined(testing::validate_exposition(empty)) << empty;

  m.connections_active.inc();
  m.connections_total.inc();
  m.statements_total.labels({"support-bot", "forward"}).inc(3);
  m.statements_total.labels({"we\"ird\\agent\nname", "deny"}).inc();
  m.denials_total.labels({"support-bot", "no_where_update"}).inc();
  m.holds_pending.set(2);
  m.guard_rollbacks_total.labels({"support-bot"}).inc();
  m.upstream_errors_total.inc();
  m.added_latency_seconds.observe(std::chrono::microseconds(30));
  m.upstream_latency_seconds.observe(std::chrono::milliseconds(12));
  m.audit_write_seconds.observe(std::chrono::milliseconds(2));
  m.audit_write_failures_total.inc();
  m.webhook_notifications_total.labels({"sent"}).inc();
  r.callback_gauge("airlock_extra", "Callback with NaN.", [] { return NAN; });
  std::string used = r.render();
  EXPECT_TRUE(testing::validate_exposition(used).empty())
      << joined(testing::validate_exposition(used)) << used;
  EXPECT_NE(used.find("airlock_statements_total{agent=\"we\\\"ird\\\\agent\\nname\","
                      "decision=\"deny\"} 1\n"),
            std::string::npos)
      << used;
}

TEST(Exposition, GatewayMetricNames) {
  Registry r;
  GatewayMetrics m(r);
  std::set<std::string> types;
  std::string out = r.render();
  for (std::size_t pos = 0; (pos = out.find("# TYPE ", pos)) != std::string::npos; ++pos) {
    types.insert(out.substr(pos + 7, out.find('\n', pos) - pos - 7));
  }
  EXPECT_EQ(types, (std::set<std::string>{
                       "airlock_connections_active gauge",
                       "airlock_connections_total counter",
                       "airlock_statements_total counter",
                       "airlock_denials_total counter",
                       "airlock_holds_pending gauge",
                       "airlock_guard_rollbacks_total counter",
                       "airlock_upstream_errors_total counter",
                       "airlock_added_latency_seconds histogram",
                       "airlock_upstream_latency_seconds histogram",
                       "airlock_audit_write_seconds histogram",
                       "airlock_audit_write_failures_total counter",
                       "airlock_webhook_notifications_total counter",
                   }));
}

// Each row is a text the validator must reject.
struct BadText {
  const char* name;
  const char* text;
};

class ValidatorRejects : public ::testing::TestWithParam<BadText> {};

TEST_P(ValidatorRejects, Text) {
  EXPECT_FALSE(testing::validate_exposition(GetParam().text).empty()) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidatorRejects,
    ::testing::Values(BadText{"unescaped_quote", "m{a=\"x\"y\"} 1\n"},
                      BadText{"bad_escape", "m{a=\"x\\ty\"} 1\n"},
                      BadText{"bad_metric_name", "1m 1\n"},
                      BadText{"bad_label_name", "m{1a=\"x\"} 1\n"}, BadText{"bad_value", "m 1,5\n"},
                      BadText{"missing_value", "m\n"}, BadText{"no_final_newline", "m 1"},
                      BadText{"unknown_type", "# TYPE m countr\nm 1\n"},
                      BadText{"type_after_samples", "m 1\n# TYPE m counter\n"},
                      BadText{"split_family", "a 1\nb 1\na 2\n"},
                      BadText{"bucket_not_cumulative",
                              "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                              "h_sum 1\nh_count 1\n"},
                      BadText{"no_inf_bucket",
                              "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n"},
                      BadText{"count_mismatch",
                              "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"}),
    [](const ::testing::TestParamInfo<BadText>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace airlock::metrics
