// The texts an agent reads when traffic control refuses it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_time.hpp"
#include "traffic/messages.hpp"

namespace airlock::traffic {
namespace {

using test::ms;

TEST(Messages, RateLimit) {
  Error e = rate_limited("invoice-bot", RateSpec{50, 100, ms(250)}, ms(120));
  EXPECT_EQ(e.sqlstate, "53400");
  EXPECT_EQ(e.message,
            "airlock: rate limit for invoice-bot exceeded (50 statements/s, burst 100); "
            "retry in 120 ms");
  EXPECT_EQ(e.detail, "traffic: rate limit");
}

TEST(Messages, BreakerOpen) {
  Breaker::Check c;
  c.allowed = false;
  c.failures = 6;
  c.window = ms(30'000);
  c.last_error = "relation \"invoices\" does not exist";
  c.retry_after = ms(41'200);
  Error e = breaker_open(c);
  EXPECT_EQ(e.sqlstate, "53400");
  EXPECT_EQ(e.message,
            "airlock: the breaker for this statement is open: it failed 6 times in 30s "
            "(last error: relation \"invoices\" does not exist); it closes in 42 s");
  c.reopened = true;
  EXPECT_EQ(breaker_open(c).message,
            "airlock: the breaker for this statement is open again: the trial attempt after "
            "its cool-down failed (last error: relation \"invoices\" does not exist); it "
            "closes in 42 s");
  c.reopened = false;
  c.trial_running = true;
  c.last_error.clear();
  c.retry_after = ms(1000);
  EXPECT_EQ(breaker_open(c).message,
            "airlock: the breaker for this statement is half-open and its one trial attempt "
            "is running (it failed 6 times in 30s); retry in 1 s");
}

TEST(Messages, Paused) {
  Pause::Check c;
  c.allowed = false;
  c.percent = 80;
  c.window = ms(60'000);
  c.retry_after = ms(30'000);
  EXPECT_EQ(agent_paused("invoice-bot", c).message,
            "airlock: agent invoice-bot is paused: 80% of its statements failed in the last "
            "60s; resumes in 30 s");
  c.reopened = true;
  EXPECT_EQ(agent_paused("invoice-bot", c).message,
            "airlock: agent invoice-bot is paused again: the trial statement after its pause "
            "failed; resumes in 30 s");
  c.reopened = false;
  c.trial_running = true;
  c.retry_after = ms(250);
  EXPECT_EQ(agent_paused("invoice-bot", c).message,
            "airlock: agent invoice-bot is paused (80% of its statements failed in the last "
            "60s) and its one trial statement is running; retry in 250 ms");
}

struct WaitCase {
  Nanos wait;
  const char* text;
};

TEST(Messages, FormatWait) {
  const std::vector<WaitCase> rows = {
      {Nanos(0), "1 ms"},           {Nanos(1), "1 ms"},         {ms(120), "120 ms"},
      {Nanos(120'000'001), "121 ms"}, {ms(999), "999 ms"},      {Nanos(999'000'001), "1 s"},
      {ms(1000), "1 s"},            {ms(1001), "2 s"},          {ms(42'000), "42 s"},
  };
  for (const auto& row : rows) EXPECT_EQ(format_wait(row.wait), row.text) << row.text;
}

TEST(Messages, FormatSpanAndRate) {
  EXPECT_EQ(format_span(ms(30'000)), "30s");
  EXPECT_EQ(format_span(ms(250)), "250ms");
  EXPECT_EQ(format_span(ms(1500)), "1500ms");
  EXPECT_EQ(format_rate(50), "50");
  EXPECT_EQ(format_rate(0.5), "0.5");
  EXPECT_EQ(format_rate(2.25), "2.25");
  EXPECT_EQ(format_rate(0.001), "0.001");
}

}  // namespace
}  // namespace airlock::traffic
