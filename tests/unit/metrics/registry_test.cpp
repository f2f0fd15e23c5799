#include "metrics/registry.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

#include "metrics/text_format.hpp"

namespace airlock::metrics {
namespace {

TEST(Registry, RendersCounterAndGaugeExactly) {
  Registry r;
  Counter& c = r.counter("airlock_x_total", "Things counted.");
  Gauge& g = r.gauge("airlock_level", "A level.");
  c.inc();
  c.inc(4);
  g.inc(3);
  g.dec();
  EXPECT_EQ(r.render(),
            "# HELP airlock_x_total Things counted.\n"
            "# TYPE airlock_x_total counter\n"
            "airlock_x_total 5\n"
            "# HELP airlock_level A level.\n"
            "# TYPE airlock_level gauge\n"
            "airlock_level 2\n");
}

TEST(Registry, LabelledSeriesAreStableAndSorted) {
  Registry r;
  auto& f = r.counter_family("airlock_statements_total", "S.", {"agent", "decision"});
  Counter& a = f.labels({"zeta", "forward"});
  Counter& b = f.labels({"alpha", "deny"});
  EXPECT_EQ(&a, &f.labels({"zeta", "forward"}));  // cached references stay valid
  a.inc(2);
  b.inc();
  EXPECT_EQ(r.render(),
            "# HELP airlock_statements_total S.\n"
            "# TYPE airlock_statements_total counter\n"
            "airlock_statements_total{agent=\"alpha\",decision=\"deny\"} 1\n"
            "airlock_statements_total{agent=\"zeta\",decision=\"forward\"} 2\n");
}

TEST(Registry, EscapesLabelValuesAndHelp) {
  Registry r;
  auto& f = r.gauge_family("airlock_g", "Back\\slash and\nnewline, \"quotes\" kept.", {"v"});
  f.labels({"a\"b\\c\nd"}).set(-7);
  EXPECT_EQ(r.render(),
            "# HELP airlock_g Back\\\\slash and\\nnewline, \"quotes\" kept.\n"
            "# TYPE airlock_g gauge\n"
            "airlock_g{v=\"a\\\"b\\\\c\\nd\"} -7\n");
}

TEST(Registry, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry r;
  auto& f = r.histogram_family("airlock_h_seconds", "H.", {"agent"}, {0.25, 0.5, 1});
  Histogram& h = f.labels({"bot"});
  h.observe(0.125);
  h.observe(0.25);  // on a bound: counted in that bucket (le is inclusive)
  h.observe(std::chrono::milliseconds(375));
  h.observe(3.0);
  h.observe(NAN);  // ignored
  EXPECT_EQ(r.render(),
            "# HELP airlock_h_seconds H.\n"
            "# TYPE airlock_h_seconds histogram\n"
            "airlock_h_seconds_bucket{agent=\"bot\",le=\"0.25\"} 2\n"
            "airlock_h_seconds_bucket{agent=\"bot\",le=\"0.5\"} 3\n"
            "airlock_h_seconds_bucket{agent=\"bot\",le=\"1\"} 3\n"
            "airlock_h_seconds_bucket{agent=\"bot\",le=\"+Inf\"} 4\n"
            "airlock_h_seconds_sum{agent=\"bot\"} 3.75\n"
            "airlock_h_seconds_count{agent=\"bot\"} 4\n");
}

TEST(Registry, UnlabelledHistogramUsesLatencyBuckets) {
  Registry r;
  Histogram& h = r.histogram("airlock_lat_seconds", "L.", latency_buckets());
  h.observe(std::chrono::microseconds(40));
  h.observe(std::chrono::seconds(20));
  std::string out = r.render();
  EXPECT_NE(out.find("airlock_lat_seconds_bucket{le=\"5e-05\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("airlock_lat_seconds_bucket{le=\"0.0001\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("airlock_lat_seconds_bucket{le=\"10\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("airlock_lat_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("airlock_lat_seconds_count 2\n"), std::string::npos) << out;
  EXPECT_EQ(latency_buckets().front(), 0.00005);
  EXPECT_EQ(latency_buckets().back(), 10.0);
}

TEST(Registry, CallbackGaugeIsReadAtScrape) {
  Registry r;
  double value = 1.5;
  r.callback_gauge("airlock_cb", "Computed.", [&] { return value; });
  EXPECT_NE(r.render().find("airlock_cb 1.5\n"), std::string::npos);
  value = INFINITY;
  EXPECT_NE(r.render().find("airlock_cb +Inf\n"), std::string::npos);
}

TEST(Registry, RegistrationErrorsThrow) {
  Registry r;
  r.counter("airlock_a_total", "A.");
  EXPECT_THROW(r.counter("airlock_a_total", "again"), std::invalid_argument);
  EXPECT_THROW(r.gauge("1bad", "x"), std::invalid_argument);
  EXPECT_THROW(r.gauge("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter_family("airlock_b", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.counter_family("airlock_c", "x", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(r.histogram_family("airlock_d", "x", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("airlock_e", "x", {}), std::invalid_argument);
  EXPECT_THROW(r.histogram("airlock_f", "x", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("airlock_g", "x", {1, INFINITY}), std::invalid_argument);
  auto& f = r.counter_family("airlock_h_total", "x", {"agent", "rule"});
  EXPECT_THROW(f.labels({"only-one"}), std::invalid_argument);
}

TEST(TextFormat, DoublesAsPrometheusParsesThem) {
  struct Row {
    double v;
    const char* text;
  };
  for (const Row& row :
       {Row{0, "0"}, Row{2.5, "2.5"}, Row{0.00025, "0.00025"}, Row{0.00005, "5e-05"},
        Row{1e21, "1e+21"}, Row{-INFINITY, "-Inf"}, Row{NAN, "NaN"}}) {
    std::string out;
    append_double(out, row.v);
    EXPECT_EQ(out, row.text);
  }
}

TEST(Registry, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  auto& f = r.counter_family("airlock_n_total", "N.", {"agent"});
  Histogram& h = r.histogram("airlock_t_seconds", "T.", {0.5});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& c = f.labels({t % 2 == 0 ? "even" : "odd"});
      for (int i = 0; i < kPerThread; ++i) {
        c.inc();
        h.observe(1.0);
        if (i % 1000 == 0) (void)r.render();  // scrapes race with updates
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(f.labels({"even"}).value() + f.labels({"odd"}).value(), kThreads * kPerThread);
  EXPECT_EQ(h.snapshot().count, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(h.snapshot().sum, kThreads * kPerThread * 1.0);
}

}  // namespace
}  // namespace airlock::metrics
