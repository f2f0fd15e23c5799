// The statement breaker: trip, open, half-open, close, re-open, and its memory bounds.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "test_time.hpp"
#include "traffic/breaker.hpp"

namespace airlock::traffic {
namespace {

using test::at_ms;
using test::ms;
using State = Breaker::State;

enum class Op { Fail, Succeed, Check, Cancel };
enum class Want { Allowed, Trial, Refused, TrialRunning, Reopened };

struct Step {
  long long at;  // ms
  Op op;
  const char* key = "q1";
  std::optional<Want> want = std::nullopt;    // Check only
  long long retry_ms = -1;                    // Check only; -1 = not checked
  std::optional<State> state = std::nullopt;  // the key's state afterwards; nullopt = absent
  bool check_state = false;
};

Step fail(long long at, const char* key = "q1") { return {at, Op::Fail, key}; }
Step succeed(long long at, const char* key = "q1") { return {at, Op::Succeed, key}; }
Step cancel(long long at) { return {at, Op::Cancel}; }
Step check(long long at, Want want, long long retry_ms = -1, const char* key = "q1") {
  return {at, Op::Check, key, want, retry_ms};
}
Step state_is(long long at, std::optional<State> state, const char* key = "q1") {
  Step s{at, Op::Check, key};
  s.state = state;
  s.check_state = true;
  return s;
}

struct BreakerCase {
  const char* name;
  std::vector<Step> steps;
  std::uint32_t failures = 2;  // opens on the third failure within the window
};

// failures 2, window 1000 ms, cooldown 500 ms unless the row says otherwise.
const std::vector<BreakerCase>& cases() {
  static const std::vector<BreakerCase> all = {
      {"n_failures_are_tolerated",
       {fail(0), fail(10), check(20, Want::Allowed), state_is(20, State::Closed)}},
      {"failure_n_plus_one_opens",
       {fail(0), fail(10), fail(20), state_is(20, State::Open),
        check(30, Want::Refused, 490)}},
      {"failures_outside_the_window_do_not_count",
       {fail(0), fail(600), fail(1100), state_is(1100, State::Closed), fail(1200),
        state_is(1200, State::Open)}},
      {"successes_between_failures_do_not_reset",
       {fail(0), succeed(1), fail(2), succeed(3), fail(4), state_is(4, State::Open)}},
      {"keys_are_independent",
       {fail(0), fail(1), fail(2), check(3, Want::Allowed, -1, "q2"),
        check(3, Want::Refused, 499)}},
      {"cooldown_over_lets_one_trial_through",
       {fail(0), fail(0), fail(20), check(519, Want::Refused, 1), check(520, Want::Trial),
        state_is(520, State::HalfOpen), check(521, Want::TrialRunning, 499),
        check(530, Want::TrialRunning)}},
      {"trial_success_closes_and_forgets",
       {fail(0), fail(0), fail(20), check(520, Want::Trial), succeed(530),
        state_is(530, std::nullopt), check(531, Want::Allowed), fail(532), fail(533),
        state_is(533, State::Closed)}},
      {"trial_failure_reopens_for_a_cooldown",
       {fail(0), fail(0), fail(20), check(520, Want::Trial), fail(530),
        state_is(530, State::Open), check(1000, Want::Reopened, 30), check(1030, Want::Trial)}},
      {"lost_trial_is_granted_again_after_a_cooldown",
       {fail(0), fail(0), fail(20), check(520, Want::Trial), check(1019, Want::TrialRunning),
        check(1020, Want::Trial)}},
      {"cancelled_trial_is_granted_again_at_once",
       {fail(0), fail(0), fail(20), check(520, Want::Trial), cancel(521),
        check(521, Want::Trial)}},
      {"late_failure_while_open_does_not_extend",
       {fail(0), fail(0), fail(20), fail(300), check(520, Want::Trial)}},
      {"late_success_while_open_is_ignored",
       {fail(0), fail(0), fail(20), succeed(100), check(200, Want::Refused, 320)}},
      {"success_of_an_unknown_key_creates_nothing", {succeed(0), state_is(0, std::nullopt)}},
      {"zero_failures_disables_the_breaker",
       {fail(0), fail(0), fail(0), fail(0), state_is(0, std::nullopt), check(0, Want::Allowed)},
       0},
      {"one_failure_tolerated_means_second_opens",
       {fail(0), check(1, Want::Allowed), fail(2), check(3, Want::Refused, 499)}, 1},
  };
  return all;
}

class BreakerCaseTest : public testing::TestWithParam<BreakerCase> {};

TEST_P(BreakerCaseTest, FollowsTheTimeline) {
  const BreakerCase& c = GetParam();
  Breaker breaker(BreakerSpec{c.failures, ms(1000), ms(500), 4096});
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const Step& step = c.steps[i];
    std::string where = "step " + std::to_string(i) + " at " + std::to_string(step.at) + " ms";
    switch (step.op) {
      case Op::Fail:
        breaker.record_failure(step.key, at_ms(step.at), "boom");
        break;
      case Op::Succeed:
        breaker.record_success(step.key, at_ms(step.at));
        break;
      case Op::Cancel:
        breaker.cancel_trial(step.key);
        break;
      case Op::Check:
        if (step.check_state) {
          EXPECT_EQ(breaker.state(step.key), step.state) << where;
          break;
        }
        Breaker::Check got = breaker.check(step.key, at_ms(step.at));
        Want want = *step.want;
        EXPECT_EQ(got.allowed, want == Want::Allowed || want == Want::Trial) << where;
        EXPECT_EQ(got.trial, want == Want::Trial) << where;
        EXPECT_EQ(got.trial_running, want == Want::TrialRunning) << where;
        EXPECT_EQ(got.reopened, want == Want::Reopened) << where;
        if (step.retry_ms >= 0) {
          EXPECT_EQ(got.retry_after, ms(step.retry_ms)) << where;
        }
        break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, BreakerCaseTest, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<BreakerCase>& p) {
                           return std::string(p.param.name);
                         });

TEST(Breaker, RefusalCarriesTheReason) {
  Breaker breaker(BreakerSpec{2, ms(30'000), ms(60'000), 4096});
  breaker.record_failure("q", at_ms(0), "first");
  breaker.record_failure("q", at_ms(1), "second");
  breaker.record_failure("q", at_ms(2), "relation \"nope\" does not exist");
  Breaker::Check got = breaker.check("q", at_ms(18'002));
  EXPECT_FALSE(got.allowed);
  EXPECT_EQ(got.failures, 3u);
  EXPECT_EQ(got.window, ms(30'000));
  EXPECT_EQ(got.last_error, "relation \"nope\" does not exist");
  EXPECT_EQ(got.retry_after, ms(42'000));
}

TEST(Breaker, LastErrorIsCutAtACharacterBoundary) {
  Breaker breaker(BreakerSpec{1, ms(1000), ms(1000), 4096});
  std::string long_error(Breaker::kMaxErrorBytes - 1, 'x');
  long_error += "\xC3\xA9\xC3\xA9";  // "éé" straddles the limit
  breaker.record_failure("q", at_ms(0), long_error);
  breaker.record_failure("q", at_ms(0), long_error);
  Breaker::Check got = breaker.check("q", at_ms(1));
  EXPECT_EQ(got.last_error, std::string(Breaker::kMaxErrorBytes - 1, 'x') + "...");
}

TEST(Breaker, CutUtf8) {
  EXPECT_EQ(cut_utf8("short", 10), "short");
  EXPECT_EQ(cut_utf8("abcdef", 3), "abc...");
  EXPECT_EQ(cut_utf8("ab\xE2\x82\xAC", 3), "ab...");  // never half of "€"
}

TEST(Breaker, KeysAreBoundedWithLeastRecentlyUsedEviction) {
  Breaker breaker(BreakerSpec{1, ms(60'000), ms(60'000), 64});
  for (int i = 0; i < 2; ++i) breaker.record_failure("storm", at_ms(0), "e");
  ASSERT_EQ(breaker.state("storm"), Breaker::State::Open);
  for (int i = 0; i < 5000; ++i) {
    // The storming statement keeps being refused while other statements fail once each.
    EXPECT_FALSE(breaker.check("storm", at_ms(i)).allowed);
    breaker.record_failure("other-" + std::to_string(i), at_ms(i), "e");
    ASSERT_LE(breaker.size(), 64u);
  }
  EXPECT_EQ(breaker.state("storm"), Breaker::State::Open);
  EXPECT_GT(breaker.evictions(), 0u);
}

TEST(Breaker, IdleKeysExpire) {
  Breaker breaker(BreakerSpec{5, ms(1000), ms(500), 4096});
  for (int i = 0; i < 100; ++i) breaker.record_failure("q" + std::to_string(i), at_ms(i), "e");
  EXPECT_EQ(breaker.size(), 100u);
  EXPECT_EQ(breaker.sweep(at_ms(1000)), 0u);  // nothing idle for window + cooldown yet
  EXPECT_EQ(breaker.sweep(at_ms(1549)), 50u);  // q0..q49: last touched at 0..49 ms
  EXPECT_EQ(breaker.size(), 50u);
  // Lazily, too: a new key drops the idle ones of its shard before it is added.
  for (int i = 0; i < 100; ++i) breaker.record_failure("r" + std::to_string(i), at_ms(5000), "e");
  EXPECT_LT(breaker.size(), 150u);
  breaker.sweep(at_ms(5000));
  EXPECT_EQ(breaker.size(), 100u);
}

TEST(Breaker, ReloadWithTheSameSpecKeepsOpenBreakers) {
  BreakerSpec spec{1, ms(1000), ms(500), 4096};
  Breaker breaker(spec);
  breaker.record_failure("q", at_ms(0), "e");
  breaker.record_failure("q", at_ms(0), "e");
  breaker.configure(spec);
  EXPECT_EQ(breaker.state("q"), State::Open);
  spec.cooldown = ms(100);
  breaker.configure(spec);
  EXPECT_EQ(breaker.state("q"), std::nullopt);
  EXPECT_TRUE(breaker.check("q", at_ms(1)).allowed);
}

}  // namespace
}  // namespace airlock::traffic
