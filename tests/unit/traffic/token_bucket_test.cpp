// The rate bucket: what each statement of a timeline gets (go, delay, refuse) and how long.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_time.hpp"
#include "traffic/token_bucket.hpp"

namespace airlock::traffic {
namespace {

using test::at_ms;
using test::ms;
using Outcome = TokenBucket::Outcome;

struct Step {
  long long at;  // ms
  Outcome outcome;
  long long wait_ms = 0;
};

struct BucketCase {
  const char* name;
  double rate;
  std::uint32_t burst;
  long long max_delay_ms;
  std::vector<Step> steps;
};

const std::vector<BucketCase>& cases() {
  static const std::vector<BucketCase> all = {
      {"off_admits_everything", 0, 1, 0,
       {{0, Outcome::Now}, {0, Outcome::Now}, {0, Outcome::Now}, {0, Outcome::Now}}},
      {"burst_then_refuse_with_retry_time", 10, 3, 0,
       {{0, Outcome::Now}, {0, Outcome::Now}, {0, Outcome::Now},
        {0, Outcome::Refused, 100}, {100, Outcome::Now}, {100, Outcome::Refused, 100}}},
      {"delay_up_to_the_bound_then_refuse", 10, 1, 250,
       {{0, Outcome::Now}, {0, Outcome::Delayed, 100}, {0, Outcome::Delayed, 200},
        {0, Outcome::Refused, 300}, {0, Outcome::Refused, 300}}},
      {"refused_statement_reserves_nothing", 10, 1, 0,
       {{0, Outcome::Now}, {0, Outcome::Refused, 100}, {0, Outcome::Refused, 100},
        {100, Outcome::Now}}},
      {"delayed_statement_holds_its_token", 10, 1, 100,
       {{0, Outcome::Now}, {0, Outcome::Delayed, 100}, {50, Outcome::Refused, 150},
        {200, Outcome::Now}}},
      {"idle_time_refills_only_to_burst", 10, 2, 0,
       {{0, Outcome::Now}, {0, Outcome::Now}, {0, Outcome::Refused, 100},
        {10'000, Outcome::Now}, {10'000, Outcome::Now}, {10'000, Outcome::Refused, 100}}},
      {"retry_at_the_given_time_is_admitted", 1, 1, 0,
       {{0, Outcome::Now}, {0, Outcome::Refused, 1000}, {999, Outcome::Refused, 1},
        {1000, Outcome::Now}}},
      {"fractional_rate", 0.5, 1, 0,
       {{0, Outcome::Now}, {1000, Outcome::Refused, 1000}, {2000, Outcome::Now}}},
      {"steady_rate_never_waits", 100, 1, 0,
       {{0, Outcome::Now}, {10, Outcome::Now}, {20, Outcome::Now}, {30, Outcome::Now},
        {35, Outcome::Refused, 5}}},
  };
  return all;
}

class BucketCaseTest : public testing::TestWithParam<BucketCase> {};

TEST_P(BucketCaseTest, FollowsTheTimeline) {
  const BucketCase& c = GetParam();
  TokenBucket bucket(RateSpec{c.rate, c.burst, ms(c.max_delay_ms)});
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const Step& step = c.steps[i];
    TokenBucket::Admit got = bucket.admit(at_ms(step.at));
    EXPECT_EQ(got.outcome, step.outcome) << "step " << i << " at " << step.at << " ms";
    EXPECT_EQ(got.wait, ms(step.wait_ms)) << "step " << i << " at " << step.at << " ms";
  }
}

INSTANTIATE_TEST_SUITE_P(Table, BucketCaseTest, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<BucketCase>& p) {
                           return std::string(p.param.name);
                         });

TEST(TokenBucket, ChangedRateStartsFull) {
  TokenBucket bucket(RateSpec{1, 1, ms(0)});
  EXPECT_EQ(bucket.admit(at_ms(0)).outcome, Outcome::Now);
  EXPECT_EQ(bucket.admit(at_ms(0)).outcome, Outcome::Refused);
  bucket.configure(RateSpec{2, 1, ms(0)});
  EXPECT_EQ(bucket.admit(at_ms(0)).outcome, Outcome::Now);
  EXPECT_EQ(bucket.admit(at_ms(0)).wait, ms(500));
}

TEST(TokenBucket, ChangedMaxDelayKeepsTheLevel) {
  TokenBucket bucket(RateSpec{1, 1, ms(0)});
  EXPECT_EQ(bucket.admit(at_ms(0)).outcome, Outcome::Now);
  bucket.configure(RateSpec{1, 1, ms(2000)});
  TokenBucket::Admit got = bucket.admit(at_ms(0));
  EXPECT_EQ(got.outcome, Outcome::Delayed);
  EXPECT_EQ(got.wait, ms(1000));
}

TEST(TokenBucket, TurnedOffAdmitsEverything) {
  TokenBucket bucket(RateSpec{1, 1, ms(0)});
  EXPECT_EQ(bucket.admit(at_ms(0)).outcome, Outcome::Now);
  bucket.configure(RateSpec{});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(bucket.admit(at_ms(0)).outcome, Outcome::Now);
}

}  // namespace
}  // namespace airlock::traffic
